"""整改看板的统计读取：every figure of the committee dashboard, aggregated in the database.

Each function takes the viewer's scoped, filtered querysets and returns aggregates: counts come from
``aggregate()`` or grouped ``values().annotate()`` (one pass over each table, merged by id; correlated
per-row counts were 70× slower at 1,000 branches, see docs/performance.md), never from Python loops over
findings or rectifications. Python only arranges the (few) aggregated rows for display, so
the number of queries is the same for ten rectifications or ten thousand (pinned by
tests/dashboards/test_query_count.py).

Definitions (the tests assert each one exactly):

- 整改完成率 completion rate = closed / all rectifications.
- 按期完成率 on-time rate = closed on or before ``original_due_date`` (calendar day in Asia/Shanghai)
  / closed. An approved extension moves ``due_date`` but never makes a late closure "on time".
- 逾期 overdue = not closed and ``due_date`` before today.
- 平均销号用时 average days to close = mean of ``closed_at - created_at`` over closed rectifications.
- 红黄绿灯: ``rectifications.models.light_q``, the rule every list uses; a branch takes the worst light
  of its open rectifications.
- 反复出现 recurrence: a finding whose organisation already had a finding of the same category from a
  different inspection that started earlier (屡查屡犯).

Filters: an inspection, and a period that applies to a finding's ``found_on`` and to a rectification's
creation day. Archived findings (withdrawn, see ``finding_archive``) and their measures are not counted.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.dashboards.permissions import DASHBOARD_ROLES, dashboard_scope_q
from partyreview.inspections.models import Category, Finding, Inspection
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.organizations.permissions import grants_of
from partyreview.rectifications.models import Escalation, Light, Rectification, RectificationStatus, light_q

CLOSED = RectificationStatus.CLOSED
TREND_MONTHS = 12
RANKING_SIZE = 15
# The page lists at most this many organisations; a scope with more (a committee of a thousand branches)
# is shown one row per organisation under its top, each a link down to its own dashboard. Tables a person
# reads, and a page that renders in the time of its queries (docs/performance.md). The export has them all.
TABLE_ROWS = 60
# The longest lists the page shows of 反复出现 and of inspections; the export has them all.
RECURRENCE_ROWS = 30
INSPECTION_ROWS = 30


@dataclass(frozen=True)
class DashboardFilter:
    """What the viewer narrowed the dashboard to (all optional). ``organization`` is an organisation of the
    viewer's scope whose subtree the dashboard is drilled down to."""

    inspection: Inspection | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    organization: Organization | None = None

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None


# ---- the scoped, filtered base querysets ---------------------------------------------------------------


def _focus_q(filters: DashboardFilter, field: str) -> Q:
    """Within the organisation the dashboard is drilled down to (its whole subtree); everything without one.
    ``field`` names the organisation as in ``scope_q``; "" is the Organization itself."""
    if filters.organization is None:
        return Q()
    return Q(**{f"{field}__path__startswith" if field else "path__startswith": filters.organization.path})


def dashboard_findings(user: User, filters: DashboardFilter, *, with_period: bool = True) -> QuerySet[Finding]:
    """The findings the dashboard counts: in the viewer's lead/staff scope, not archived, filtered."""
    qs = Finding.objects.filter(dashboard_scope_q(user, field="organization"), is_archived=False)
    qs = qs.filter(_focus_q(filters, "organization"))
    if filters.inspection is not None:
        qs = qs.filter(inspection=filters.inspection)
    if with_period and filters.date_from:
        qs = qs.filter(found_on__gte=filters.date_from)
    if with_period and filters.date_to:
        qs = qs.filter(found_on__lte=filters.date_to)
    return qs


def dashboard_rectifications(
    user: User, filters: DashboardFilter, *, with_period: bool = True
) -> QuerySet[Rectification]:
    """The rectifications the dashboard counts. The period is on the day the measure was created
    (``created_at__date`` is taken in Asia/Shanghai, the project's time zone)."""
    qs = Rectification.objects.filter(dashboard_scope_q(user, field="responsible_org"), finding__is_archived=False)
    qs = qs.filter(_focus_q(filters, "responsible_org"))
    if filters.inspection is not None:
        qs = qs.filter(finding__inspection=filters.inspection)
    if with_period and filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if with_period and filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    return qs


