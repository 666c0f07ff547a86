"""回头看: Alice schedules a check of closed measures for Gina (staff of general branch A); Gina records
整改到位 or 问题反弹. 问题反弹 reopens the measure as today's reopen does, opens its finding again, and the
finding counts as 反弹 on the dashboard beside recurrence."""

import datetime

import pytest

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
from partyreview.inspections.models import Finding
from partyreview.rectifications import services
from partyreview.rectifications.models import FollowUpOutcome, Rectification, RectificationStatus
from partyreview.rectifications.selectors import finding_is_closed, finding_relapsed_q, followup_candidates

DUE = datetime.timedelta(days=14)


def test_a_relapse_found_by_a_look_back_reopens_the_measure_and_counts_as_relapsed(world):
    r = world.rectification(world.a1, state="closed")
    assert finding_is_closed(r.finding)
    (review,) = services.followup_schedule(
        actor=world.alice, rectifications=[r], inspector=world.gina, due_date=local_today() + DUE
    )
    assert review.outcome == FollowUpOutcome.PENDING

    services.followup_record(actor=world.gina, review=review, outcome=FollowUpOutcome.RELAPSED, note="会议记录又缺失")

    r.refresh_from_db()
    review.refresh_from_db()
    assert r.status == RectificationStatus.IN_PROGRESS and r.closed_at is None
    assert r.reopen_reason == "问题反弹：会议记录又缺失"
    assert r.history.first().history_user_id == world.gina.pk
    assert not finding_is_closed(r.finding)
    assert Finding.objects.filter(finding_relapsed_q(), pk=r.finding_id).exists()
    assert (review.outcome, review.decided_at is not None) == (FollowUpOutcome.RELAPSED, True)
    lifecycle = dashboard_build(world.leo, DashboardFilter()).lifecycle
    assert lifecycle.relapsed_findings == 1


def test_rectified_on_a_look_back_leaves_the_measure_closed_and_nothing_relapsed(world):
    r = world.rectification(world.a1, state="closed")
    (review,) = services.followup_schedule(
        actor=world.alice, rectifications=[r], inspector=world.gina, due_date=local_today() + DUE
    )
    services.followup_record(actor=world.gina, review=review, outcome=FollowUpOutcome.RECTIFIED, note="制度运行正常")
    assert Rectification.objects.get(pk=r.pk).status == RectificationStatus.CLOSED
    assert not Finding.objects.filter(finding_relapsed_q(), pk=r.finding_id).exists()
    assert dashboard_build(world.leo, DashboardFilter()).lifecycle.relapsed_findings == 0
    with pytest.raises(ActionRefused, match="已有结论"):
        services.followup_record(actor=world.gina, review=review, outcome=FollowUpOutcome.RELAPSED, note="再看")


def test_scheduling_is_all_or_nothing_and_for_staff_in_scope(world):
    closed = world.rectification(world.a1, state="closed")
    open_one = world.rectification(world.a1, state="in_progress")
    b1_closed = world.rectification(world.b1, state="closed")
    tomorrow = local_today() + DUE
    with pytest.raises(ActionRefused, match="尚未销号"):
        services.followup_schedule(
            actor=world.alice, rectifications=[closed, open_one], inspector=world.gina, due_date=tomorrow
        )
    with pytest.raises(ActionRefused, match="复查人"):
        services.followup_schedule(
            actor=world.alice, rectifications=[b1_closed], inspector=world.gina, due_date=tomorrow
        )
    with pytest.raises(ActionRefused, match="管理范围"):
        services.followup_schedule(
            actor=world.gina, rectifications=[b1_closed], inspector=world.gina, due_date=tomorrow
        )
    with pytest.raises(ActionRefused, match="不能早于今天"):
        services.followup_schedule(
            actor=world.alice, rectifications=[closed], inspector=world.gina, due_date=local_today() - DUE
        )
    assert not closed.follow_ups.exists()
    services.followup_schedule(actor=world.alice, rectifications=[closed], inspector=world.gina, due_date=tomorrow)
    with pytest.raises(ActionRefused, match="待完成的回头看"):
        services.followup_schedule(actor=world.alice, rectifications=[closed], inspector=world.gina, due_date=tomorrow)
    # A secretary cannot record a check's outcome.
    review = closed.follow_ups.get()
    with pytest.raises(ActionRefused):
        services.followup_record(actor=world.sam, review=review, outcome=FollowUpOutcome.RELAPSED, note="反弹")


def test_candidates_are_closed_measures_a_sample_per_branch_the_same_each_time(world):
    a1 = [world.rectification(world.a1, state="closed") for _ in range(3)]
    b1 = [world.rectification(world.b1, state="closed") for _ in range(2)]
    world.rectification(world.a1, state="in_progress")
    everything = Rectification.objects.all()
    assert {r.pk for r in followup_candidates(everything)} == {r.pk for r in a1 + b1}
    sample = followup_candidates(everything, per_branch=1, seed=7)
    assert sorted(r.responsible_org_id for r in sample) == sorted([world.a1.pk, world.b1.pk])
    assert [r.pk for r in sample] == [r.pk for r in followup_candidates(everything, per_branch=1, seed=7)]
    # Six months after closure: nothing closed today qualifies yet.
    assert followup_candidates(everything, closed_on_or_before=local_today() - datetime.timedelta(days=182)) == []
