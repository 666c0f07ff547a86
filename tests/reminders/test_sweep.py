"""The daily sweep over the whole policy, on a controlled clock.

Mike is the assignee and Sam the secretary of A1's measures; Leo is their responsible leader and leads
the committee; Alice owns the inspection. A measure is due START + 10 unless a test says otherwise.
"""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partyreview.accounts.models import Notification, Role
from partyreview.organizations.models import Membership
from partyreview.rectifications import services as rectification_services
from partyreview.rectifications.models import Rectification
from partyreview.reminders.models import Channel, Delivery, ReminderItem, ReminderKind, ReminderPolicy
from tests.factories import UserFactory
from tests.reminders.helpers import due, items_for

K = ReminderKind


def test_a_measure_is_reminded_on_exactly_the_policy_days(world, policy, sweep):
    world.rectification(due_in=10)
    seen: dict[str, dict[int, list]] = {"mike": {}, "sam": {}, "leo": {}, "alice": {}}
    for days in range(0, 50):
        run = sweep(days)
        for name in seen:
            got = items_for(run, getattr(world, name))
            if got:
                seen[name][days - 10] = got
    reminders = {
        -7: [(K.UPCOMING, -7)],
        -1: [(K.UPCOMING, -1)],
        0: [(K.DUE_TODAY, 0)],
        1: [(K.OVERDUE, 1)],
        2: [(K.OVERDUE, 2)],
        4: [(K.OVERDUE, 4)],
        8: [(K.OVERDUE, 8)],
        15: [(K.OVERDUE, 15)],
        22: [(K.OVERDUE, 22)],
        29: [(K.OVERDUE, 29)],
        36: [(K.OVERDUE, 36)],
    }
    assert seen["mike"] == reminders
    assert seen["sam"] == reminders
    # 督办: the responsible leader and the inspection's staff at 7 days; the committee's leads at 30.
    assert seen["leo"] == {7: [(K.ESCALATION_LEADER, 7)], 30: [(K.ESCALATION_COMMITTEE, 30)]}
    # Alice also owns the inspection, whose 整改报告 is due on START + 39: 14 and 3 days before, then weekly.
    assert seen["alice"] == {
        7: [(K.ESCALATION_LEADER, 7)],
        15: [(K.REPORT_DUE, -14)],
        26: [(K.REPORT_DUE, -3)],
        30: [(K.REPORT_DUE, 1)],
        37: [(K.REPORT_DUE, 8)],
    }


def test_lena_leads_a_general_branch_not_a_committee_and_gets_no_committee_escalation(world, policy, sweep):
    world.rectification(due_in=0)
    run = sweep(31)
    assert items_for(run, world.lena) == []
    assert (K.ESCALATION_COMMITTEE, 30) in items_for(run, world.leo)


def test_running_the_sweep_twice_sends_nothing_twice(world, policy, sweep, email_on):
    world.rectification(due_in=-3)
    first = sweep(0)
    notifications = Notification.objects.filter(kind="reminder").count()
    mails = len(mail.outbox)
    assert first.items > 0 and notifications == 2 and mails == 2

    second = sweep(0)

    assert second.items == 0
    assert Notification.objects.filter(kind="reminder").count() == notifications
    assert len(mail.outbox) == mails
    assert not Delivery.objects.filter(run=second).exists()


def test_digest_is_one_message_per_recipient_listing_all_their_items(world, policy, sweep, email_on, settings):
    overdue = world.rectification(due_in=-3)
    today = world.rectification(due_in=0)
    upcoming = world.rectification(due_in=5)
    other_branch = world.rectification(world.b1, due_in=-1)

    run = sweep(0)

    assert Notification.objects.filter(recipient=world.mike, kind="reminder").count() == 1
    note = Notification.objects.get(recipient=world.mike, kind="reminder")
    assert "已逾期 1 项" in note.body and "今天到期 1 项" in note.body and "即将到期 1 项" in note.body
    assert note.url == f"/reminders/digest/{run.pk}/"
    mails = [m for m in mail.outbox if m.to == [world.mike.email]]
    assert len(mails) == 1
    text = mails[0].body
    for r in (overdue, today, upcoming):
        assert f"{settings.SITE_URL}/rectifications/{r.pk}/" in text
    assert f"/rectifications/{other_branch.pk}/" not in text
    html = mails[0].alternatives[0][0]
    assert f"/rectifications/{overdue.pk}/" in html
    assert mails[0].subject == "【整改提醒】1 项整改措施已逾期，共 3 项需要关注"
    # Sam (secretary of A1) gets his own single digest; Sara (B1) hers with B1's measure only.
    assert len([m for m in mail.outbox if m.to == [world.sam.email]]) == 1
    assert items_for(run, world.sara) == [(K.OVERDUE, 1)]


