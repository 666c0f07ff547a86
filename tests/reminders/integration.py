"""Real processes for the integration tests: Celery workers (and beat) started as subprocesses against
the test database, and a data set of overdue measures built in bulk with the factories.

Only PostgreSQL works here: the worker is another process and must open the very database pytest made
(``test_<name>``); pytest's SQLite test database lives in memory, out of any other process's reach.
"""

import datetime
import os
import signal
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.inspections.models import Category
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.rectifications.models import Rectification
from tests.factories import FindingFactory, InspectionFactory, OrganizationFactory, RectificationFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _missing(reason: str) -> None:
    # On a developer's machine without the services, skip; in CI a skip would hide a missing service
    # behind a green run, so fail. CI runs these tests in its PostgreSQL phase, where both services are up,
    # and deselects them (-m "not integration") in its SQLite phase: scripts/test.sh says why.
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def require_shared_database() -> None:
    if connection.vendor == "sqlite":
        _missing("集成测试需要 PostgreSQL：工作进程无法打开 pytest 的内存 SQLite 测试库（设置 DATABASE_URL）")


def require_redis() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        _missing("TEST_REDIS_URL 未设置：先运行 scripts/test-services.sh start（make test 会自动设置）")
    return url


def database_url() -> str:
    """The URL of the database this test runs in (pytest's test_<name>), for the worker processes."""
    s = connection.settings_dict
    quote = urllib.parse.quote
    return f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'])}@{s['HOST']}:{s['PORT']}/{quote(s['NAME'])}"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not report {text!r}:\n{self.output()[-4000:]}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            # TERM is Celery's warm shutdown: the current task finishes, nothing is left half-sent.
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


@dataclass
class Processes:
    """Starts worker and beat processes; stops them all at the end of the test."""

    tmp: Path
    env: dict[str, str]
    started: list[Process] = field(default_factory=list)

    def _start(self, name: str, args: list[str]) -> Process:
        log = self.tmp / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "celery"), "-A", "partyreview", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = Process(name=name, popen=popen, log=log)
        self.started.append(process)
        return process

    def worker(self, name: str, *, queue: str, pool: str = "solo", concurrency: int = 1) -> Process:
        self.env["WORKER_QUEUE"] = queue
        process = self._start(
            name,
            [
                "worker",
                f"--pool={pool}",
                "-c",
                str(concurrency),
                "-Q",
                queue,
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
        )
        process.wait_for(" ready.")
        return process

    def beat(self, name: str = "beat") -> Process:
        return self._start(name, ["beat", "-l", "info", "--schedule", str(self.tmp / "celerybeat-schedule")])

    def stop(self) -> None:
        for process in reversed(self.started):
            process.stop()


def worker_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_", "REMINDER_", "PYTEST"))
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
            "DATABASE_URL": database_url(),
            "PARTYREVIEW_SITE_URL": "http://partyreview.test",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def wait_until(condition: Callable[[], bool], *, timeout: float = 60, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s: {message}")


# ---- data -------------------------------------------------------------------------------------------


@dataclass
class OverdueWorld:
    committee: Organization
    branches: list[Organization]
    staff: User
    secretaries: list[User]
    leaders: list[User]
    assignees: list[User]
    rectifications: int


def build_overdue_world(
    *, branches: int, assignees_per_branch: int, per_assignee: int, days_overdue: int, prefix: str = "it"
) -> OverdueWorld:
    """A committee with ``branches`` branches, each with a secretary, a responsible leader and
    ``assignees_per_branch`` assignees holding ``per_assignee`` measures, all ``days_overdue`` days late.
    Rows are bulk-created: fast for a thousand measures, and with every address an e-mail."""
    category, _ = Category.objects.get_or_create(code="other", defaults={"name": "其他"})
    committee = OrganizationFactory(name="集成测试党委", kind=OrganizationKind.COMMITTEE)
    staff = _person(f"{prefix}-staff", committee, Role.STAFF)
    inspection = InspectionFactory(inspecting_org=committee, created_by=staff)
    inspection.owners.add(staff)
    due = local_today() - datetime.timedelta(days=days_overdue)
    world = OverdueWorld(committee, [], staff, [], [], [], 0)
    rows = []
    sequence = 0
    for b in range(branches):
        branch = OrganizationFactory(name=f"集成测试第{b + 1}党支部", parent=committee)
        world.branches.append(branch)
        world.secretaries.append(_person(f"{prefix}-sec{b}", branch, Role.SECRETARY))
        leader = _person(f"{prefix}-lead{b}", branch, Role.MEMBER)
        world.leaders.append(leader)
        for a in range(assignees_per_branch):
            assignee = _person(f"{prefix}-b{b}a{a}", branch, Role.MEMBER)
            world.assignees.append(assignee)
            sequence += 1
            finding = FindingFactory(
                inspection=inspection,
                organization=branch,
                category=category,
                created_by=staff,
                sequence=sequence,
                found_on=due - datetime.timedelta(days=30),
            )
            rows.extend(
                RectificationFactory.build(
                    finding=finding,
                    number=n + 1,
                    responsible_org=branch,
                    responsible_leader=leader,
                    assignee=assignee,
                    created_by=staff,
                    due_date=due,
                )
                for n in range(per_assignee)
            )
    Rectification.objects.bulk_create(rows, batch_size=500)
    world.rectifications = len(rows)
    return world


def _person(username: str, org: Organization, role: str) -> User:
    user = UserFactory(username=username, email=f"{username}@example.org")
    Membership.objects.create(user=user, organization=org, role=role)
    return user
