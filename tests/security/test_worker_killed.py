"""A Celery worker killed with SIGKILL in the middle of a task: the task comes back, and its work is done
exactly once — nothing lost, nothing twice.

Real processes throughout: PostgreSQL (pytest's test database), Redis as the broker, Celery workers as
subprocesses (tests/reminders/integration.py), an SMTP server for the reminders. The settings under test
are the production ones: ``acks_late`` (a message is acknowledged only once its task has returned),
``reject_on_worker_lost`` and a prefetch of one. Two ways a worker dies:

- **its pool process is killed** (the out-of-memory killer, or someone's ``kill -9`` of a stuck task):
  the worker's main process sees its child die and puts the message back at once;
- **the whole worker is killed** (the machine or container goes away): nobody puts the message back;
  Redis hands it to another worker once its visibility timeout has passed — an hour in production,
  a few seconds here (WORKER_VISIBILITY_TIMEOUT in tests/reminders/worker_settings.py).

Each test stops the worker at a chosen point (tests/security/worker_pauses.py), looks at the database
and the broker to see that it is really there — in the middle of an open transaction, or committed but
unacknowledged — kills it there, and then checks the end state. Needs PostgreSQL and TEST_REDIS_URL.
"""

import collections
import datetime
import io
import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Notification
from partyreview.inspections.models import Finding
from partyreview.intake import services as office
from partyreview.intake.models import ImportBatch, ImportStatus
from partyreview.rectifications.models import Rectification
from partyreview.reminders import services as reminders
from partyreview.reminders import tasks as reminder_tasks
from partyreview.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    ReminderItem,
    SweepRun,
    SweepTrigger,
)
from tests.intake.template_workbooks import row, xlsx
from tests.reminders import conftest as reminder_fixtures
from tests.reminders.integration import Process, build_overdue_world, require_redis, wait_until, worker_env
from tests.security.worker_pauses import marker_name

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The integration fixtures of tests/reminders: worker processes, the test's own Redis queue, an SMTP server.
processes = reminder_fixtures.processes
broker_queue = reminder_fixtures.broker_queue
smtp = reminder_fixtures.smtp
policy = reminder_fixtures.policy

IMPORT_TASK = "partyreview.intake.tasks.import_batch_run"
EMAIL_TASK = "partyreview.reminders.tasks.deliver_email"
SWEEP_TASK = "partyreview.reminders.tasks.reminders_sweep"
FINDINGS = 40  # two measures each; the worker is stopped half-way through
# Long enough for a healthy task to finish before Redis would hand its message out again.
VISIBILITY_TIMEOUT = "5"


# ---- pausing and killing ----------------------------------------------------------------------------


@dataclass
class Paused:
    point: str
    pid: int
    args: list


@dataclass
class PauseDir:
    directory: Path
    killed: set[int] = field(default_factory=set)

    def wait(self, point: str, worker: Process, timeout: float = 60) -> Paused:
        """Wait until some process of ``worker`` stops at ``point``."""
        marker = self.directory / marker_name(point)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker.exists():
                data = json.loads(marker.read_text())
                return Paused(point=point, pid=data["pid"], args=data["args"])
            if worker.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{worker.name} never reached {point}:\n{worker.output()[-4000:]}")

    def kill_pool_process(self, worker: Process, pid: int) -> None:
        """kill -9 the pool process running the task; the worker's main process lives on."""
        assert pid in pool_processes(worker), "not a pool process of this worker"
        self.killed.add(pid)
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not alive(pid), timeout=20, message="the pool process gone")

    def kill_worker(self, worker: Process, paused: Paused) -> None:
        """kill -9 the whole worker (a solo pool: the task runs in the worker's one process)."""
        assert paused.pid == worker.popen.pid, "not the worker's main process"
        self.killed.add(paused.pid)
        worker.popen.send_signal(signal.SIGKILL)
        worker.popen.wait(timeout=20)

    def kill_leftovers(self) -> None:
        """A test that failed before its kill leaves a paused process: end it, so that it does not hold a
        connection to the test database."""
        for marker in self.directory.glob("*.json"):
            pid = json.loads(marker.read_text())["pid"]
            if pid not in self.killed and alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def pauses(processes, tmp_path):
    directory = tmp_path / "pauses"
    directory.mkdir()
    paused = PauseDir(directory)
    yield paused
    paused.kill_leftovers()


