"""The reminders' pages: who may open them, and what they show and do."""

import pytest
from django.core import mail
from django.urls import reverse

from partyreview.accounts.models import Notification
from partyreview.reminders import channels, services
from partyreview.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    ReminderItem,
    ReminderKind,
    SweepRun,
    SweepTrigger,
)
from tests.reminders.conftest import START


@pytest.fixture
def swept(world, policy, clock, email_on, django_capture_on_commit_callbacks) -> SweepRun:
    """One overdue measure in A1, swept on START with every send done."""
    world.rectification(due_in=-2)
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)


# Staff anywhere and administrators see the status page; everyone else gets 404.
STATUS_PAGE = [
    ("alice", 200),
    ("gina", 200),
    ("root", 200),
    ("leo", 404),
    ("lena", 404),
    ("sam", 404),
    ("mike", 404),
    ("nobody", 404),
]


@pytest.mark.parametrize(("persona", "expected"), STATUS_PAGE)
def test_who_may_open_the_status_page(world, client_for, persona, expected):
    response = client_for(getattr(world, persona)).get(reverse("reminders:status"))
    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "expected"), STATUS_PAGE)
def test_who_may_retry_failed_deliveries(world, client_for, persona, expected):
    response = client_for(getattr(world, persona)).post(reverse("reminders:retry"))
    assert response.status_code == (302 if expected == 200 else 404)


def test_anonymous_visitors_are_sent_to_the_login(client):
    assert reverse("login") in client.get(reverse("reminders:status"))["Location"]


def test_status_page_shows_the_last_sweep_and_what_it_sent(swept, world, client_for):
    page = client_for(world.alice).get(reverse("reminders:status")).content.decode()
    assert swept.finished_at.astimezone().strftime("%Y-%m-%d") in page
    assert "站内通知 2" in page and "电子邮件 2" in page
    assert "没有失败的投递" in page


def test_failed_deliveries_are_listed_with_their_error_and_can_be_sent_again(
    world, policy, clock, email_on, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    world.rectification(due_in=-2)

    def refuse(**kwargs):
        raise channels.SendError("邮件服务器拒收（550）：mailbox unavailable", transient=False)

    monkeypatch.setattr(channels, "send_email", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    client = client_for(world.alice)
    page = client.get(reverse("reminders:status")).content.decode()
    assert page.count("mailbox unavailable") == 2
    assert "重发失败的投递（2）" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reminders:retry"), follow=True)
    assert "已重新发送 2 条失败的投递" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.mike.email, world.sam.email])
    assert set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert "没有失败的投递" in client.get(reverse("reminders:status")).content.decode()


def test_only_an_administrator_may_run_a_sweep_from_the_page(world, policy, clock, client_for):
    world.rectification(due_in=-2)
    response = client_for(world.alice).post(reverse("reminders:sweep"), follow=True)
    assert "只有系统管理员" in response.content.decode()
    assert not SweepRun.objects.exists()

    response = client_for(world.root).post(reverse("reminders:sweep"), follow=True)
    assert "已提交提醒扫描" in response.content.decode()
    run = SweepRun.objects.get()
    assert (run.trigger, run.triggered_by, run.items) == (SweepTrigger.MANUAL, world.root, 2)


def test_the_status_page_costs_the_same_queries_for_few_and_many_deliveries(
    world, policy, clock, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.alice)
    world.rectification(due_in=-2)
    services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reminders:status"))
    for _ in range(6):
        world.finding(world.b1, measures=3, due_in=-1)
        services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    Delivery.objects.update(status=DeliveryStatus.FAILED, last_error="x")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reminders:status"))
    assert len(many.captured_queries) == len(few.captured_queries)


# ---- a person's digest and preferences ----------------------------------------------------------------


def test_the_notification_links_to_a_digest_listing_every_item(swept, world, client_for):
    note = Notification.objects.get(recipient=world.mike, kind="reminder")
    page = client_for(world.mike).get(note.url).content.decode()
    r = world.mike.rectifications_assigned.get()
    assert reverse("rectifications:detail", args=[r.pk]) in page
    assert "逾期 2 天" in page


@pytest.mark.parametrize(
    ("persona", "expected"), [("mike", 200), ("sam", 200), ("alice", 404), ("sara", 404), ("leo", 404)]
)
def test_a_digest_is_seen_only_by_its_recipient(swept, world, client_for, persona, expected):
    response = client_for(getattr(world, persona)).get(reverse("reminders:digest", args=[swept.pk]))
    assert response.status_code == expected


def test_a_person_switches_email_reminders_off_and_on(world, client_for):
    client = client_for(world.sam)
    assert client.get(reverse("reminders:preferences")).status_code == 200
    client.post(reverse("reminders:preferences"), {})
    world.sam.refresh_from_db()
    assert world.sam.email_notifications is False
    client.post(reverse("reminders:preferences"), {"email_notifications": "on"})
    world.sam.refresh_from_db()
    assert world.sam.email_notifications is True


def test_the_policy_admin_opens_the_single_policy(world, client_for):
    client = client_for(world.root)
    response = client.get(reverse("admin:reminders_reminderpolicy_changelist"))
    assert response.status_code == 302 and response["Location"].endswith("/reminderpolicy/1/change/")
    assert client.get(response["Location"]).status_code == 200


def test_the_admin_lists_a_report_reminder_with_its_inspection(world, policy, sweep, client_for):
    sweep(39 - 14)
    item = ReminderItem.objects.get(kind=ReminderKind.REPORT_DUE)
    page = client_for(world.root).get(reverse("admin:reminders_reminderitem_changelist"))
    assert page.status_code == 200 and world.inspection.title in page.content.decode()
    detail = client_for(world.root).get(reverse("admin:reminders_reminderitem_change", args=[item.pk]))
    assert detail.status_code == 200
    policy_page = client_for(world.root).get(reverse("admin:reminders_reminderpolicy_change", args=[policy.pk]))
    assert "立行立改到期前提醒" in policy_page.content.decode() and "整改报告期限前提醒" in policy_page.content.decode()
