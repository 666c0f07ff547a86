"""Reminders end to end with real services: Redis as the broker, Celery workers as separate processes,
an SMTP server (aiosmtpd) and an HTTP server standing in for the group robots. Every assertion is on what
those servers received.

Needs PostgreSQL and TEST_REDIS_URL (``make test`` provides both; see scripts/test-services.sh).
"""

import collections
import re
import time

import pytest
from django.urls import reverse

from partyreview.reminders import services
from partyreview.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    OrgWebhook,
    ReminderItem,
    SweepRun,
    SweepStatus,
    SweepTrigger,
)
from tests.reminders.integration import build_overdue_world, wait_until, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_workers(processes, queue, smtp, count: int = 1, **env):
    processes.env = worker_env(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_TIMEOUT="5",
        REMINDER_RETRY_BACKOFF_SECONDS="1",
        REMINDER_RETRY_BACKOFF_MAX_SECONDS="2",
        **env,
    )
    return [processes.worker(f"worker{i + 1}", queue=queue) for i in range(count)]


def settle(seconds: float = 2.0) -> None:
    """Give a duplicate, if there were one, the time to arrive before counting."""
    time.sleep(seconds)


def test_a_worker_delivers_mail_and_robot_messages_through_redis(
    processes, broker_queue, smtp, robot, settings, policy
):
    settings.REMINDER_EMAIL_ENABLED = True
    world = build_overdue_world(branches=1, assignees_per_branch=2, per_assignee=2, days_overdue=1)
    OrgWebhook.objects.create(organization=world.committee, name="党委群", kind="wecom", url=robot.url("/wecom"))
    OrgWebhook.objects.create(
        organization=world.branches[0],
        name="支部群",
        kind="dingtalk",
        url=robot.url("/ding?access_token=t"),
        secret="SECx",
    )
    start_workers(processes, broker_queue, smtp)

    run = services.reminders_sweep(trigger=SweepTrigger.COMMAND)

    # Two assignees (2 measures each) and the secretary (all 4): one mail each.
    wait_until(lambda: len(smtp.received) >= 3 and len(robot.requests) >= 2, message="mail and robot messages")
    settle()
    assert sorted(m.to[0] for m in smtp.received) == sorted(u.email for u in [*world.assignees, *world.secretaries])
    secretary_mail = next(m for m in smtp.received if m.to == [world.secretaries[0].email])
    assert secretary_mail.subject == "【整改提醒】4 项整改措施已逾期"
    links = re.findall(r"http://partyreview\.test/rectifications/(\d+)/", secretary_mail.text)
    assert len(set(links)) == 4
    assert "http://partyreview.test/rectifications/" in secretary_mail.html
    assert sorted(r.path for r in robot.requests) == ["/ding", "/wecom"]
    ding = next(r for r in robot.requests if r.path == "/ding")
    assert ding.query["access_token"] == "t" and ding.query["sign"] and ding.query["timestamp"]
    assert ding.payload["markdown"]["text"].count("http://partyreview.test/rectifications/") == 4
    wecom = next(r for r in robot.requests if r.path == "/wecom")
    assert wecom.payload["msgtype"] == "markdown"
    assert set(Delivery.objects.filter(run=run).values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_two_workers_sweeping_at_once_deliver_every_message_exactly_once(
    processes, broker_queue, smtp, robot, settings, policy
):
    from partyreview.reminders import tasks

    world = build_overdue_world(branches=10, assignees_per_branch=10, per_assignee=10, days_overdue=10)
    assert world.rectifications == 1000
    OrgWebhook.objects.create(organization=world.committee, name="党委群", kind="wecom", url=robot.url("/wecom"))
    OrgWebhook.objects.create(
        organization=world.branches[0], name="一支部群", kind="dingtalk", url=robot.url("/ding"), secret="SECy"
    )
    start_workers(processes, broker_queue, smtp, count=2)

    # Both workers take one sweep each, at the same moment.
    tasks.reminders_sweep.delay(trigger=SweepTrigger.COMMAND)
    tasks.reminders_sweep.delay(trigger=SweepTrigger.COMMAND)

    wait_until(lambda: SweepRun.objects.filter(status=SweepStatus.DONE).count() == 2, timeout=120, message="sweeps")
    first, second = SweepRun.objects.order_by("started_at")
    assert second.started_at < first.finished_at, "the two sweeps did not overlap"
    assert sorted([first.items, second.items]) == [0, 1000 + 1000 + 1000 + 1000 + 2000 + 200]

    people = [*world.assignees, *world.secretaries, *world.leaders, world.staff]
    wait_until(lambda: len(smtp.received) >= len(people) and len(robot.requests) >= 2, timeout=180, message="mail")
    settle(3)
    per_address = collections.Counter(m.to[0] for m in smtp.received)
    assert per_address == {u.email: 1 for u in people}
    assert len(robot.requests) == 2
    texts = {m.to[0]: m.text for m in smtp.received}
    assert all("【已逾期】10 项" in texts[u.email] for u in world.assignees)
    assert all("【已逾期】100 项" in texts[u.email] for u in world.secretaries)
    assert all("【逾期督办】100 项" in texts[u.email] for u in world.leaders)
    assert "【逾期督办】1000 项" in texts[world.staff.email]
    # Each assignee's ten measures are each listed once, in their one mail.
    for assignee in world.assignees:
        links = re.findall(r"/rectifications/(\d+)/", texts[assignee.email])
        assert len(links) == len(set(links)) == 10
    assert ReminderItem.objects.count() == first.items + second.items
    assert Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count() == len(people)


def test_a_mail_server_that_refuses_for_a_while_gets_every_message_once_and_failures_show(
    processes, broker_queue, smtp, settings, client, policy
):
    settings.REMINDER_EMAIL_ENABLED = True
    world = build_overdue_world(branches=2, assignees_per_branch=2, per_assignee=2, days_overdue=1)
    refused_for_good = world.assignees[0]
    smtp.refuse_all = True
    smtp.refuse_forever = {refused_for_good.email}
    start_workers(processes, broker_queue, smtp, REMINDER_SEND_MAX_ATTEMPTS="50")
    expected = sorted(u.email for u in [*world.assignees[1:], *world.secretaries])

    run = services.reminders_sweep(trigger=SweepTrigger.COMMAND)
    assert run.emails == 6

    # While the server refuses, the page shows each waiting delivery with the server's answer.
    def refused_and_waiting() -> bool:
        waiting = Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.RETRYING)
        return smtp.refused >= 5 and waiting.filter(last_error__contains="451").count() == 5

    wait_until(refused_and_waiting, timeout=60, message="451 refusals recorded")
    client.force_login(world.staff)
    page = client.get(reverse("reminders:status")).content.decode()
    assert "451" in page and "等待重试" in page
    assert "550" in page and "发送失败" in page
    assert smtp.received == []

    smtp.refuse_all = False
    wait_until(lambda: len(smtp.received) >= 5, timeout=60, message="mail after the server recovers")
    settle()
    assert sorted(m.to[0] for m in smtp.received) == expected
    failed = Delivery.objects.get(channel=Channel.EMAIL, status=DeliveryStatus.FAILED)
    assert failed.recipient == refused_for_good and "550" in failed.last_error
    page = client.get(reverse("reminders:status")).content.decode()
    assert "mailbox unavailable" in page and "重发失败的投递（1）" in page

    # The mailbox is fixed; staff press "retry" and the one message goes, once.
    smtp.refuse_forever = set()
    client.post(reverse("reminders:retry"))
    wait_until(lambda: len(smtp.received) >= 6, timeout=60, message="the retried mail")
    settle()
    assert collections.Counter(m.to[0] for m in smtp.received) == {e: 1 for e in [*expected, refused_for_good.email]}
    assert "没有失败的投递" in client.get(reverse("reminders:status")).content.decode()