def dashboard_inspections(user: User) -> QuerySet[Inspection]:
    """Inspections offered in the filter: those with a finding in the viewer's dashboard scope, or run by an
    organisation in it."""
    has_finding = Finding.objects.filter(inspection_id=OuterRef("pk"), is_archived=False).filter(
        dashboard_scope_q(user, field="organization")
    )
    return Inspection.objects.filter(Q(Exists(has_finding)) | dashboard_scope_q(user, field="inspecting_org"))


def dashboard_focus_choices(user: User) -> QuerySet[Organization]:
    """Organisations the viewer may drill the dashboard down to: those of the scope that have others
    under them (a branch's own numbers are its row, and its 本支部整改 page)."""
    return Organization.objects.filter(dashboard_scope_q(user, field=""), is_active=True).exclude(
        kind=OrganizationKind.BRANCH
    )


# ---- expressions shared by the reads below -------------------------------------------------------------


def _open_q() -> Q:
    return ~Q(status=CLOSED)


def _overdue_q(today: datetime.date) -> Q:
    return _open_q() & Q(due_date__lt=today)


def _on_time_q() -> Q:
    # closed_at is a moment; the deadline a calendar day in Asia/Shanghai (__date converts to it).
    return Q(status=CLOSED, closed_at__date__lte=F("original_due_date"))


def recurring_q() -> Q:
    """A finding whose organisation already had one of the same category from a different, earlier
    inspection (by start date). Works on any Finding queryset."""
    earlier = Finding.objects.filter(
        is_archived=False,
        organization_id=OuterRef("organization_id"),
        category_id=OuterRef("category_id"),
        inspection__start_date__lt=OuterRef("inspection__start_date"),
    ).exclude(inspection_id=OuterRef("inspection_id"))
    return Q(Exists(earlier))


def share(part: int, whole: int) -> float | None:
    """A percentage rounded to one decimal; None when there is nothing to divide by."""
    return round(part * 100 / whole, 1) if whole else None


# ---- headline figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """核心指标."""

    findings: int
    recurring_findings: int
    rectifications: int
    closed: int
    on_time: int
    overdue: int
    submitted: int
    open: int
    red: int
    yellow: int
    average_days_to_close: float | None

    @property
    def green(self) -> int:
        """Open measures neither overdue nor near their deadline."""
        return self.open - self.red - self.yellow

    @property
    def completion_rate(self) -> float | None:
        return share(self.closed, self.rectifications)

    @property
    def on_time_rate(self) -> float | None:
        return share(self.on_time, self.closed)


def headline_figures(cells: "dict[tuple[int, int], Cell]", measures: "dict[int, dict]") -> Headline:
    """The headline is the sum of what the other tables read: the findings of ``finding_cells`` and the
    measures of ``measure_counts``, each grouped by organisation. No query of its own."""
    f = {"total": sum(c.findings for c in cells.values()), "recurring": sum(c.recurring for c in cells.values())}
    r = {name: sum(row[name] or 0 for row in measures.values()) for name in MEASURE_FIGURES}
    to_close = sum((row["close_time"] for row in measures.values() if row["close_time"]), datetime.timedelta())
    average = to_close / r["closed"] if r["closed"] else None
    return Headline(
        findings=f["total"],
        recurring_findings=f["recurring"],
        rectifications=r["rect_total"],
        closed=r["closed"],
        on_time=r["on_time"],
        overdue=r["overdue"],
        submitted=r["submitted"],
        open=r["rect_total"] - r["closed"],
        red=r["red"],
        yellow=r["yellow"],
        average_days_to_close=round(average.total_seconds() / 86400, 1) if average is not None else None,
    )


MEASURE_FIGURES = ("rect_total", "closed", "on_time", "overdue", "submitted", "red", "yellow")


def _measure_figures(today: datetime.date) -> dict:
    to_close = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    return {
        "rect_total": Count("pk"),
        "closed": Count("pk", filter=Q(status=CLOSED)),
        "on_time": Count("pk", filter=_on_time_q()),
        "overdue": Count("pk", filter=_overdue_q(today)),
        "submitted": Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        "red": Count("pk", filter=light_q(Light.RED, today)),
        "yellow": Count("pk", filter=light_q(Light.YELLOW, today)),
        "close_time": Sum(to_close, filter=Q(status=CLOSED)),
    }


