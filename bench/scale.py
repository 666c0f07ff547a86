"""规模测试数据: a committee the size of a ministry's 机关党委, for the benchmark (docs/performance.md).

``scale_seed`` writes about a thousand branches and years of inspections with bulk inserts: the same
seed and the same day give the same data, row for row. Unlike the demo data this does not go through the
services (250,000 measures one by one would take an hour); it writes the rows the services would leave
behind, with the same invariants:

- organisation paths and depths are computed here, level by level, exactly as ``Organization.save``;
- ``original_due_date`` is the first deadline, ``warn_from`` comes from ``compute_warn_from``;
- closed measures carry ``closed_at``/``closed_by`` and a submission; returned ones a reason;
- history: one "+" record per organisation, membership, inspection, finding and measure, and one "~"
  record for every measure that moved on from 待整改 (its latest change). Intermediate steps are not
  replayed: the timeline of a scale measure is shorter than a real one, its size is what matters here.
  Progress updates carry no evidence files (nothing is written to disk).

Spread (tuned so that 100,000 findings give about 50,000 overdue measures, the reminder benchmark's case):
inspections over ``years`` years, more of them recently; the first four categories are found most often;
1–4 measures per finding (2.5 on average); the older a measure, the likelier it is closed.
"""

import datetime
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, reset_queries, transaction
from django.db.models import Model
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Category, Finding, FindingSource, Inspection, InspectionKind, Severity
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.rectifications.models import (
    ExtensionRequest,
    ExtensionStatus,
    ProgressKind,
    ProgressUpdate,
    Rectification,
    RectificationKind,
    RectificationStatus,
    ReportCadence,
)
from partyreview.rectifications.services import compute_warn_from, first_report_due

S = RectificationStatus
BATCH = 2000
# Findings generated before they are written: bounds memory whatever the total.
FLUSH_FINDINGS = 5000
BRANCHES_PER_GENERAL = 20
FINDINGS_PER_INSPECTION = 80
CODE_PREFIX = "SCALE"

