"""The embedded default of ``make run``: no Redis, the filesystem transport between beat and the worker.
Beat ticks, the tick runs the day's sweep on its own, and the in-app notifications appear.

Needs PostgreSQL (the worker must open pytest's test database), not Redis.
"""

import time

import pytest

from partyreview.accounts.models import Notification
from partyreview.reminders.models import ReminderPolicy, SweepRun, SweepStatus, SweepTrigger
from tests.reminders.integration import build_overdue_world, wait_until, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_beat_and_a_worker_on_the_filesystem_broker_run_the_daily_sweep(processes, tmp_path):
    policy = ReminderPolicy.load()
    policy.sweep_hour = 0  # whatever the hour the test runs at, the day's sweep is due
    policy.weekly_summary_enabled = False
    policy.save()
    world = build_overdue_world(branches=1, assignees_per_branch=2, per_assignee=1, days_overdue=2, prefix="emb")
    processes.env = worker_env(
        WORKER_BROKER_URL="filesystem://",
        WORKER_BROKER_DIR=str(tmp_path / "broker"),
        REMINDER_TICK_SECONDS="1",
    )
    processes.worker("worker", queue="celery")
    processes.beat()

    wait_until(
        lambda: SweepRun.objects.filter(trigger=SweepTrigger.SCHEDULE, status=SweepStatus.DONE).exists(),
        timeout=90,
        message="a scheduled sweep",
    )
    run = SweepRun.objects.get(trigger=SweepTrigger.SCHEDULE)
    assert run.items == 4  # two measures, each to its assignee and the secretary
    people = [*world.assignees, *world.secretaries]
    notes = Notification.objects.filter(kind="reminder")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(u.pk for u in people)
    assert all(n.url == f"/reminders/digest/{run.pk}/" for n in notes)
    # Later ticks (one a second) the same day change nothing.
    time.sleep(3)
    assert "reminders-tick" in processes.started[-1].output()
    assert SweepRun.objects.count() == 1