def measure_counts(rectifications: QuerySet[Rectification], today: datetime.date) -> dict[int, dict]:
    """The measures' figures per responsible organisation (by id), one grouped query: the branch rows',
    and summed, the headline's (``close_time`` is the total time from creation to closure)."""
    return {
        row["responsible_org_id"]: row
        for row in rectifications.order_by().values("responsible_org_id").annotate(**_measure_figures(today))
    }


# ---- findings per (organisation, category): heat map, categories, recurrence, headline -----------------


@dataclass
class Cell:
    """The findings of one (organisation, category): counted ones, recurring among them, and in all."""

    findings: int = 0
    recurring: int = 0
    times_found: int = 0  # every inspection, not only the filtered ones
    inspections: int = 0


def finding_cells(findings: QuerySet[Finding], everywhere: QuerySet[Finding]) -> dict[tuple[int, int], Cell]:
    """Findings per (organisation id, category id), which the heat map, the category table, the recurrence
    table and the headline all sum from. Two grouped queries.

    反复出现 without an EXISTS per finding (3 s over 100,000 findings): a finding recurs exactly when its
    inspection started after the earliest inspection that found the same category in the same
    organisation (that earliest one is then necessarily another inspection), which is ``recurring_q``
    stated per group (``_counted_per_cell``). ``everywhere`` is the scope's findings without filters: an
    earlier inspection counts even when the filter leaves it out."""
    cells: dict[tuple[int, int], Cell] = {}
    first: dict[tuple[int, int], datetime.date] = {}
    for row in (
        everywhere.order_by()
        .values("organization_id", "category_id")
        .annotate(n=Count("pk"), inspections=Count("inspection_id", distinct=True), first=Min("inspection__start_date"))
    ):
        key = (row["organization_id"], row["category_id"])
        first[key] = row["first"]
        cells[key] = Cell(times_found=row["n"], inspections=row["inspections"])
    for org_id, category_id, n, recurring in _counted_per_cell(findings, everywhere):
        cell = cells.setdefault((org_id, category_id), Cell())
        cell.findings, cell.recurring = n, recurring
    return {key: cell for key, cell in cells.items() if cell.findings}


def _counted_per_cell(findings: QuerySet[Finding], everywhere: QuerySet[Finding]) -> list[tuple[int, int, int, int]]:
    """(organisation id, category id, findings, recurring findings) of ``findings``, in one query.

    Joining each counted finding to its cell's earliest inspection date happens in the database: grouped
    by inspection in Python, a committee's 100,000 findings came back as 100,000 rows (a fifth of its
    dashboard's time). The two querysets are the application's own, compiled and joined as common table
    expressions with named columns (PostgreSQL and SQLite alike)."""
    first_sql, first_params = (
        everywhere.order_by()
        .values("organization_id", "category_id")
        .annotate(first=Min("inspection__start_date"))
        .values_list("organization_id", "category_id", "first")
        .query.sql_with_params()
    )
    counted_sql, counted_params = (
        findings.order_by()
        .values_list("organization_id", "category_id", "inspection__start_date")
        .query.sql_with_params()
    )
    # Only compiled SQL is interpolated; every value stays a parameter.
    sql = (
        f"WITH earliest(org, cat, first_start) AS ({first_sql}), counted(org, cat, start) AS ({counted_sql}) "  # noqa: S608
        "SELECT counted.org, counted.cat, COUNT(*),"
        " SUM(CASE WHEN counted.start > earliest.first_start THEN 1 ELSE 0 END)"
        " FROM counted LEFT JOIN earliest ON earliest.org = counted.org AND earliest.cat = counted.cat"
        " GROUP BY counted.org, counted.cat"
    )
    with connections[findings.db].cursor() as cursor:
        cursor.execute(sql, (*first_params, *counted_params))
        return [(org, cat, n, recurring or 0) for org, cat, n, recurring in cursor.fetchall()]


# ---- branches: lights and rankings ---------------------------------------------------------------------
#
# Grouped aggregates, one pass over each table, merged here by id. Correlated per-row subqueries (one
# COUNT per figure per branch) took 15 s for 1,000 branches and 250,000 measures, and the rankings ran
# them twice more; docs/performance.md has the EXPLAIN. Python only arranges the aggregated rows.


def _light(red: int, yellow: int) -> int:
    return Light.RED if red else Light.YELLOW if yellow else Light.GREEN


