"""Personas shared by every test.

The world: one committee (党委) with two general branches (机关党总支 A, 生产党总支 B); branches A1 and A2
under A, B1 under B.

- Alice is staff (党务工作人员) of the committee: she covers everything.
- Gina is staff of general branch A only: A, A1, A2 — never B or B1.
- Leo leads the committee (党委领导); Lena leads general branch A.
- Sam is secretary (支部书记) of A1; Sara is secretary of B1.
- Mike is a member of A1 and the assignee (责任人) of A1's measures; Mona the same in B1.
- Root is a superuser.
- Nobody holds no membership at all.
"""

import datetime
import time
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from django.core.cache import cache

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.inspections.categories import ensure_standard_categories
from partyreview.inspections.models import Category, Finding, Inspection
from partyreview.inspections.services import inspection_create
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification
from tests.factories import UserFactory, pdf_upload

PASSWORD = "Test-Password-2026"

# One day for the whole run. A run takes twenty minutes, and one that crossed Beijing midnight saw "today"
# change between building its data and checking it (some modules even fix TODAY when they are imported).
# So every test process starts at 10:00 Beijing time on the day the run began, and the clock ticks on from
# there: a run never crosses midnight, whatever the hour it is started. Tests that need another moment
# travel there themselves (time_machine nests). Tests marked ``integration`` run on the real clock: they
# compare times written by a real Celery worker, which runs in another process on the real clock.
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
RUN_STARTS_AT = datetime.datetime.combine(datetime.datetime.now(BEIJING).date(), datetime.time(10), tzinfo=BEIJING)


class _RunClock:
    """The run's ticking clock, which can be set aside for a test and picks up where it would have been."""

    def __init__(self) -> None:
        self._began = time.monotonic()
        self._traveller: time_machine.travel | None = None

    def start(self) -> None:
        at = RUN_STARTS_AT + datetime.timedelta(seconds=time.monotonic() - self._began)
        self._traveller = time_machine.travel(at, tick=True)
        self._traveller.start()

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


_run_clock = _RunClock()


def pytest_configure(config: pytest.Config) -> None:
    # Before the test modules are imported, so a module-level TODAY is the run's day too.
    _run_clock.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    _run_clock.stop()


@pytest.fixture(autouse=True)
def _real_clock_for_integration_tests(request: pytest.FixtureRequest):
    if request.node.get_closest_marker("integration") is None:
        yield
        return
    _run_clock.stop()
    try:
        yield
    finally:
        _run_clock.start()


@dataclass
class World:
    committee: Organization
    general_a: Organization
    general_b: Organization
    a1: Organization
    a2: Organization
    b1: Organization
    alice: User
    gina: User
    leo: User
    lena: User
    sam: User
    sara: User
    mike: User
    mona: User
    root: User
    nobody: User
    inspection: Inspection

    def category(self, code: str = "meeting_lapses") -> Category:
        return Category.objects.get(code=code)

    def assignee_for(self, org: Organization) -> User:
        return {self.a1.pk: self.mike, self.b1.pk: self.mona}.get(org.pk, self.mike)

    def finding(
        self,
        org: Organization | None = None,
        *,
        measures: int = 1,
        due_in: int = 30,
        category: str = "meeting_lapses",
        description: str = "支部未按期召开党员大会",
    ) -> Finding:
        """A finding with ``measures`` pending measures, filed by Alice through the services."""
        org = org or self.a1
        today = local_today()
        return services.finding_file(
            actor=self.alice,
            inspection=self.inspection,
            organization=org,
            category=self.category(category),
            description=description,
            found_on=today - datetime.timedelta(days=10),
            measures=[
                services.MeasureInput(
                    measure=f"整改措施{i + 1}",
                    assignee=self.assignee_for(org),
                    due_date=today + datetime.timedelta(days=due_in),
                    responsible_leader=self.leo,
                    past_due_confirmed=due_in < 0,
                )
                for i in range(measures)
            ],
        )

    def rectification(
        self, org: Organization | None = None, *, state: str = "pending", due_in: int = 30
    ) -> Rectification:
        """One measure driven through the services into ``state``."""
        r = self.finding(org, due_in=due_in).rectifications.get()
        reporter = r.assignee
        if state == "pending":
            return r
        services.rectification_record_progress(actor=reporter, rectification=r, note="已开展整改", files=[pdf_upload()])
        if state == "in_progress":
            return _fresh(r)
        services.rectification_submit(actor=reporter, rectification=r, summary="整改完成", files=[pdf_upload()])
        if state == "submitted":
            return _fresh(r)
        if state == "returned":
            services.rectification_return(actor=self.alice, rectification=r, reason="材料不全")
            return _fresh(r)
        services.rectification_close(actor=self.alice, rectification=r, note="核查属实")
        assert state == "closed", state
        return _fresh(r)


def _fresh(r: Rectification) -> Rectification:
    return Rectification.objects.get(pk=r.pk)


def _member(username: str, full_name: str, org: Organization, role: str) -> User:
    user = UserFactory(username=username, full_name=full_name)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The persona world; a plain function so hypothesis test classes can build it too."""
    # Transactional tests flush the database, categories from the data migration included.
    ensure_standard_categories(Category)
    committee = Organization.objects.create(name="测试党委", code="T", kind=OrganizationKind.COMMITTEE)
    general_a = Organization.objects.create(name="机关党总支", code="T-A", kind="general_branch", parent=committee)
    general_b = Organization.objects.create(name="生产党总支", code="T-B", kind="general_branch", parent=committee)
    a1 = Organization.objects.create(name="机关第一党支部", code="T-A-1", kind="branch", parent=general_a)
    a2 = Organization.objects.create(name="机关第二党支部", code="T-A-2", kind="branch", parent=general_a)
    b1 = Organization.objects.create(name="生产第一党支部", code="T-B-1", kind="branch", parent=general_b)
    alice = _member("alice", "王爱丽", committee, Role.STAFF)
    root = UserFactory(username="root", full_name="管理员", is_superuser=True, is_staff=True)
    inspection = inspection_create(
        actor=alice,
        title="2026年巡察",
        kind="tour",
        inspecting_org=committee,
        inspected_orgs=[a1, a2, b1],
        start_date=local_today() - datetime.timedelta(days=40),
        feedback_date=local_today() - datetime.timedelta(days=20),
    )
    return World(
        committee=committee,
        general_a=general_a,
        general_b=general_b,
        a1=a1,
        a2=a2,
        b1=b1,
        alice=alice,
        gina=_member("gina", "高静", general_a, Role.STAFF),
        leo=_member("leo", "李利奥", committee, Role.LEADER),
        lena=_member("lena", "林娜", general_a, Role.LEADER),
        sam=_member("sam", "孙山", a1, Role.SECRETARY),
        sara=_member("sara", "苏拉", b1, Role.SECRETARY),
        mike=_member("mike", "马可", a1, Role.MEMBER),
        mona=_member("mona", "莫娜", b1, Role.MEMBER),
        root=root,
        nobody=UserFactory(username="nobody", full_name="无角色"),
        inspection=inspection,
    )


@pytest.fixture
def client_for(client):
    """``client_for(user)`` logs the test client in as that user and returns it."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The dashboard's cached figures (dashboards/cache.py) are keyed on ids and dates that the next test's
    # rolled-back database reuses; each test starts with none.
    cache.clear()