def _stat(pid: int) -> list[str]:
    # /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after its ")".
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def parent_of(pid: int) -> int:
    return int(_stat(pid)[1])


def pool_processes(worker: Process) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and parent_of(int(entry.name)) == worker.popen.pid:
                children.append(int(entry.name))
        except FileNotFoundError:
            pass
    return children


def alive(pid: int) -> bool:
    """Running, not gone and not a zombie (the worker's main process reaps a dead pool process when it
    next looks, which may take a few seconds)."""
    try:
        return _stat(pid)[0] != "Z"
    except FileNotFoundError:
        return False


# ---- what the database and the broker show ----------------------------------------------------------


def others_in_transaction(writing_to: type | None = None) -> int:
    """Other sessions of the test database inside an open transaction — one that has written to the table
    of ``writing_to``, if given. What they wrote is invisible from here until they commit."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity a WHERE a.datname = current_database() "
        "AND a.pid <> pg_backend_pid() AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')"
    )
    params = []
    if writing_to is not None:
        sql += (
            " AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = %s::regclass"
            " AND l.mode = 'RowExclusiveLock')"
        )
        params.append(writing_to._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for_rollback() -> None:
    # The server sees the dead worker's socket close and rolls its transaction back.
    wait_until(lambda: others_in_transaction() == 0, timeout=20, message="the killed worker's transaction gone")


@dataclass
class Broker:
    queue: str

    def __post_init__(self) -> None:
        import redis

        self.client = redis.Redis.from_url(require_redis())

    def waiting(self) -> int:
        return self.client.llen(self.queue)

    def unacknowledged(self) -> int:
        """Messages of our queue that a worker took and has not acknowledged (kombu's ``unacked`` hash:
        delivery tag → [message, exchange, routing key])."""
        return sum(1 for raw in self.client.hvals("unacked") if json.loads(raw)[2] == self.queue)

    def settled(self) -> bool:
        return self.waiting() == 0 and self.unacknowledged() == 0


def wait_for_settled(broker: Broker) -> None:
    """Wait until no message of the test is waiting or taken, and stays so: then no task is left that could
    still send or write anything. (Redis pops a message before kombu records it as taken; the second look
    covers that instant.)"""
    wait_until(broker.settled, timeout=30, message="every message acknowledged")
    time.sleep(0.5)
    assert broker.settled(), "a message came back"


@pytest.fixture
def broker(broker_queue) -> Broker:
    return Broker(broker_queue)


def succeeded(worker: Process, task: str) -> int:
    """How many runs of ``task`` the worker's log reports as finished (a killed run reports nothing)."""
    return sum(1 for line in worker.output().splitlines() if f"Task {task}[" in line and "] succeeded in " in line)


# ---- the Excel import ---------------------------------------------------------------------------------


def queue_import(world) -> ImportBatch:
    """Upload a list of FINDINGS findings with two measures each and confirm it: the task goes to Redis."""
    rows = []
    for n in range(1, FINDINGS + 1):
        rows.append(row(序号=n, 问题描述=f"第{n}个问题：支部未按期召开党员大会", 整改措施="制定季度会议计划"))
        rows.append(row(序号=n, 问题描述=f"第{n}个问题：支部未按期召开党员大会", 整改措施="补开党员大会"))
    batch = office.import_batch_create(
        actor=world.alice, inspection=world.inspection, upload=io.BytesIO(xlsx(*rows)), name="问题清单.xlsx"
    )
    return office.import_batch_queue(actor=world.alice, batch=batch)


def import_workers(processes, settings, pauses, **env: str) -> None:
    processes.env = worker_env(
        WORKER_MEDIA_ROOT=str(settings.MEDIA_ROOT), WORKER_PAUSE_DIR=str(pauses.directory), **env
    )