def organization_rows(
    user: User, filters: DashboardFilter, measures: dict[int, dict], cells: dict[tuple[int, int], Cell]
) -> list[Organization]:
    """Every active organisation of the viewer's scope (within the drill-down), and any other with figures,
    each with its own counts, by path. One query (the counts come from ``measure_counts`` and ``cells``).

    Attributes: ``findings_total``, ``rect_total``, ``closed``, ``overdue``, ``submitted``, ``red``,
    ``yellow``, ``light`` (worst light of its open measures; green when none is open), ``completion``
    (percent, None without measures) and ``listed`` (a branch, or any organisation with figures: the rows
    of the branch table). Counts are of the organisation itself (measures whose responsible organisation
    it is), not of its subtree: branches are the leaves that rectify.
    """
    found: dict[int, int] = {}
    for (org_id, _category_id), cell in cells.items():
        found[org_id] = found.get(org_id, 0) + cell.findings
    # The ids are known from the counts: no EXISTS probe per organisation.
    counted = set(found) | set(measures)
    organizations = list(
        Organization.objects.filter(dashboard_scope_q(user, field=""))
        .filter(_focus_q(filters, ""))
        .filter(Q(is_active=True) | Q(pk__in=counted))
        .order_by("path")
    )
    empty = {"rect_total": 0, "closed": 0, "overdue": 0, "submitted": 0, "red": 0, "yellow": 0}
    for org in organizations:
        counts = measures.get(org.pk, empty)
        for name in empty:
            setattr(org, name, counts[name])
        org.findings_total = found.get(org.pk, 0)
        org.light = _light(org.red, org.yellow)
        org.completion = org.closed * 100 / org.rect_total if org.rect_total else None
        org.listed = (org.kind == OrganizationKind.BRANCH and org.is_active) or org.pk in counted
    return organizations


def branch_rows(organizations: list[Organization]) -> list[Organization]:
    """The branch table's rows: the viewer's branches, and any other organisation of the scope that has
    figures, by path (from ``organization_rows``)."""
    return [org for org in organizations if org.listed]


@dataclass
class GroupRow:
    """An organisation with the figures of its whole subtree: a row of the page when the scope has too
    many branches to list (``group_rows``). Reads like a branch row in the templates."""

    organization: Organization
    subtree: bool = True  # False for a top organisation's row of its own figures
    branches: int = 0
    findings_total: int = 0
    rect_total: int = 0
    closed: int = 0
    overdue: int = 0
    submitted: int = 0
    red: int = 0
    yellow: int = 0

    @property
    def pk(self) -> int:
        return self.organization.pk

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def path(self) -> str:
        return self.organization.path

    @property
    def light(self) -> int:
        return _light(self.red, self.yellow)

    @property
    def completion(self) -> float | None:
        return self.closed * 100 / self.rect_total if self.rect_total else None

    @property
    def is_group(self) -> bool:
        """Counts organisations under it, so its row links down to its own dashboard."""
        return self.subtree and self.organization.kind != OrganizationKind.BRANCH

    def add(self, org: Organization) -> None:
        self.branches += org.kind == OrganizationKind.BRANCH
        for name in ("findings_total", "rect_total", "closed", "overdue", "submitted", "red", "yellow"):
            setattr(self, name, getattr(self, name) + getattr(org, name))


@dataclass
class Grouping:
    rows: list[GroupRow]  # by path
    row_of: dict[int, GroupRow]  # the row each listed organisation (by id) counts in


def group_rows(organizations: list[Organization]) -> Grouping | None:
    """None when the branch table has at most ``TABLE_ROWS`` rows. Otherwise one row per
    organisation one level below the top of the scope, with its whole subtree's figures; a top
    organisation with figures of its own keeps a row of those. Arranges the rows of
    ``organization_rows``; no query."""
    if len(branch_rows(organizations)) <= TABLE_ROWS:
        return None
    by_path = {org.path: org for org in organizations}
    # Sorted by path, an organisation's subtree follows it: a top is one not under the previous top.
    tops: list[Organization] = []
    for org in organizations:
        if not tops or not org.path.startswith(tops[-1].path):
            tops.append(org)
    rows: dict[str, GroupRow] = {}
    of: dict[int, GroupRow] = {}
    top_index = 0
    for org in organizations:
        while not org.path.startswith(tops[top_index].path):
            top_index += 1
        top = tops[top_index]
        # The top itself, or the organisation one level below it on the way to ``org``.
        below = org.path[len(top.path) :].split("/", 1)[0]
        head_path = top.path + below + "/" if below else top.path
        head = by_path.get(head_path, org)
        row = rows.setdefault(head.path, GroupRow(head, subtree=org is not top))
        if org.listed:
            row.add(org)
            of[org.pk] = row
    ordered = {id(row): row for row in of.values()}  # first met in path order, as their members are
    return Grouping(rows=list(ordered.values()), row_of=of)