def test_links_in_mail_use_the_configured_site_url(world, policy, sweep, email_on, settings):
    settings.SITE_URL = "https://dangjian.example.cn"
    r = world.rectification(due_in=-1)
    sweep(0)
    message = next(m for m in mail.outbox if m.to == [world.mike.email])
    assert f"https://dangjian.example.cn/rectifications/{r.pk}/" in message.body
    assert "https://dangjian.example.cn/reminders/preferences/" in message.body


def test_an_approved_extension_replans_the_reminders(world, policy, sweep):
    r = world.rectification(due_in=2)
    assert items_for(sweep(4), world.mike) == [(K.OVERDUE, 2)]
    new_due = due(20)
    extension = rectification_services.extension_request(
        actor=world.mike, rectification=r, new_due_date=new_due, reason="需要等待上级批复"
    )
    rectification_services.extension_decide(actor=world.alice, extension=extension, approve=True)

    sent = {days: items_for(sweep(days), world.mike) for days in range(5, 22)}

    assert {d: got for d, got in sent.items() if got} == {
        13: [(K.UPCOMING, -7)],
        19: [(K.UPCOMING, -1)],
        20: [(K.DUE_TODAY, 0)],
        21: [(K.OVERDUE, 1)],
    }
    # The old deadline's escalation (day 9 = old due + 7) never came.
    assert not ReminderItem.objects.filter(kind=K.ESCALATION_LEADER).exists()
    assert set(ReminderItem.objects.filter(recipient=world.mike).values_list("due_date", flat=True)) == {
        due(2),
        new_due,
    }


def test_a_changed_deadline_replans_too(world, policy, sweep):
    r = world.rectification(due_in=-3)
    assert items_for(sweep(0), world.mike) == [(K.OVERDUE, 2)]
    rectification_services.rectification_update(actor=world.alice, rectification=r, due_date=due(1), reason="调整")
    assert items_for(sweep(0), world.mike) == [(K.UPCOMING, -1)]


def test_a_closed_rectification_is_never_reminded(world, policy, sweep):
    world.rectification(state="closed", due_in=-8)
    world.rectification(state="submitted", due_in=-8)
    run = sweep(0)
    # Only the submitted (still open) one is reminded: one overdue step and its escalation.
    assert items_for(run, world.mike) == [(K.OVERDUE, 8)]
    assert ReminderItem.objects.filter(rectification__status="closed").count() == 0


def test_closing_stops_the_reminders(world, policy, sweep):
    r = world.rectification(state="submitted", due_in=-1)
    assert items_for(sweep(0), world.mike) == [(K.OVERDUE, 1)]
    rectification_services.rectification_close(actor=world.alice, rectification=r, note="核查属实")
    assert all(items_for(sweep(days), world.mike) == [] for days in range(1, 40))


def test_a_new_assignee_gets_the_current_reminder_and_the_old_one_nothing_more(world, policy, sweep):
    r = world.rectification(due_in=-3)
    assert items_for(sweep(0), world.mike) == [(K.OVERDUE, 2)]
    mary = UserFactory(username="mary", full_name="马丽")
    Membership.objects.create(user=mary, organization=world.a1, role=Role.MEMBER)
    rectification_services.rectification_update(actor=world.alice, rectification=r, assignee=mary)

    again = sweep(0)
    assert items_for(again, mary) == [(K.OVERDUE, 2)]
    assert items_for(again, world.mike) == []
    assert items_for(again, world.sam) == []

    later = sweep(1)
    assert items_for(later, mary) == [(K.OVERDUE, 4)]
    assert items_for(later, world.mike) == []


def test_a_day_missed_is_caught_up_once_with_the_most_relevant_reminder(world, policy, sweep):
    world.rectification(due_in=5)
    assert items_for(sweep(0), world.mike) == [(K.UPCOMING, -7)]
    # Down from day 1 to day 6: the "1 day before", "today" and "overdue day 1" reminders were never sent.
    assert items_for(sweep(7), world.mike) == [(K.OVERDUE, 2)]
    assert items_for(sweep(7), world.mike) == []
    assert items_for(sweep(8), world.mike) == []
    assert items_for(sweep(9), world.mike) == [(K.OVERDUE, 4)]


def test_a_stale_before_deadline_reminder_is_not_sent_after_the_deadline(world, policy, sweep):
    world.rectification(due_in=3)
    # First sweep ever, after the deadline: only the overdue step, never "7 days before".
    assert items_for(sweep(4), world.mike) == [(K.OVERDUE, 1)]


def test_the_yesterdays_missed_overdue_reminder_is_sent_today(world, policy, sweep):
    world.rectification(due_in=0)
    assert items_for(sweep(0), world.mike) == [(K.DUE_TODAY, 0)]
    # Day 1 (overdue day 1) missed; day 2 owes step 2, day 3 nothing new.
    assert items_for(sweep(2), world.mike) == [(K.OVERDUE, 2)]
    assert items_for(sweep(3), world.mike) == []


