"""整改报告期限: the inspection's staff are reminded before the 整改情况报告 is due and each week after until
it is recorded as sent (报送), each step exactly once.

The world is built on Monday 2 March 2026 (START). Alice filed the inspection with its feedback 20 days
earlier, so its report is due two months after the feedback: 10 April, START + 39. She owns it; Gina is
the staff of 机关党总支 and Leo leads the committee.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from partyreview.accounts.models import Notification
from partyreview.inspections.services import inspection_create, inspection_update
from partyreview.reminders import selectors
from partyreview.reminders.digests import build_digest
from partyreview.reminders.models import ReminderItem, ReminderKind, ReminderPolicy, SweepTrigger
from partyreview.reminders.services import reminders_sweep, reminders_tick
from tests.reminders.helpers import due

K = ReminderKind
REPORT_DUE = due(39)


def report_items(run, user) -> list[tuple[int, int]]:
    """What one run claimed for one person about reports, as (inspection id, offset) pairs."""
    if run is None:
        return []
    rows = ReminderItem.objects.filter(run=run, recipient=user, kind=K.REPORT_DUE)
    return sorted(rows.values_list("inspection_id", "offset"))


def test_the_inspection_staff_are_reminded_14_and_3_days_before_and_weekly_after_the_report_date(world, policy, sweep):
    assert world.inspection.report_due_date == REPORT_DUE
    seen: dict[str, dict[int, list]] = {name: {} for name in ("alice", "gina", "leo", "sam", "mike")}
    for days in range(0, 60):
        run = sweep(days)
        for name in seen:
            got = report_items(run, getattr(world, name))
            if got:
                seen[name][days - 39] = got
    pk = world.inspection.pk
    assert seen["alice"] == {-14: [(pk, -14)], -3: [(pk, -3)], 1: [(pk, 1)], 8: [(pk, 8)], 15: [(pk, 15)]}
    assert seen["gina"] == seen["leo"] == seen["sam"] == seen["mike"] == {}


def test_every_owner_is_reminded_and_without_owners_the_staff_of_the_leading_organisation(world, policy, sweep):
    inspection_update(actor=world.alice, inspection=world.inspection, owners=[world.alice, world.gina])
    led_by_general_branch = inspection_create(
        actor=world.gina,
        title="机关党总支专项检查",
        kind="special",
        inspecting_org=world.general_a,
        inspected_orgs=[world.a1],
        start_date=due(-30),
        report_due_date=REPORT_DUE,
    )
    led_by_general_branch.owners.clear()
    run = sweep(39 - 3)
    assert report_items(run, world.alice) == [(world.inspection.pk, -3)]
    # Gina owns the first and is the nearest staff of the second, which has no owner.
    assert report_items(run, world.gina) == sorted([(world.inspection.pk, -3), (led_by_general_branch.pk, -3)])


def test_the_same_day_swept_twice_reminds_once(world, policy, sweep, email_on):
    first = sweep(39 - 14)
    assert report_items(first, world.alice) == [(world.inspection.pk, -14)]
    notifications = Notification.objects.filter(recipient=world.alice, kind="reminder").count()
    assert notifications == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].subject == "【整改报告】1 次检查的整改情况报告临近报送期限或已逾期"

    second = sweep(39 - 14)

    assert report_items(second, world.alice) == []
    assert ReminderItem.objects.filter(kind=K.REPORT_DUE, recipient=world.alice).count() == 1
    assert Notification.objects.filter(recipient=world.alice, kind="reminder").count() == notifications
    assert len(mail.outbox) == 1


def test_a_missed_reminder_after_the_date_is_caught_up_once_within_its_week(world, policy, sweep):
    # The worker was down from before the date until three days after it.
    assert report_items(sweep(39 + 3), world.alice) == [(world.inspection.pk, 1)]
    for days in range(39 + 4, 39 + 8):
        assert report_items(sweep(days), world.alice) == []
    assert report_items(sweep(39 + 8), world.alice) == [(world.inspection.pk, 8)]


def test_an_inspection_whose_date_passed_long_ago_is_not_reminded(world, policy, sweep):
    # E.g. the first sweep after an upgrade: last year's reports are not asked for (eight weeks at most).
    assert report_items(sweep(39 + 57), world.alice) == []


def test_once_the_report_is_recorded_as_sent_no_reminder_asks_for_it(world, policy, sweep, email_on):
    assert report_items(sweep(39 + 1), world.alice) == [(world.inspection.pk, 1)]
    inspection_update(actor=world.alice, inspection=world.inspection, report_submitted_on=REPORT_DUE)
    for days in range(39 + 2, 39 + 30):
        assert report_items(sweep(days), world.alice) == []


def test_a_report_sent_between_the_sweep_and_the_digest_is_left_out_of_it(world, policy, sweep):
    run = sweep(39 - 3)
    assert report_items(run, world.alice) == [(world.inspection.pk, -3)]
    inspection_update(actor=world.alice, inspection=world.inspection, report_submitted_on=due(39 - 3))
    digest = build_digest(selectors.digest_items(run_id=run.pk, recipient=world.alice), day=run.day)
    assert digest.sections == [] and digest.dropped == 1


def test_a_changed_report_date_replans_the_reminders(world, policy, sweep):
    assert report_items(sweep(39 - 14), world.alice) == [(world.inspection.pk, -14)]
    later = REPORT_DUE + datetime.timedelta(days=20)
    inspection_update(actor=world.alice, inspection=world.inspection, report_due_date=later)
    # The old date's -3 step is no longer owed; the new date's -14 step is.
    assert report_items(sweep(39 - 3), world.alice) == []
    run = sweep(39 + 20 - 14)
    assert list(ReminderItem.objects.filter(run=run, kind=K.REPORT_DUE).values_list("due_date", "offset")) == [
        (later, -14)
    ]


def test_an_archived_inspection_or_one_without_a_report_date_is_not_reminded(world, policy, sweep):
    inspection_update(actor=world.alice, inspection=world.inspection, report_due_date=None)
    assert report_items(sweep(39 - 14), world.alice) == []
    inspection_update(actor=world.alice, inspection=world.inspection, report_due_date=REPORT_DUE)
    world.inspection.is_archived = True
    world.inspection.save()
    assert report_items(sweep(39 - 3), world.alice) == []


def test_an_inactive_owner_is_not_reminded(world, policy, sweep):
    world.alice.is_active = False
    world.alice.save()
    assert report_items(sweep(39 - 14), world.alice) == []


def test_the_offsets_come_from_the_policy(world, policy, sweep):
    policy.report_days_before = "7"
    policy.save()
    assert report_items(sweep(39 - 14), world.alice) == []
    assert report_items(sweep(39 - 7), world.alice) == [(world.inspection.pk, -7)]


def test_a_lead_gets_the_weekly_summary_and_the_report_reminder_side_by_side(world, sweep, email_on, client_for):
    """Both have no measure: each keeps its own item and payload, neither replaces nor repeats the other."""
    world.rectification(due_in=30)
    inspection_update(actor=world.alice, inspection=world.inspection, owners=[world.leo])
    run = sweep(39 - 14)  # a Friday: this week's summary is still owed

    rows = dict(ReminderItem.objects.filter(run=run, recipient=world.leo).values_list("kind", "payload"))
    assert set(rows) == {K.WEEKLY_SUMMARY, K.REPORT_DUE}
    assert rows[K.WEEKLY_SUMMARY]["open"] == 1
    assert rows[K.REPORT_DUE] is None

    digest = build_digest(selectors.digest_items(run_id=run.pk, recipient=world.leo), day=run.day)
    assert digest.summary["open"] == 1
    assert [(s.kind, len(s.lines)) for s in digest.sections] == [(K.REPORT_DUE, 1)]
    line = digest.lines[0]
    assert line.path == reverse("inspections:detail", args=[world.inspection.pk])
    assert line.due_date == REPORT_DUE and line.days_left == 14

    note = Notification.objects.get(recipient=world.leo, kind="reminder")
    assert "整改情况报告待报送 1 份" in note.body and "本周汇总" in note.body
    (message,) = [m for m in mail.outbox if m.to == [world.leo.email]]
    assert "整改报告期限：2026-04-10" in message.body and "本周汇总" not in message.subject

    page = client_for(world.leo).get(reverse("reminders:digest", args=[run.pk])).content.decode()
    assert reverse("inspections:detail", args=[world.inspection.pk]) in page
    assert "报送“2026年巡察”整改情况报告" in page and "digest-summary" in page


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(23, 59, []), (0, 1, [1])],
    ids=["23:59 Beijing, the due day", "00:01 Beijing, the day after (still the due day in UTC)"],
)
def test_the_reminder_after_the_date_goes_by_the_beijing_day(world, policy, clock, sweep, hour, minute, expected):
    policy.sweep_hour = 0
    policy.save()
    assert report_items(sweep(39 - 3), world.alice) == [(world.inspection.pk, -3)]
    day = REPORT_DUE if hour == 23 else REPORT_DUE + datetime.timedelta(days=1)
    clock.go(day, hour=hour, minute=minute)
    run = reminders_tick()
    assert run.day == day
    assert [offset for _, offset in report_items(run, world.alice)] == expected


def test_a_policy_change_of_the_report_days_is_validated(db):
    from django.core.exceptions import ValidationError

    policy = ReminderPolicy.load()
    policy.report_days_before = "14,abc"
    with pytest.raises(ValidationError):
        policy.full_clean()


def test_the_command_sweep_runs_the_report_reminders_too(world, policy, clock, django_capture_on_commit_callbacks):
    clock.at(39 - 3)
    with django_capture_on_commit_callbacks(execute=True):
        run = reminders_sweep(trigger=SweepTrigger.COMMAND)
    assert report_items(run, world.alice) == [(world.inspection.pk, -3)]