def ranking_by_overdue(branches: list[Organization], limit: int = RANKING_SIZE) -> list[Organization]:
    """逾期排名: the branches with the most overdue measures first (only those with any)."""
    return sorted((b for b in branches if b.overdue > 0), key=lambda b: (-b.overdue, -b.red, b.path))[:limit]


def ranking_by_completion(branches: list[Organization], limit: int = RANKING_SIZE) -> list[Organization]:
    """整改完成率排名, lowest first: the branches that lag most lead the list (only those with measures)."""
    ranked = (b for b in branches if b.rect_total > 0)
    return sorted(ranked, key=lambda b: (b.completion, -b.rect_total, b.path))[:limit]


# ---- categories, heat map, recurrence ------------------------------------------------------------------


def category_rows(
    rectifications: QuerySet[Rectification], today: datetime.date, cells: dict[tuple[int, int], Cell]
) -> list[Category]:
    """问题类别分布: per category with findings, its findings, recurring findings, open and overdue measures.
    Two queries (the categories, the measures grouped by category); the findings come from ``cells``."""
    findings_total: dict[int, int] = {}
    recurring: dict[int, int] = {}
    for (_org_id, category_id), cell in cells.items():
        findings_total[category_id] = findings_total.get(category_id, 0) + cell.findings
        recurring[category_id] = recurring.get(category_id, 0) + cell.recurring
    measures = {
        row["finding__category_id"]: row
        for row in rectifications.order_by()
        .values("finding__category_id")
        .annotate(open_total=Count("pk", filter=_open_q()), overdue=Count("pk", filter=_overdue_q(today)))
    }
    categories = []
    for category in Category.objects.order_by("sort_order", "id"):
        if not findings_total.get(category.pk):
            continue
        category.findings_total = findings_total[category.pk]
        category.recurring = recurring[category.pk]
        counts = measures.get(category.pk, {"open_total": 0, "overdue": 0})
        category.open_total, category.overdue = counts["open_total"], counts["overdue"]
        categories.append(category)
    return categories


def heat_map_counts(cells: dict[tuple[int, int], Cell]) -> dict[tuple[int, int], int]:
    """党组织 × 问题类别: findings per (organisation id, category id)."""
    return {key: cell.findings for key, cell in cells.items()}


def recurrence_rows(
    cells: dict[tuple[int, int], Cell], organizations: list[Organization], categories: list[Category]
) -> list[dict]:
    """反复出现的问题: per (organisation, category), the recurring findings among the counted ones and how
    many times the category has been found there in all, in how many inspections. From ``cells``."""
    org_by_id = {o.pk: o for o in organizations}
    category_by_id = {c.pk: c for c in categories}
    ranked = []
    for (org_id, category_id), cell in cells.items():
        if not cell.recurring or org_id not in org_by_id or category_id not in category_by_id:
            continue
        org, category = org_by_id[org_id], category_by_id[category_id]
        row = {
            "organization_id": org_id,
            "organization__name": org.name,
            "organization__path": org.path,
            "category_id": category_id,
            "category__name": category.name,
            "recurring": cell.recurring,
            "times_found": cell.times_found,
            "inspections": cell.inspections,
        }
        ranked.append(((-cell.recurring, org.path, category.sort_order), row))
    return [row for _order, row in sorted(ranked, key=lambda item: item[0])]


