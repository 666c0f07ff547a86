"""Reminder tests run on a controlled clock: the world is built on Monday 2 March 2026, 09:00 in Beijing,
and ``clock.go(day)`` moves to 09:00 (or a given hour) of another day.

The personas are the shared ones (tests/conftest.py): Mike is the assignee of A1's measures and Sam its
secretary; Leo leads the committee and is every measure's responsible leader; Alice owns the inspection.
"""

import datetime
import uuid
import zoneinfo

import pytest

from partyreview.reminders.models import ReminderPolicy

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.date(2026, 3, 2)  # a Monday


class Clock:
    def __init__(self, machine) -> None:
        self.machine = machine
        self.go(START)

    def go(self, day: datetime.date, hour: int = 9, minute: int = 0) -> None:
        self.machine.move_to(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI), tick=False)

    def at(self, days: int, hour: int = 9) -> datetime.date:
        """Go to START + days and return that date."""
        day = START + datetime.timedelta(days=days)
        self.go(day, hour)
        return day


@pytest.fixture
def clock(time_machine) -> Clock:
    return Clock(time_machine)


@pytest.fixture
def world(clock, world):
    """The shared world, built with the clock already at START."""
    return world


@pytest.fixture
def policy(db) -> ReminderPolicy:
    """The default policy without the weekly summary, so a test of the deadline steps sees only those."""
    policy = ReminderPolicy.load()
    policy.weekly_summary_enabled = False
    policy.save()
    return policy


@pytest.fixture
def email_on(settings):
    settings.REMINDER_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def sweep(clock, django_capture_on_commit_callbacks):
    """``sweep(days)``: go to START + days at 09:00 and run the sweep, running what it queues on commit."""
    from partyreview.reminders.models import SweepTrigger
    from partyreview.reminders.services import reminders_sweep

    def run(days: int):
        day = clock.at(days)
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_sweep(day=day, trigger=SweepTrigger.COMMAND)

    return run


# ---- integration: real processes and servers (tests/reminders/test_integration_*.py) -----------------


@pytest.fixture
def smtp():
    from tests.reminders.servers import start_smtp

    controller, handler = start_smtp()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def robot():
    from tests.reminders.servers import RobotServer

    server = RobotServer().start()
    yield server
    server.stop()


@pytest.fixture
def broker_queue():
    """Tasks from this test process go to the real broker (TEST_REDIS_URL), on a queue of their own so
    that no other test run's worker takes them. Returns the queue name for the workers' ``-Q``."""
    import redis

    from partyreview.celery import app
    from tests.reminders.integration import require_redis

    url = require_redis()
    queue = f"reminders-it-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_always_eager, app.conf.task_default_queue = saved
    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def processes(tmp_path):
    from tests.reminders.integration import Processes, require_shared_database

    require_shared_database()
    started = Processes(tmp=tmp_path, env={})
    yield started
    started.stop()
