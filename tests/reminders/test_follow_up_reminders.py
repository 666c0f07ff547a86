"""回头看: the inspector of a check task is reminded before its deadline and once after it while no outcome is
recorded, exactly once; the measure itself, closed, is never reminded.

The world is built on Monday 2 March 2026 (START). Alice closes a measure of A1 and schedules a 回头看 of
it for herself, due START + 20.
"""

import pytest
from django.core import mail
from django.urls import reverse

from partyreview.rectifications import services
from partyreview.rectifications.models import FollowUpOutcome, FollowUpReview
from partyreview.reminders import selectors
from partyreview.reminders.digests import build_digest
from partyreview.reminders.models import Delivery, DeliveryStatus, ReminderItem, ReminderKind
from partyreview.reminders.services import delivery_send
from tests.reminders.helpers import due

K = ReminderKind


@pytest.fixture
def review(world) -> FollowUpReview:
    closed = world.rectification(state="closed", due_in=5)
    (review,) = services.followup_schedule(
        actor=world.alice, rectifications=[closed], inspector=world.alice, due_date=due(20)
    )
    return review


def follow_up_items(run, user) -> list[tuple[int, int]]:
    if run is None:
        return []
    rows = ReminderItem.objects.filter(run=run, recipient=user, kind=K.FOLLOW_UP_DUE)
    return sorted(rows.values_list("rectification_id", "offset"))


def test_the_inspector_is_reminded_3_days_before_and_once_after_the_deadline(world, policy, sweep, review):
    seen: dict[str, dict[int, list]] = {name: {} for name in ("alice", "gina", "leo", "sam", "mike")}
    for days in range(0, 40):
        run = sweep(days)
        for name in seen:
            got = follow_up_items(run, getattr(world, name))
            if got:
                seen[name][days - 20] = got
    pk = review.rectification_id
    assert seen["alice"] == {-3: [(pk, -3)], 1: [(pk, 1)]}
    assert seen["gina"] == seen["leo"] == seen["sam"] == seen["mike"] == {}
    # The closed measure itself is asked for nothing.
    assert not ReminderItem.objects.filter(rectification=review.rectification).exclude(kind=K.FOLLOW_UP_DUE).exists()


def test_the_digest_lists_the_check_with_its_deadline_and_links_to_its_outcome_form(
    world, policy, sweep, email_on, review
):
    run = sweep(17)
    digest = build_digest(selectors.digest_items(run_id=run.pk, recipient=world.alice), day=run.day)
    (section,) = [s for s in digest.sections if s.kind == K.FOLLOW_UP_DUE]
    (line,) = section.lines
    assert line.due_date == due(20) and line.days_left == 3 and line.due_label == "复查期限"
    # Straight to the outcome form of the check.
    assert line.path == reverse("rectifications:followup_record", args=[review.pk])
    assert line.measure.startswith("回头看：")
    (message,) = [m for m in mail.outbox if m.to == [world.alice.email]]
    assert message.subject == "【回头看】1 项回头看临近复查期限或已逾期，请填写复查结论"
    assert "复查期限：2026-03-22" in message.body


@pytest.mark.parametrize("outcome", [FollowUpOutcome.RECTIFIED, FollowUpOutcome.RELAPSED])
def test_an_outcome_recorded_stops_the_reminders(world, policy, sweep, review, outcome):
    assert follow_up_items(sweep(17), world.alice) == [(review.rectification_id, -3)]
    services.followup_record(actor=world.alice, review=review, outcome=outcome, note="已实地复查")
    for days in range(18, 30):
        assert follow_up_items(sweep(days), world.alice) == []


def test_an_outcome_recorded_after_the_sweep_leaves_the_mail_unsent(world, policy, sweep, review, settings, clock):
    settings.REMINDER_EMAIL_ENABLED = True
    # The worker is slow: the sweep claims, then Alice records the outcome before the mail goes.
    from partyreview.reminders.models import SweepTrigger
    from partyreview.reminders.services import reminders_sweep

    day = clock.at(21)
    run = reminders_sweep(day=day, trigger=SweepTrigger.COMMAND)
    services.followup_record(actor=world.alice, review=review, outcome=FollowUpOutcome.RECTIFIED, note="整改到位")
    delivery = Delivery.objects.get(run=run, recipient=world.alice, channel="email")
    assert delivery_send(delivery_id=delivery.pk) == DeliveryStatus.SKIPPED
    assert mail.outbox == []


def test_the_same_day_swept_twice_reminds_once(world, policy, sweep, review):
    assert follow_up_items(sweep(21), world.alice) == [(review.rectification_id, 1)]
    assert follow_up_items(sweep(21), world.alice) == []
    assert ReminderItem.objects.filter(kind=K.FOLLOW_UP_DUE).count() == 1


def test_a_new_check_after_an_outcome_is_reminded_afresh(world, policy, sweep, review):
    sweep(17)
    services.followup_record(actor=world.alice, review=review, outcome=FollowUpOutcome.RECTIFIED, note="整改到位")
    (again,) = services.followup_schedule(
        actor=world.alice, rectifications=[review.rectification], inspector=world.alice, due_date=due(40)
    )
    assert follow_up_items(sweep(37), world.alice) == [(again.rectification_id, -3)]
