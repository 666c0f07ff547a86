"""Beat's tick: the day's sweep once the configured hour has passed, once a day, caught up after downtime."""

import datetime

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from partyreview.reminders import selectors, services, tasks
from partyreview.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    ReminderKind,
    ReminderPolicy,
    SweepRun,
    SweepStatus,
    SweepTrigger,
)
from tests.reminders.conftest import START
from tests.reminders.helpers import due, items_for


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_tick()

    return run


def test_the_tick_waits_for_the_hour_then_sweeps_once_a_day(world, policy, clock, tick):
    world.rectification(due_in=-1)
    clock.go(START, hour=7, minute=59)
    assert tick() is None
    assert not SweepRun.objects.exists()

    clock.go(START, hour=8, minute=0)
    run = tick()
    assert run.trigger == SweepTrigger.SCHEDULE and run.day == START and run.items == 2

    for hour in (8, 12, 23):
        clock.go(START, hour=hour, minute=30)
        assert tick() is None
    assert SweepRun.objects.count() == 1


def test_a_changed_hour_takes_effect_without_a_restart(world, policy, clock, tick):
    policy.sweep_hour = 10
    policy.save()
    clock.go(START, hour=9, minute=50)
    assert tick() is None
    clock.go(START, hour=10, minute=0)
    assert tick() is not None


def test_the_first_tick_after_downtime_catches_up(world, policy, clock, tick):
    world.rectification(due_in=1)
    clock.go(START, hour=8)
    assert items_for(tick(), world.mike) == [(ReminderKind.UPCOMING, -1)]
    # The machine was off for three days; it comes back at 15:20 on day 4.
    clock.go(due(4), hour=15, minute=20)
    run = tick()
    assert run.day == due(4)
    assert items_for(run, world.mike) == [(ReminderKind.OVERDUE, 2)]
    assert SweepRun.objects.count() == 2


def test_the_beat_task_runs_the_tick(world, policy, clock, django_capture_on_commit_callbacks):
    world.rectification(due_in=0)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reminders_tick.delay()
    assert SweepRun.objects.get().items == 2


def test_a_sweep_that_met_a_locked_database_tells_the_status_page_in_chinese(world, policy, clock, tick, monkeypatch):
    world.rectification(due_in=-1)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "reminder_plan", locked)
    with pytest.raises(OperationalError):
        tick()
    failed = SweepRun.objects.get()
    assert "数据库暂时不可用" in failed.error and "locked" not in failed.error


def test_a_failed_sweep_is_recorded_and_tried_again_at_the_next_tick(world, policy, clock, tick, monkeypatch):
    world.rectification(due_in=-1)
    real_plan = selectors.reminder_plan

    def broken(**kwargs):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(selectors, "reminder_plan", broken)
    with pytest.raises(RuntimeError):
        tick()
    failed = SweepRun.objects.get()
    assert failed.status == SweepStatus.FAILED and failed.error == "发生内部错误，详细信息见工作进程日志。"
    assert not failed.reminder_items.exists()

    monkeypatch.setattr(selectors, "reminder_plan", real_plan)
    clock.go(START, hour=9, minute=10)
    run = tick()
    assert run.status == SweepStatus.DONE and run.items == 2


def test_a_delivery_whose_task_was_lost_is_queued_again(world, policy, clock, email_on, tick):
    world.rectification(due_in=-1)
    # The sweep ran while the broker was down: the rows are there, the tasks are not.
    run = services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    email = Delivery.objects.get(run=run, channel=Channel.EMAIL, recipient=world.mike)
    assert email.status == DeliveryStatus.PENDING and mail.outbox == []

    clock.go(START, hour=9, minute=20)
    tick()
    assert mail.outbox == []  # still within the grace period: its task may just be queued

    clock.go(START, hour=10, minute=0)
    tick()
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.mike.email, world.sam.email])

    clock.go(START, hour=11, minute=0)
    tick()
    assert len(mail.outbox) == 2


def test_a_send_interrupted_midway_is_marked_failed_not_resent(world, policy, clock, email_on, tick):
    world.rectification(due_in=-1)
    run = services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    Delivery.objects.filter(run=run, channel=Channel.EMAIL).update(
        status=DeliveryStatus.SENDING, attempts=1, updated_at=timezone.now() - datetime.timedelta(hours=2)
    )
    clock.go(START, hour=10)
    tick()
    assert mail.outbox == []
    stuck = Delivery.objects.filter(run=run, channel=Channel.EMAIL)
    assert {d.status for d in stuck} == {DeliveryStatus.FAILED}
    assert all("无法确认是否已送达" in d.last_error for d in stuck)


def test_the_policy_singleton_is_created_when_missing(db):
    ReminderPolicy.objects.all().delete()
    policy = ReminderPolicy.load()
    assert (policy.pk, policy.days_before, policy.sweep_hour) == (1, "7,1,0", 8)