# ---- monthly trend -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date  # the first day of the month
    new_findings: int
    closed_rectifications: int

    @property
    def last_day(self) -> datetime.date:
        return _add_months(self.month, 1) - datetime.timedelta(days=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _as_month(value: datetime.date | datetime.datetime) -> datetime.date:
    # TruncMonth returns a date for a DateField and an aware datetime (already in the zone) for a moment.
    return value.date() if isinstance(value, datetime.datetime) else value


def monthly_trend(
    findings: QuerySet[Finding],
    rectifications: QuerySet[Rectification],
    *,
    until: datetime.date,
    months: int = TREND_MONTHS,
) -> list[MonthPoint]:
    """新发现问题 vs 销号整改措施, per calendar month for ``months`` months ending with ``until``'s month.

    Two grouped queries. Months are cut in SQL in Asia/Shanghai: a measure closed at 00:30 on the 1st
    (Beijing time) counts in the new month although it is still the previous month in UTC.
    """
    zone = timezone.get_current_timezone()
    first = _add_months(until.replace(day=1), -(months - 1))
    after = _add_months(until.replace(day=1), 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), zone)
    end = timezone.make_aware(datetime.datetime.combine(after, datetime.time.min), zone)
    new = (
        findings.filter(found_on__gte=first, found_on__lt=after)
        .annotate(month=TruncMonth("found_on"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    closed = (
        rectifications.filter(status=CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    new_by_month = {_as_month(row["month"]): row["n"] for row in new}
    closed_by_month = {_as_month(row["month"]): row["n"] for row in closed}
    points = []
    for i in range(months):
        month = _add_months(first, i)
        points.append(MonthPoint(month, new_by_month.get(month, 0), closed_by_month.get(month, 0)))
    return points


# ---- inspections against their report deadline --------------------------------------------------------


def inspection_rows(
    findings: QuerySet[Finding], rectifications: QuerySet[Rectification], today: datetime.date
) -> list[Inspection]:
    """整改进度 per inspection with findings in the viewer's scope, newest first. Three queries: the
    inspections, and the findings and measures grouped by inspection (see branch_rows for why grouped).

    Attributes: ``findings_total``, ``rect_total``, ``closed``, ``overdue``, ``completion`` (percent).
    Time progress against ``report_due_date`` is ``inspection_time_share``.
    """
    found = dict(findings.order_by().values("inspection_id").annotate(n=Count("pk")).values_list("inspection_id", "n"))
    measures = {
        row["finding__inspection_id"]: row
        for row in rectifications.order_by()
        .values("finding__inspection_id")
        .annotate(
            rect_total=Count("pk"),
            closed=Count("pk", filter=Q(status=CLOSED)),
            overdue=Count("pk", filter=_overdue_q(today)),
        )
    }
    inspections = list(
        Inspection.objects.filter(Exists(findings.filter(inspection_id=OuterRef("pk")))).order_by("-start_date", "-id")
    )
    empty = {"rect_total": 0, "closed": 0, "overdue": 0}
    for inspection in inspections:
        counts = measures.get(inspection.pk, empty)
        inspection.findings_total = found.get(inspection.pk, 0)
        inspection.rect_total, inspection.closed, inspection.overdue = (
            counts["rect_total"],
            counts["closed"],
            counts["overdue"],
        )
        inspection.completion = inspection.closed * 100 / inspection.rect_total if inspection.rect_total else None
    return inspections


def inspection_time_share(inspection: Inspection, today: datetime.date) -> float | None:
    """How much of the time from feedback (反馈) to the report deadline has passed, in percent (0–100)."""
    start, end = inspection.feedback_date, inspection.report_due_date
    if start is None or end is None or end <= start:
        return None
    return round(min(max((today - start).days / (end - start).days, 0), 1) * 100, 1)


# ---- 督办 ----------------------------------------------------------------------------------------------


def recent_escalations(user: User, filters: DashboardFilter | None = None, limit: int = 8) -> QuerySet[Escalation]:
    """近期督办 in the viewer's scope (within the drill-down), newest first."""
    return (
        Escalation.objects.filter(dashboard_scope_q(user, field="organization"))
        .filter(_focus_q(filters or DashboardFilter(), "organization"))
        .select_related("organization", "created_by", "rectification__finding__inspection")
        .order_by("-created_at", "-id")[:limit]
    )


def dashboard_scope(user: User) -> list[Organization]:
    """The organisations the viewer's dashboard covers, topmost first (empty for a superuser: all)."""
    if user.is_superuser:
        return []
    wanted = DASHBOARD_ROLES | {Role.ADMIN}
    ids = [g.organization_id for g in grants_of(user) if g.role in wanted]
    return list(Organization.objects.filter(pk__in=ids).order_by("depth", "path"))


# ---- everything at once --------------------------------------------------------------------------------


@dataclass
class HeatRow:
    organization: Organization | GroupRow
    cells: list[tuple[Category, int]]


def heat_rows_of(
    rows: list[Organization] | list[GroupRow], categories: list[Category], counts: dict[tuple[int, int], int]
) -> list[HeatRow]:
    """The heat map's grid: a loop over rows × categories, not over findings; rows without findings left out."""
    return [
        HeatRow(row, [(c, counts.get((row.pk, c.pk), 0)) for c in categories]) for row in rows if row.findings_total
    ]


@dataclass
class Dashboard:
    """All the dashboard's numbers, evaluated (each list is one query).

    ``branches`` and ``heat_rows`` have every branch (the export, the rankings); the page shows
    ``table_rows`` and ``table_heat_rows``: the same, or one row per organisation under the top of the scope
    when there are more than ``TABLE_ROWS`` (``groups``)."""

    filters: DashboardFilter
    today: datetime.date
    headline: Headline
    branches: list[Organization]
    overdue_ranking: list[Organization]
    completion_ranking: list[Organization]
    categories: list[Category]
    heat_rows: list[HeatRow]
    heat_max: int
    recurrences: list[dict]
    trend: list[MonthPoint]
    inspections: list[Inspection]
    escalations: list[Escalation]
    scope: list[Organization]
    groups: list[GroupRow] | None = None
    group_heat_rows: list[HeatRow] | None = None
    group_heat_max: int = 0
    # When the figures were counted: the page shows it, since they may come from the cache (cache.py),
    # under this key (None: not cached).
    computed_at: datetime.datetime = field(default_factory=timezone.now)
    cache_key: str | None = None
    # False for the cached summary a reload reads (dashboards/cache.py): the lists above are left empty.
    has_lists: bool = True

    @property
    def table_rows(self) -> list[Organization] | list[GroupRow]:
        return self.branches if self.groups is None else self.groups

    @property
    def table_heat_rows(self) -> list[HeatRow]:
        return self.heat_rows if self.group_heat_rows is None else self.group_heat_rows

    @property
    def table_heat_max(self) -> int:
        return self.heat_max if self.groups is None else self.group_heat_max

    @property
    def shown_recurrences(self) -> list[dict]:
        return self.recurrences[:RECURRENCE_ROWS]

    @property
    def shown_inspections(self) -> list[Inspection]:
        return self.inspections[:INSPECTION_ROWS]


def dashboard_build(user: User, filters: DashboardFilter, today: datetime.date | None = None) -> Dashboard:
    """Every figure for ``user`` under ``filters``: a fixed number of queries whatever the data's size."""
    today = today or local_today()
    findings = dashboard_findings(user, filters)
    rectifications = dashboard_rectifications(user, filters)
    everywhere = dashboard_findings(user, DashboardFilter(organization=filters.organization), with_period=False)
    cells = finding_cells(findings, everywhere)
    measures = measure_counts(rectifications, today)
    organizations = organization_rows(user, filters, measures, cells)
    branches = branch_rows(organizations)
    categories = category_rows(rectifications, today, cells)
    counts = heat_map_counts(cells)
    grouping = group_rows(organizations)
    group_counts: dict[tuple[int, int], int] = {}
    if grouping is not None:
        for (org_id, category_id), n in counts.items():
            if org_id in grouping.row_of:
                key = (grouping.row_of[org_id].pk, category_id)
                group_counts[key] = group_counts.get(key, 0) + n
    inspections = inspection_rows(findings, rectifications, today)
    for inspection in inspections:
        inspection.time_share = inspection_time_share(inspection, today)
        inspection.days_to_report = (inspection.report_due_date - today).days if inspection.report_due_date else None
    return Dashboard(
        filters=filters,
        today=today,
        headline=headline_figures(cells, measures),
        branches=branches,
        overdue_ranking=ranking_by_overdue(branches),
        completion_ranking=ranking_by_completion(branches),
        categories=categories,
        heat_rows=heat_rows_of(branches, categories, counts),
        heat_max=max(counts.values(), default=0),
        recurrences=recurrence_rows(cells, branches, categories),
        trend=monthly_trend(
            dashboard_findings(user, filters, with_period=False),
            dashboard_rectifications(user, filters, with_period=False),
            until=min(filters.date_to or today, today),
        ),
        inspections=inspections,
        escalations=list(recent_escalations(user, filters)),
        scope=[filters.organization] if filters.organization else dashboard_scope(user),
        groups=grouping.rows if grouping else None,
        group_heat_rows=heat_rows_of(grouping.rows, categories, group_counts) if grouping else None,
        group_heat_max=max(group_counts.values(), default=0),
    )