def assert_imported_exactly_once(world, batch: ImportBatch) -> None:
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.error
    assert (batch.findings_created, batch.measures_created, batch.findings_skipped) == (FINDINGS, 2 * FINDINGS, 0)
    assert not batch.file, "the stored upload is removed once imported"
    findings = Finding.objects.filter(inspection=world.inspection)
    assert sorted(findings.values_list("sequence", flat=True)) == list(range(1, FINDINGS + 1))
    measures = Rectification.objects.filter(finding__inspection=world.inspection)
    assert measures.count() == 2 * FINDINGS
    assert Finding.history.filter(history_type="+").count() == FINDINGS
    assert Rectification.history.filter(history_type="+").count() == 2 * FINDINGS
    # The assignee and the branch secretary each told once of all their new measures (one notice per person).
    assigned = Notification.objects.filter(kind="assigned")
    assert sorted(assigned.values_list("recipient", flat=True)) == sorted([world.mike.pk, world.sam.pk])
    # The person who confirmed hears of the outcome once, and of no failure.
    told = Notification.objects.filter(recipient=world.alice)
    assert list(told.values_list("kind", flat=True)) == ["import_done"]
    assert told.get().body == f"新建问题 {FINDINGS} 个、整改措施 {2 * FINDINGS} 项。"


def test_an_import_whose_pool_process_is_killed_mid_transaction_and_again_after_its_commit_imports_once(
    processes, broker, pauses, world, settings
):
    half_way = f"finding:{FINDINGS // 2}"
    import_workers(processes, settings, pauses, WORKER_PAUSE=f"{half_way},import-committed")
    worker = processes.worker("worker", queue=broker.queue, pool="prefork", concurrency=1)
    batch = queue_import(world)

    # Killed half-way: the findings written so far are in a transaction not yet committed.
    paused = pauses.wait(half_way, worker)
    assert others_in_transaction(writing_to=Finding) == 1
    assert not Finding.objects.exists()
    assert broker.unacknowledged() == 1
    pauses.kill_pool_process(worker, paused.pid)

    # The worker puts the message back at once; a new pool process imports everything and commits — and is
    # killed before the worker acknowledges the message.
    paused = pauses.wait("import-committed", worker)
    assert ImportBatch.objects.get(pk=batch.pk).is_imported
    assert Finding.objects.count() == FINDINGS
    assert broker.unacknowledged() == 1
    pauses.kill_pool_process(worker, paused.pid)

    # The third run finds the batch imported and does nothing.
    wait_until(lambda: succeeded(worker, IMPORT_TASK) == 1, timeout=60, message="the third run done")
    wait_for_settled(broker)
    assert worker.output().count("raised error: WorkerLostError") == 2
    assert worker.popen.poll() is None, "the worker itself lives on"
    assert_imported_exactly_once(world, batch)


def test_an_import_whose_worker_is_killed_mid_transaction_is_run_by_another_worker_and_imports_once(
    processes, broker, pauses, world, settings
):
    half_way = f"finding:{FINDINGS // 2}"
    import_workers(processes, settings, pauses, WORKER_PAUSE=half_way)
    first = processes.worker("first", queue=broker.queue)

    batch = queue_import(world)
    paused = pauses.wait(half_way, first)
    assert others_in_transaction(writing_to=Finding) == 1
    pauses.kill_worker(first, paused)

    # Everything the dead worker wrote is rolled back; the batch still waits, its message with it.
    wait_for_rollback()
    assert not Finding.objects.exists() and not Rectification.objects.exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.IMPORTING
    assert broker.unacknowledged() == 1 and broker.waiting() == 0

    import_workers(processes, settings, pauses, WORKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT)
    second = processes.worker("second", queue=broker.queue)
    wait_until(lambda: succeeded(second, IMPORT_TASK) == 1, timeout=60, message="the import done by the second")
    wait_for_settled(broker)
    assert_imported_exactly_once(world, batch)


# ---- reminders ------------------------------------------------------------------------------------------


REQUEUE_AFTER_SECONDS = 1  # the workers' REMINDER_REQUEUE_AFTER_SECONDS: 30 minutes in production


