"""Reminders of 长期坚持 measures ask for the period's report, never for closure, exactly once per step.

The world is built on Monday 2 March 2026 (START). Alice files a measure kept up with quarterly reports:
its first report is due on 31 March (START + 29), the light turns yellow on 24 March (START + 22).
"""

import datetime

import pytest

from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification, RectificationKind
from partyreview.reminders.digests import build_digest
from partyreview.reminders.models import ReminderItem, ReminderKind
from tests.factories import pdf_upload
from tests.reminders.helpers import due

K = ReminderKind


def items_for(run, user, r: Rectification) -> list[tuple[str, int]]:
    """What one run claimed for one person about the kept-up measure (its finding has a plain one too)."""
    if run is None:
        return []
    return sorted(ReminderItem.objects.filter(run=run, recipient=user, rectification=r).values_list("kind", "offset"))


@pytest.fixture
def kept_up(world) -> Rectification:
    return services.rectification_create(
        actor=world.alice,
        finding=world.finding(world.a1),
        measure="建立“三会一课”季度检查制度并长期坚持",
        assignee=world.mike,
        due_date=None,
        kind=RectificationKind.LONG_TERM,
        report_cadence="quarterly",
        responsible_leader=world.leo,
    )


def test_a_kept_up_measure_is_asked_for_its_report_before_and_after_the_period_end_and_nothing_else(
    world, policy, sweep, kept_up
):
    assert kept_up.report_due_on == due(29)
    seen: dict[str, dict[int, list]] = {"mike": {}, "sam": {}, "leo": {}, "alice": {}}
    for days in range(0, 60):
        run = sweep(days)
        for name in seen:
            got = items_for(run, getattr(world, name), kept_up)
            if got:
                seen[name][days] = got
    expected = {22: [(K.PERIOD_REPORT, -7)], 30: [(K.PERIOD_REPORT, 1)]}
    assert seen["mike"] == expected
    assert seen["sam"] == expected
    # No deadline, so no escalation to the leader or the inspection's staff for its age.
    assert seen["leo"] == {} and seen["alice"] == {}


def test_a_report_moves_the_next_request_to_the_next_period(world, policy, sweep, kept_up):
    sweep(22)
    services.rectification_report_period(actor=world.sam, rectification=kept_up, note="本季度检查一次")
    kept_up.refresh_from_db()
    assert kept_up.report_due_on == datetime.date(2026, 6, 30)
    # Nothing after the period end now that the report is in; the next request comes a week before 30 June.
    requests = {}
    for days in range(23, (datetime.date(2026, 6, 30) - due(0)).days + 1):
        got = items_for(sweep(days), world.sam, kept_up)
        if got:
            requests[days] = got
    june_30 = (datetime.date(2026, 6, 30) - due(0)).days
    assert requests == {june_30 - 7: [(K.PERIOD_REPORT, -7)]}


def test_the_same_day_swept_twice_asks_once(world, policy, sweep, kept_up):
    first = sweep(22)
    assert items_for(first, world.sam, kept_up) == [(K.PERIOD_REPORT, -7)]
    second = sweep(22)
    assert second is None or items_for(second, world.sam, kept_up) == []
    assert ReminderItem.objects.filter(kind=K.PERIOD_REPORT, recipient=world.sam, rectification=kept_up).count() == 1


def test_a_stage_closed_measure_is_still_asked_for_its_report_and_an_ended_one_is_not(world, policy, sweep, kept_up):
    sweep(0)
    services.rectification_report_period(actor=world.sam, rectification=kept_up, note="本季度检查一次")
    services.rectification_submit(actor=world.sam, rectification=kept_up, summary="已建立", files=[pdf_upload()])
    services.rectification_close(actor=world.alice, rectification=kept_up, note="制度运行良好")
    june_30 = (datetime.date(2026, 6, 30) - due(0)).days
    run = sweep(june_30 - 7)
    assert items_for(run, world.sam, kept_up) == [(K.PERIOD_REPORT, -7)]
    digest = build_digest(
        ReminderItem.objects.filter(run=run, recipient=world.sam, rectification=kept_up), day=due(june_30 - 7)
    )
    assert [line.kind for line in digest.lines] == [K.PERIOD_REPORT]
    assert digest.lines[0].due_date == datetime.date(2026, 6, 30)
    assert digest.subject == "【定期报告】1 项长期坚持的整改措施请填报本期报告"

    services.rectification_end_long_term(actor=world.alice, rectification=kept_up, reason="制度已固化")
    assert items_for(sweep(june_30 + 1), world.sam, kept_up) == []