DEPARTMENTS = [
    "办公室",
    "组织人事部",
    "财务部",
    "审计部",
    "纪检监察室",
    "规划发展部",
    "科技信息部",
    "安全环保部",
    "物资采购部",
    "市场营销部",
    "第一车间",
    "第二车间",
    "第三车间",
    "质量检测中心",
    "研发中心",
    "物流储运中心",
    "后勤服务中心",
    "工会",
    "离退休人员",
    "青年工作部",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宁欣晨晓雪松海燕"
MEASURES = [
    "制定整改方案，明确责任分工和完成时限，报党总支备案。",
    "召开专题支委会研究整改，逐项列出整改清单。",
    "组织专题学习，对照制度规定查找差距并形成学习记录。",
    "完善相关制度，建立台账并按月检查落实情况。",
    "开展谈心谈话，对相关党员进行提醒教育并留存记录。",
    "召开专题组织生活会，开展批评与自我批评。",
    "补齐缺失的会议记录和签到材料，规范归档。",
    "建立长效机制，每季度向党委报告一次落实情况。",
]
PROGRESS_NOTES = [
    "已召开支委会专题研究整改方案，明确分工和时间节点。",
    "相关制度已修订完成，正在组织学习。",
    "已完成台账补录，正在逐项核对。",
    "谈心谈话已完成过半，其余计划本月内完成。",
]
SUBMISSION_NOTES = ["整改措施已全部落实，相关制度和记录已整理归档。", "已按要求完成整改，佐证材料已上传。"]
# (kind, weight, who inspects: "committee" or "general")
INSPECTION_KINDS = [
    (InspectionKind.TOUR, 3, "committee"),
    (InspectionKind.SPECIAL, 2, "committee"),
    (InspectionKind.ROUTINE, 3, "general"),
    (InspectionKind.SELF, 2, "general"),
]
MEASURE_COUNTS = ([1, 2, 3, 4], [2, 3, 3, 2])  # 2.5 on average
MEASURE_KINDS = (
    [RectificationKind.IMMEDIATE, RectificationKind.DEADLINE, RectificationKind.LONG_TERM],
    [25, 60, 15],
)
DAYS_ALLOTTED = {
    RectificationKind.IMMEDIATE: (10, 30),
    RectificationKind.DEADLINE: (30, 120),
    RectificationKind.LONG_TERM: (120, 365),
}
SEVERITIES = ([Severity.MINOR, Severity.MAJOR, Severity.SEVERE], [60, 30, 10])
OPEN_STATES = ([S.PENDING, S.IN_PROGRESS, S.SUBMITTED, S.RETURNED], [25, 50, 15, 10])


def closing_probability(age_days: int) -> float:
    """How likely a measure created ``age_days`` ago is closed by now: old ledgers are mostly cleared."""
    if age_days > 730:
        return 0.93
    if age_days > 365:
        return 0.80
    if age_days > 180:
        return 0.60
    if age_days > 60:
        return 0.35
    return 0.10


@dataclass(frozen=True)
class ScaleSpec:
    branches: int
    findings: int
    seed: int = 1
    years: int = 5
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def marker(self) -> str:
        """The committee's code: says which spec the database holds, so an equal one is not seeded twice."""
        return f"{CODE_PREFIX}-b{self.branches}-f{self.findings}-s{self.seed}-y{self.years}"


def seeded_marker() -> str | None:
    """The marker of the scale data already in the database, if any."""
    return (
        Organization.objects.filter(kind=OrganizationKind.COMMITTEE, code__startswith=f"{CODE_PREFIX}-")
        .values_list("code", flat=True)
        .first()
    )


@contextmanager
def explicit_timestamps(*models: type[Model]) -> Iterator[None]:
    """Let bulk_create keep the creation times we set: auto_now/auto_now_add would stamp them all 'now',
    and years of history created in one second would make every age-based figure meaningless."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment in office hours (Beijing time) on ``day``."""
    clock = datetime.time(8 + rng.randrange(10), rng.randrange(60))
    return timezone.make_aware(datetime.datetime.combine(day, clock), timezone.get_default_timezone())


def _next_ids(model: type[Model], count: int) -> list[int]:
    """Ids from the table's own sequence, so rows written by COPY look exactly like inserted ones."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[Model], rows: list[dict]) -> None:
    """COPY rows (attname → value) into PostgreSQL, giving each row without an id the next one.

    Several times cheaper than INSERT for both Python and the server, which is what keeps 1,000 branches
    within minutes on two cores. Every field written here is a plain type (text, number, date, aware
    datetime, id) that psycopg adapts by itself."""
    fields = model._meta.concrete_fields
    pk = model._meta.pk.attname
    without_id = [row for row in rows if row.get(pk) is None]
    for row, new_id in zip(without_id, _next_ids(model, len(without_id)), strict=True):
        row[pk] = new_id
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[f.attname] for f in fields])


def _bulk(model: type[Model], objs: list) -> list:
    """Insert ``objs`` and give them their ids: COPY on PostgreSQL, bulk_create elsewhere (the tests)."""
    if not objs:
        return objs
    for obj in objs:
        # As Model.save() would: a related object assigned before it had an id leaves its id unset.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    if connection.vendor == "postgresql":
        fields = model._meta.concrete_fields
        rows = [{f.attname: getattr(obj, f.attname) for f in fields} for obj in objs]
        _copy(model, rows)
        pk = model._meta.pk.attname
        for obj, row in zip(objs, rows, strict=True):
            setattr(obj, pk, row[pk])
            obj._state.adding = False
    else:
        model.objects.bulk_create(objs, batch_size=BATCH)
    # With DEBUG on, Django keeps every statement in memory; a million rows of SQL would exhaust it.
    reset_queries()
    return objs


def _history(
    model: type[Model], objs: list, *, update: bool = False, initial: Callable[[Model], dict] | None = None
) -> None:
    """The history records simple_history would have written ("+" created, "~" changed), in bulk.

    Each object may carry ``_history_user``, ``_history_date`` and ``_change_reason`` as for a save.
    Rows, not instances: a historical instance per measure would double the time of the whole seed."""
    historical = model.history.model
    tracked = [f.attname for f in historical.tracked_fields]
    now = timezone.now()
    rows = []
    for obj in objs:
        row = {name: getattr(obj, name) for name in tracked}
        if initial is not None:
            row.update(initial(obj))
        user = getattr(obj, "_history_user", None)
        row.update(
            history_id=None,
            history_date=getattr(obj, "_history_date", None) or now,
            history_user_id=user.pk if user else None,
            history_change_reason=getattr(obj, "_change_reason", "") or "",
            history_type="~" if update else "+",
        )
        rows.append(row)
    if connection.vendor == "postgresql":
        _copy(historical, rows)
    else:
        historical.objects.bulk_create([historical(**row) for row in rows], batch_size=BATCH)
    reset_queries()


def _as_created(r: Rectification) -> dict:
    """A measure's fields as rectification_create left them, for its "+" history record."""
    start = timezone.localtime(r.created_at).date()
    return {
        "status": S.PENDING,
        "due_date": r.original_due_date,
        "warn_from": compute_warn_from(min(start, r.original_due_date), r.original_due_date),
        "submitted_at": None,
        "submitted_by_id": None,
        "submission_summary": "",
        "closed_at": None,
        "closed_by_id": None,
        "verification_note": "",
        "return_reason": "",
        "version": 1,
        "updated_at": r.created_at,
    }


@dataclass
class _Measure:
    """A measure before it is written, with its progress notes and the latest change for its history."""

    r: Rectification
    owner: User
    latest: datetime.datetime
    updates: list[ProgressUpdate] = field(default_factory=list)
    extension: ExtensionRequest | None = None
    actor: User | None = None
    when: datetime.datetime | None = None
    reason: str = ""

    def note(self, kind: str, text: str, author: User, at: datetime.datetime) -> None:
        self.latest = max(at, self.latest)
        self.updates.append(ProgressUpdate(kind=kind, note=text, author_id=author.pk, created_at=self.latest))

    def moved(self, actor: User, when: datetime.datetime, reason: str) -> None:
        self.actor, self.when, self.reason = actor, when, reason
        self.latest = max(when, self.latest)


@dataclass
class _Branch:
    org: Organization
    general_index: int
    secretary: User
    members: list[User]


class _Seeder:
    def __init__(self, spec: ScaleSpec, say: Callable[[str], None]) -> None:
        self.spec = spec
        self.say = say
        self.rng = random.Random(spec.seed)
        self.first_day = spec.today - datetime.timedelta(days=365 * spec.years)
        self.counts: Counter[str] = Counter()
        self.categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "id"))
        # The four the users named first are found three times as often as the others.
        self.category_weights = [3 if i < 4 else 1 for i in range(len(self.categories))]

    # ---- people and the tree -------------------------------------------------------------------------

    def _name(self, index: int) -> str:
        surname = SURNAMES[index % len(SURNAMES)]
        given = GIVEN[(index * 7) % len(GIVEN)] + GIVEN[(index * 13 + 5) % len(GIVEN)] * (index % 3 != 0)
        return surname + given

    def _users(self, usernames: list[str], password: str) -> list[User]:
        users = [
            User(
                username=username,
                full_name=self._name(i + self.counts["users"]),
                email=f"{username}@example.org",
                password=password,
            )
            for i, username in enumerate(usernames)
        ]
        self.counts["users"] += len(users)
        return _bulk(User, users)

    def _level(self, orgs: list[Organization]) -> list[Organization]:
        """Insert one level of the tree with its paths, which embed the ids (as Organization.save does)."""

        def set_path(org: Organization) -> None:
            org.path = f"{org.parent.path if org.parent else ''}{org.pk:06d}/"
            org.depth = org.path.count("/") - 1

        if connection.vendor == "postgresql":
            # Ids first, so every row is written once, complete.
            for org, new_id in zip(orgs, _next_ids(Organization, len(orgs)), strict=True):
                org.pk = new_id
                set_path(org)
            _bulk(Organization, orgs)
        else:
            _bulk(Organization, orgs)
            for org in orgs:
                set_path(org)
            Organization.objects.bulk_update(orgs, ["path", "depth"], batch_size=BATCH)
        self.counts["organizations"] += len(orgs)
        return orgs

    def build_tree(self) -> None:
        spec, rng = self.spec, self.rng
        # One hash for everyone: hashing 3,000 passwords would take minutes, and all log in the same way.
        password = make_password(settings.DEMO_PASSWORD)
        (self.committee,) = self._level(
            [
                Organization(
                    name="规模测试集团党委",
                    code=spec.marker,
                    kind=OrganizationKind.COMMITTEE,
                    formal_member_count=spec.branches * 25,
                    has_committee=True,
                )
            ]
        )
        general_count = math.ceil(spec.branches / BRANCHES_PER_GENERAL)
        self.generals = self._level(
            [
                Organization(
                    name=f"第{g}分公司党总支",
                    code=f"SC-G{g:03d}",
                    kind=OrganizationKind.GENERAL_BRANCH,
                    parent=self.committee,
                    sort_order=g,
                    has_committee=True,
                )
                for g in range(1, general_count + 1)
            ]
        )
        branch_orgs = []
        for b in range(spec.branches):
            g, k = divmod(b, BRANCHES_PER_GENERAL)
            members = 5 + rng.randrange(45)
            branch_orgs.append(
                Organization(
                    name=f"第{g + 1}分公司{DEPARTMENTS[k % len(DEPARTMENTS)]}党支部",
                    code=f"SC-G{g + 1:03d}-B{k + 1:02d}",
                    kind=OrganizationKind.BRANCH,
                    parent=self.generals[g],
                    sort_order=k + 1,
                    formal_member_count=members,
                    probationary_member_count=rng.randrange(3),
                    has_committee=members >= 7,
                    has_party_groups=members >= 15,
                )
            )
        branch_orgs = self._level(branch_orgs)

        self.committee_staff = self._users([f"sc-staff{i}" for i in range(1, 6)], password)
        self.committee_leaders = self._users([f"sc-leader{i}" for i in range(1, 4)], password)
        self.general_staff = self._users([f"sc-g{g:03d}-staff" for g in range(1, general_count + 1)], password)
        self.general_leaders = self._users([f"sc-g{g:03d}-leader" for g in range(1, general_count + 1)], password)
        names = []
        for b in range(1, spec.branches + 1):
            names += [f"sc-b{b:04d}-sec", f"sc-b{b:04d}-m1", f"sc-b{b:04d}-m2"]
        branch_people = self._users(names, password)
        self.branches = [
            _Branch(org, i // BRANCHES_PER_GENERAL, branch_people[3 * i], branch_people[3 * i + 1 : 3 * i + 3])
            for i, org in enumerate(branch_orgs)
        ]

        memberships = [Membership(user=u, organization=self.committee, role=Role.STAFF) for u in self.committee_staff]
        memberships += [
            Membership(user=u, organization=self.committee, role=Role.LEADER) for u in self.committee_leaders
        ]
        for g, general in enumerate(self.generals):
            memberships.append(Membership(user=self.general_staff[g], organization=general, role=Role.STAFF))
            memberships.append(Membership(user=self.general_leaders[g], organization=general, role=Role.LEADER))
        for branch in self.branches:
            memberships.append(Membership(user=branch.secretary, organization=branch.org, role=Role.SECRETARY))
            memberships += [
                Membership(user=m, organization=branch.org, role=Role.MEMBER, title=title)
                for m, title in zip(branch.members, ["组织委员", "宣传委员"], strict=True)
            ]
        memberships = _bulk(Membership, memberships)
        self.counts["memberships"] = len(memberships)
        _history(Organization, [self.committee, *self.generals, *branch_orgs])
        _history(Membership, memberships)

    # ---- inspections ---------------------------------------------------------------------------------

    def _inspection_plans(self) -> list[tuple[Inspection, list[_Branch], list[User]]]:
        spec, rng = self.spec, self.rng
        # At least a few a year, so that even a small seed spreads over every year.
        count = min(spec.findings, max(4 * spec.years, round(spec.findings / FINDINGS_PER_INSPECTION)))
        span = (spec.today - self.first_day).days - 40
        kinds, weights, by = zip(*[(k, w, b) for k, w, b in INSPECTION_KINDS], strict=True)
        plans = []
        for i in range(count):
            kind_index = rng.choices(range(len(kinds)), weights)[0]
            kind = kinds[kind_index]
            g = rng.randrange(len(self.generals))
            in_general = self.branches[g * BRANCHES_PER_GENERAL : (g + 1) * BRANCHES_PER_GENERAL]
            if kind == InspectionKind.TOUR:
                inspected = in_general
            elif kind == InspectionKind.SPECIAL:
                inspected = rng.sample(self.branches, min(len(self.branches), rng.randint(20, 60)))
            else:
                inspected = rng.sample(in_general, rng.randint(max(1, len(in_general) // 4), len(in_general)))
            if by[kind_index] == "committee":
                inspecting, owners = self.committee, rng.sample(self.committee_staff, 2)
            else:
                inspecting, owners = self.generals[g], [self.general_staff[g]]
            # More inspections lately: the density rises toward today (a triangular distribution).
            start = self.first_day + datetime.timedelta(days=int(rng.triangular(0, span, span)))
            feedback = start + datetime.timedelta(days=15 + rng.randrange(20))
            inspection = Inspection(
                title=f"{start.year}年{kind.label}（{inspecting.name}）第{i + 1}号",
                kind=kind,
                inspecting_org=inspecting,
                start_date=start,
                end_date=start + datetime.timedelta(days=10 + rng.randrange(10)),
                feedback_date=feedback,
                report_due_date=feedback + datetime.timedelta(days=60),
                is_archived=(spec.today - start).days > 3 * 365 and rng.random() < 0.5,
                created_by=owners[0],
                created_at=_moment(start, rng),
                updated_at=_moment(feedback, rng),
            )
            plans.append((inspection, sorted(inspected, key=lambda b: b.org.code), owners))
        plans.sort(key=lambda p: p[0].start_date)
        return plans

    def _finding_counts(self, plans: list) -> list[int]:
        """Split the wanted total over the inspections, in proportion to how many branches each covers."""
        weights = [len(inspected) * self.rng.uniform(0.5, 1.5) for _, inspected, _ in plans]
        total = sum(weights)
        counts = [int(self.spec.findings * w / total) for w in weights]
        for i in range(self.spec.findings - sum(counts)):
            counts[i % len(counts)] += 1
        return counts

    # ---- findings and measures -----------------------------------------------------------------------

    def _staff_for(self, branch: _Branch) -> User:
        pool = [self.general_staff[branch.general_index], *self.committee_staff]
        return pool[self.rng.randrange(len(pool))]

    def _leader_for(self, branch: _Branch) -> User | None:
        roll = self.rng.random()
        if roll < 0.7:
            return self.general_leaders[branch.general_index]
        if roll < 0.9:
            return self.committee_leaders[self.rng.randrange(len(self.committee_leaders))]
        return None

    def _measure(self, finding: Finding, category: Category, branch: _Branch, number: int, owner: User) -> _Measure:
        """One measure and what happened to it. Related rows are set by id: assigning objects through
        Django's descriptors costs more than everything else here together."""
        rng, today = self.rng, self.spec.today
        kind = rng.choices(*MEASURE_KINDS)[0]
        created_day = min(finding.found_on + datetime.timedelta(days=rng.randrange(10)), today)
        low, high = DAYS_ALLOTTED[kind]
        original_due = created_day + datetime.timedelta(days=rng.randint(low, high))
        due = original_due
        extended = rng.random() < 0.08
        if extended:
            due = original_due + datetime.timedelta(days=rng.randint(30, 90))
        assignee = branch.secretary if rng.random() < 0.3 else branch.members[rng.randrange(2)]
        leader = self._leader_for(branch)
        r = Rectification(
            number=number,
            measure=f"针对“{category.name}”问题：{rng.choice(MEASURES)}",
            kind=kind,
            responsible_org_id=branch.org.pk,
            responsible_leader_id=leader.pk if leader else None,
            assignee_id=assignee.pk,
            due_date=due,
            original_due_date=original_due,
            warn_from=compute_warn_from(created_day, due),
            created_by_id=owner.pk,
            created_at=_moment(created_day, rng),
        )
        if kind == RectificationKind.LONG_TERM:
            # Kept up with quarterly reports; the date drawn is its stage goal (decisions/long-term-measures.md).
            report_due = first_report_due(today, ReportCadence.QUARTERLY)
            r.report_cadence, r.stage_due_date = ReportCadence.QUARTERLY, due
            r.report_due_on, r.report_warn_from = report_due, report_due - datetime.timedelta(days=7)
        item = _Measure(r, owner, r.created_at)
        if rng.random() < closing_probability((today - created_day).days):
            r.status = S.CLOSED
            allotted = max((due - created_day).days, 1)
            if rng.random() < 0.85:
                closed_day = created_day + datetime.timedelta(days=max(1, int(allotted * rng.uniform(0.3, 1.0))))
            else:
                closed_day = due + datetime.timedelta(days=rng.randint(1, 60))
            closed_day = min(closed_day, today)
        else:
            r.status = rng.choices(*OPEN_STATES)[0]
        if r.status != S.PENDING:
            progress_day = min(created_day + datetime.timedelta(days=1 + rng.randrange(20)), today)
            if r.status == S.CLOSED:
                progress_day = min(progress_day, closed_day)
            item.note(ProgressKind.PROGRESS, rng.choice(PROGRESS_NOTES), assignee, _moment(progress_day, rng))
            item.moved(assignee, item.latest, "填报进展")
        if r.status in (S.SUBMITTED, S.RETURNED, S.CLOSED):
            submit_day = closed_day if r.status == S.CLOSED else min(progress_day + datetime.timedelta(days=5), today)
            r.submission_summary = rng.choice(SUBMISSION_NOTES)
            item.note(ProgressKind.SUBMISSION, r.submission_summary, assignee, _moment(submit_day, rng))
            r.submitted_at, r.submitted_by_id = item.latest, assignee.pk
            item.moved(assignee, item.latest, "申请销号")
        if r.status == S.RETURNED:
            r.return_reason = "佐证材料不全，请补充会议记录和签到表后重新提交。"
            item.moved(self._staff_for(branch), item.latest + datetime.timedelta(hours=2), "退回")
        if r.status == S.CLOSED:
            closer = self._staff_for(branch)
            r.closed_at = item.latest + datetime.timedelta(hours=1 + rng.randrange(48))
            if timezone.localtime(r.closed_at).date() > today:
                r.closed_at = item.latest + datetime.timedelta(minutes=5)
            r.closed_by_id = closer.pk
            r.verification_note = "经查阅会议记录和台账，整改到位，同意销号。"
            item.moved(closer, r.closed_at, "销号")
        r.updated_at = item.latest
        r.version = 1 + len(item.updates) + (r.status in (S.RETURNED, S.CLOSED))
        if extended:
            decided = r.created_at + datetime.timedelta(days=max(1, (original_due - created_day).days - 3))
            item.extension = ExtensionRequest(
                previous_due_date=original_due,
                requested_due_date=due,
                reason="涉及人员调整，需待上级批复后方能完成。",
                requested_by_id=assignee.pk,
                requested_at=decided - datetime.timedelta(days=2),
                status=ExtensionStatus.APPROVED,
                decided_by_id=self._staff_for(branch).pk,
                decided_at=decided,
                decision_note="同意延期。",
            )
        return item

    def _flush(self, findings: list[Finding], measures: list[list[_Measure]]) -> None:
        _bulk(Finding, findings)
        _history(Finding, findings)
        items = [item for group in measures for item in group]
        for finding, group in zip(findings, measures, strict=True):
            for item in group:
                item.r.finding_id = finding.pk
        rects = _bulk(Rectification, [item.r for item in items])
        updates, extensions = [], []
        for item in items:
            for update in item.updates:
                update.rectification_id = item.r.pk
                updates.append(update)
            if item.extension is not None:
                item.extension.rectification_id = item.r.pk
                extensions.append(item.extension)
        _bulk(ProgressUpdate, updates)
        _bulk(ExtensionRequest, extensions)
        # History: the creation, then the latest change of every measure that moved on from 待整改.
        for item in items:
            item.r._history_user, item.r._history_date, item.r._change_reason = item.owner, item.r.created_at, ""
        _history(Rectification, rects, initial=_as_created)
        moved = [item for item in items if item.reason]
        for item in moved:
            item.r._history_user, item.r._history_date, item.r._change_reason = item.actor, item.when, item.reason
        _history(Rectification, [item.r for item in moved], update=True)
        self.counts["findings"] += len(findings)
        self.counts["rectifications"] += len(rects)
        self.counts["progress_updates"] += len(updates)
        self.counts["extension_requests"] += len(extensions)
        self.say(f"  {self.counts['findings']:,} / {self.spec.findings:,} 个问题")

    def build_inspections(self) -> None:
        rng = self.rng
        plans = self._inspection_plans()
        inspections = _bulk(Inspection, [p[0] for p in plans])
        for inspection in inspections:
            inspection._history_user, inspection._history_date = inspection.created_by, inspection.created_at
        _history(Inspection, inspections)
        through_orgs = Inspection.inspected_orgs.through
        through_owners = Inspection.owners.through
        _bulk(
            through_orgs,
            [
                through_orgs(inspection_id=i.pk, organization_id=b.org.pk)
                for i, (_, inspected, _) in zip(inspections, plans, strict=True)
                for b in inspected
            ],
        )
        _bulk(
            through_owners,
            [
                through_owners(inspection_id=i.pk, user_id=u.pk)
                for i, (_, _, owners) in zip(inspections, plans, strict=True)
                for u in owners
            ],
        )
        self.counts["inspections"] = len(inspections)

        findings: list[Finding] = []
        measures: list[list[_Measure]] = []
        for (inspection, inspected, owners), wanted in zip(plans, self._finding_counts(plans), strict=True):
            owner = owners[0]
            for sequence in range(1, wanted + 1):
                branch = inspected[rng.randrange(len(inspected))]
                category = rng.choices(self.categories, self.category_weights)[0]
                found_on = inspection.feedback_date - datetime.timedelta(days=rng.randrange(5))
                created_at = _moment(found_on, rng)
                finding = Finding(
                    inspection_id=inspection.pk,
                    sequence=sequence,
                    organization_id=branch.org.pk,
                    category_id=category.pk,
                    severity=rng.choices(*SEVERITIES)[0],
                    description=f"{branch.org.name}：{category.description or category.name}（第{sequence}项）",
                    basis="《中国共产党支部工作条例（试行）》",
                    found_on=found_on,
                    source=FindingSource.IMPORT if rng.random() < 0.4 else FindingSource.MANUAL,
                    created_by_id=owner.pk,
                    created_at=created_at,
                    updated_at=created_at,
                )
                if rng.random() < 0.01:
                    finding.is_archived, finding.archive_reason = True, "重复录入，已撤回"
                finding._history_user, finding._history_date = owner, created_at
                count = rng.choices(*MEASURE_COUNTS)[0]
                findings.append(finding)
                measures.append([self._measure(finding, category, branch, n, owner) for n in range(1, count + 1)])
                if len(findings) >= FLUSH_FINDINGS:
                    self._flush(findings, measures)
                    findings, measures = [], []
        if findings:
            self._flush(findings, measures)


@contextmanager
def foreign_keys_checked_once(*models: type[Model]) -> Iterator[None]:
    """On PostgreSQL, drop the foreign keys of the big tables while loading and add them back after.

    PostgreSQL checks a foreign key row by row, with a trigger each; adding the constraint back checks
    all rows with one join. This halves the load time ("Populating a Database" in PostgreSQL's manual
    recommends it). Constraint names and definitions are restored exactly, so migrations see no change;
    it all happens inside the seed's transaction, so a failure leaves the schema as it was."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        constraints = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DROP CONSTRAINT {name}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ADD CONSTRAINT {name} {definition}")


def scale_seed(spec: ScaleSpec, *, say: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Write the scale data into an empty database in one transaction; returns what was written."""
    seeder = _Seeder(spec, say)
    big = [Finding, Rectification, ProgressUpdate, ExtensionRequest]
    with (
        transaction.atomic(),
        explicit_timestamps(Inspection, *big),
        foreign_keys_checked_once(*big, *(m.history.model for m in (Finding, Rectification))),
    ):
        say("党组织与用户……")
        seeder.build_tree()
        say("检查、问题与整改措施……")
        seeder.build_inspections()
        say("外键检查……")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics and visibility map, as autovacuum would leave them: the benchmark then measures
        # the plans a settled production database gets, not those of a table the planner has never seen.
        say("VACUUM ANALYZE……")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return dict(seeder.counts)


def scale_summary(today: datetime.date | None = None) -> dict[str, object]:
    """What the database holds, independent of ids: the determinism test and the benchmark report it."""
    from django.db.models import Count

    def by(qs, *fields: str) -> dict[str, int]:
        rows = qs.order_by().values(*fields).annotate(n=Count("pk")).order_by(*fields)
        return {"/".join(str(row[f]) for f in fields): row["n"] for row in rows}

    today = today or timezone.localdate()
    rects = Rectification.objects.all()
    return {
        "organizations": by(Organization.objects.all(), "kind"),
        "users": User.objects.count(),
        "memberships": by(Membership.objects.all(), "role"),
        "inspections": by(Inspection.objects.all(), "kind"),
        "findings": Finding.objects.count(),
        "findings_by_category": by(Finding.objects.all(), "category__code"),
        "findings_by_year": by(Finding.objects.all(), "found_on__year"),
        "rectifications": rects.count(),
        "rectifications_by_status": by(rects, "status"),
        "rectifications_by_kind": by(rects, "kind"),
        "overdue": rects.overdue(today).count(),
        "progress_updates": ProgressUpdate.objects.count(),
        "extension_requests": ExtensionRequest.objects.count(),
        "history": {
            "findings": Finding.history.count(),
            "rectifications": Rectification.history.count(),
        },
    }