def tick_once_past_the_grace(deliveries) -> None:
    """Queue one tick (beat sends one every 10 minutes) once ``deliveries`` were last touched longer than
    the grace period ago, as they would be by the first tick after a real one."""
    latest = deliveries.aggregate(latest=Max("updated_at"))["latest"]
    wait_until(
        lambda: timezone.now() - latest > datetime.timedelta(seconds=REQUEUE_AFTER_SECONDS + 0.5),
        timeout=10,
        message="the grace period over",
    )
    reminder_tasks.reminders_tick.delay()


def reminder_workers(processes, smtp, pauses, **env: str) -> None:
    processes.env = worker_env(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_TIMEOUT="5",
        WORKER_PAUSE_DIR=str(pauses.directory),
        **env,
    )


def test_a_sweep_killed_before_and_after_its_commit_mails_everyone_once(processes, broker, pauses, smtp, policy):
    world = build_overdue_world(branches=1, assignees_per_branch=3, per_assignee=2, days_overdue=3, prefix="kill")
    people = [*world.assignees, *world.secretaries]
    reminder_workers(processes, smtp, pauses, WORKER_PAUSE="sweep-claimed")
    first = processes.worker("first", queue=broker.queue)
    reminder_tasks.reminders_sweep.delay(trigger=SweepTrigger.COMMAND)

    # The whole worker is killed with every reminder claimed and every delivery written, uncommitted.
    paused = pauses.wait("sweep-claimed", first)
    assert others_in_transaction(writing_to=ReminderItem) == 1
    assert others_in_transaction(writing_to=Delivery) == 1
    pauses.kill_worker(first, paused)
    wait_for_rollback()
    assert not SweepRun.objects.exists() and not ReminderItem.objects.exists() and not Delivery.objects.exists()
    assert not Notification.objects.exists()
    assert broker.unacknowledged() == 1

    # Redis hands the message to the next worker. Its sweep commits, and its pool process is killed before
    # the deliveries are queued and before the message is acknowledged.
    reminder_workers(
        processes,
        smtp,
        pauses,
        WORKER_PAUSE="sweep-committed",
        WORKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
        REMINDER_REQUEUE_AFTER_SECONDS=str(REQUEUE_AFTER_SECONDS),
    )
    second = processes.worker("second", queue=broker.queue, pool="prefork", concurrency=1)
    paused = pauses.wait("sweep-committed", second)
    claimed = SweepRun.objects.get()
    assert claimed.items == ReminderItem.objects.count() == 2 * 6  # each measure: its assignee and the secretary
    assert set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {"pending"}
    assert broker.waiting() == 0 and broker.unacknowledged() == 1
    pauses.kill_pool_process(second, paused.pid)

    # The message comes back once more: that sweep finds every reminder taken and claims nothing.
    wait_until(lambda: succeeded(second, SWEEP_TASK) == 1, timeout=60, message="the third sweep done")
    assert list(SweepRun.objects.exclude(pk=claimed.pk).values_list("items", flat=True)) == [0]
    assert smtp.received == []

    # The next tick finds the claimed deliveries still pending and queues them: one mail for each person.
    tick_once_past_the_grace(Delivery.objects.filter(channel=Channel.EMAIL))
    wait_until(lambda: len(smtp.received) >= len(people), timeout=60, message="the reminder mails")
    wait_for_settled(broker)

    assert collections.Counter(m.to[0] for m in smtp.received) == {u.email: 1 for u in people}
    assert ReminderItem.objects.exclude(run=claimed).count() == 0
    notes = Notification.objects.filter(kind="reminder")
    assert sorted(notes.values_list("recipient", flat=True)) == sorted(u.pk for u in people)
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert set(emails.values_list("run", "status", "attempts")) == {(claimed.pk, DeliveryStatus.SENT, 1)}