def test_weekly_summary_goes_to_leads_once_a_week_with_their_scope(world, sweep):
    world.rectification(due_in=-3)
    world.rectification(world.b1, due_in=3)

    monday = sweep(0)
    leo = ReminderItem.objects.get(run=monday, recipient=world.leo, kind=K.WEEKLY_SUMMARY)
    lena = ReminderItem.objects.get(run=monday, recipient=world.lena, kind=K.WEEKLY_SUMMARY)
    assert (leo.payload["open"], leo.payload["overdue"], leo.payload["due_soon"]) == (2, 1, 1)
    assert (lena.payload["open"], lena.payload["overdue"], lena.payload["due_soon"]) == (1, 1, 0)
    assert lena.payload["lagging"] == [{"organization_id": world.a1.pk, "name": world.a1.name, "overdue": 1}]
    # Staff, secretaries and assignees get no summary.
    assert ReminderItem.objects.filter(kind=K.WEEKLY_SUMMARY).count() == 2

    assert not ReminderItem.objects.filter(run=sweep(1), kind=K.WEEKLY_SUMMARY).exists()
    assert ReminderItem.objects.filter(run=sweep(7), kind=K.WEEKLY_SUMMARY).count() == 2
    note = Notification.objects.filter(recipient=world.lena, kind="reminder").first()
    assert note.title == "【每周汇总】本周整改情况"
    assert "逾期 1 项" in note.body


def test_a_missed_summary_day_is_caught_up_later_in_the_week(world, sweep):
    policy = ReminderPolicy.load()
    policy.weekly_summary_weekday = 2  # Wednesday
    policy.save()
    world.rectification(due_in=30)
    assert not ReminderItem.objects.filter(kind=K.WEEKLY_SUMMARY).exists()
    sweep(0)
    sweep(1)
    assert not ReminderItem.objects.filter(kind=K.WEEKLY_SUMMARY).exists()
    run = sweep(3)  # Thursday: the sweep was down on Wednesday
    assert ReminderItem.objects.filter(run=run, kind=K.WEEKLY_SUMMARY).count() == 2
    assert not ReminderItem.objects.filter(run=sweep(4), kind=K.WEEKLY_SUMMARY).exists()


def test_email_goes_only_to_people_who_want_it_and_have_an_address(world, policy, sweep, email_on):
    world.sam.email_notifications = False
    world.sam.save()
    world.rectification(due_in=-1)
    run = sweep(0)
    assert Delivery.objects.filter(run=run, channel=Channel.EMAIL).count() == 1
    assert [m.to for m in mail.outbox] == [[world.mike.email]]
    # Sam still has the in-app notification: that channel is always on.
    assert Notification.objects.filter(recipient=world.sam, kind="reminder").count() == 1


def test_no_email_without_an_address(world, policy, sweep, email_on):
    world.mike.email = ""
    world.mike.save()
    world.rectification(due_in=-1)
    sweep(0)
    assert [m.to for m in mail.outbox] == [[world.sam.email]]


@pytest.mark.parametrize("switch", ["setting", "policy"])
def test_email_switched_off_by_the_deployment_or_the_administrator(world, policy, sweep, email_on, settings, switch):
    if switch == "setting":
        settings.REMINDER_EMAIL_ENABLED = False
    else:
        policy.email_enabled = False
        policy.save()
    world.rectification(due_in=-1)
    run = sweep(0)
    assert mail.outbox == []
    assert not Delivery.objects.filter(channel=Channel.EMAIL).exists()
    assert run.notifications == 2


def test_inactive_people_are_not_reminded(world, policy, sweep):
    world.rectification(due_in=-1)
    world.mike.is_active = False
    world.mike.save()
    run = sweep(0)
    assert items_for(run, world.mike) == []
    assert items_for(run, world.sam) == [(K.OVERDUE, 1)]


def test_measures_of_an_archived_finding_are_not_reminded(world, policy, sweep):
    r = world.rectification(due_in=-1)
    type(r.finding).objects.filter(pk=r.finding_id).update(is_archived=True)
    assert sweep(0).items == 0


def test_the_sweep_costs_the_same_number_of_queries_for_5_and_40_measures(world, policy, clock, email_on):
    from partyreview.reminders.models import SweepTrigger
    from partyreview.reminders.services import reminders_sweep

    def count_queries(day: datetime.date) -> int:
        with CaptureQueriesContext(connection) as ctx:
            reminders_sweep(day=day, trigger=SweepTrigger.COMMAND)
        return len(ctx.captured_queries)

    for _ in range(5):
        world.finding(world.a1, due_in=-1)
    small = count_queries(due(0))
    for org in (world.a1, world.b1):
        world.finding(org, measures=20, due_in=-2)
    Rectification.objects.filter(due_date=due(-1)).update(due_date=due(-2))
    large = count_queries(due(0))
    assert ReminderItem.objects.filter(run__day=due(0)).count() > 40
    assert small == large