def test_e_mail_deliveries_whose_pool_process_is_killed_before_and_after_sending_each_go_once(
    processes, broker, pauses, smtp, settings, policy
):
    settings.REMINDER_EMAIL_ENABLED = True
    world = build_overdue_world(branches=1, assignees_per_branch=3, per_assignee=2, days_overdue=3, prefix="kill")
    people = [*world.assignees, *world.secretaries]
    reminder_workers(processes, smtp, pauses, WORKER_PAUSE=f"prerun:{EMAIL_TASK},postrun:{EMAIL_TASK}")
    worker = processes.worker("worker", queue=broker.queue, pool="prefork", concurrency=1)

    run = reminders.reminders_sweep(trigger=SweepTrigger.COMMAND)
    assert run.emails == len(people)

    # Killed before the task took its delivery: it is still pending, nothing was sent.
    before = pauses.wait(f"prerun:{EMAIL_TASK}", worker)
    (first_id,) = before.args
    assert Delivery.objects.get(pk=first_id).status == DeliveryStatus.PENDING
    assert broker.unacknowledged() == 1
    pauses.kill_pool_process(worker, before.pid)

    # Killed after a send: the mail is out and recorded as sent, the message not yet acknowledged.
    after = pauses.wait(f"postrun:{EMAIL_TASK}", worker)
    (sent_id,) = after.args
    sent = Delivery.objects.get(pk=sent_id)
    assert sent.status == DeliveryStatus.SENT
    assert [m.to[0] for m in smtp.received].count(sent.recipient.email) == 1
    assert broker.unacknowledged() == 1
    pauses.kill_pool_process(worker, after.pid)

    wait_until(
        lambda: not Delivery.objects.filter(channel=Channel.EMAIL).exclude(status=DeliveryStatus.SENT).exists(),
        timeout=60,
        message="every e-mail delivery sent",
    )
    wait_for_settled(broker)

    assert worker.output().count("raised error: WorkerLostError") == 2
    assert collections.Counter(m.to[0] for m in smtp.received) == {u.email: 1 for u in people}
    # Each delivery was taken once: the repeated task of the sent one found it done.
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert set(emails.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


def test_an_e_mail_whose_pool_process_is_killed_mid_conversation_is_not_sent_again_and_shows_as_failed(
    processes, broker, pauses, smtp, settings, client, policy
):
    """The one case where "never twice" wins over "never lost" (docs/decisions/reminders-exactly-once.md):
    the mail server has the message, the worker dies before it hears "250"."""
    settings.REMINDER_EMAIL_ENABLED = True
    world = build_overdue_world(branches=1, assignees_per_branch=1, per_assignee=1, days_overdue=3, prefix="kill")
    people = [*world.assignees, *world.secretaries]
    smtp.hold_replies = True
    reminder_workers(processes, smtp, pauses, REMINDER_REQUEUE_AFTER_SECONDS=str(REQUEUE_AFTER_SECONDS))
    worker = processes.worker("worker", queue=broker.queue, pool="prefork", concurrency=1)

    reminders.reminders_sweep(trigger=SweepTrigger.COMMAND)
    wait_until(lambda: smtp.held == 1, timeout=60, message="a message waiting for its reply")
    in_flight = Delivery.objects.get(channel=Channel.EMAIL, status=DeliveryStatus.SENDING)
    assert [m.to[0] for m in smtp.received] == [in_flight.recipient.email]
    (pool_process,) = pool_processes(worker)
    pauses.kill_pool_process(worker, pool_process)
    smtp.hold_replies = False

    # The message comes back; its task finds the delivery taken and leaves it; the other one goes out.
    wait_until(lambda: succeeded(worker, EMAIL_TASK) == 2, timeout=60, message="both e-mail tasks done")
    wait_for_settled(broker)
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.attempts) == (DeliveryStatus.SENDING, 1)

    # The next tick, past the grace period, marks it failed for staff to decide on; nothing is resent.
    tick_once_past_the_grace(Delivery.objects.filter(pk=in_flight.pk))
    wait_until(
        lambda: Delivery.objects.get(pk=in_flight.pk).status == DeliveryStatus.FAILED,
        timeout=30,
        message="the interrupted delivery marked failed",
    )
    wait_for_settled(broker)
    assert collections.Counter(m.to[0] for m in smtp.received) == {u.email: 1 for u in people}
    assert "无法确认是否已送达" in Delivery.objects.get(pk=in_flight.pk).last_error
    client.force_login(world.staff)
    page = client.get(reverse("reminders:status")).content.decode()
    assert "无法确认是否已送达" in page and "重发失败的投递（1）" in page
