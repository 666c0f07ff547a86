"""整改看板的统计读取：every figure of the committee dashboard, aggregated in the database.

Each function takes the viewer's scoped, filtered querysets and returns aggregates: counts come from
``aggregate()``, grouped ``values().annotate()`` or correlated ``Subquery`` counts, never from Python
loops over findings or rectifications. Python only arranges the (few) aggregated rows for display, so
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
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
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


@dataclass(frozen=True)
class DashboardFilter:
    """What the viewer narrowed the dashboard to (all optional)."""

    inspection: Inspection | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None


# ---- the scoped, filtered base querysets ---------------------------------------------------------------


def dashboard_findings(user: User, filters: DashboardFilter, *, with_period: bool = True) -> QuerySet[Finding]:
    """The findings the dashboard counts: in the viewer's lead/staff scope, not archived, filtered."""
    qs = Finding.objects.filter(dashboard_scope_q(user, field="organization"), is_archived=False)
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


# ---- expressions shared by the reads below -------------------------------------------------------------


def _count_by(qs: QuerySet, outer_field: str, condition: Q | None = None) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``qs`` rows whose ``outer_field`` is the outer row: one subquery per
    figure keeps several relations apart (joining findings and rectifications at once would multiply rows)."""
    if condition is not None:
        qs = qs.filter(condition)
    counted = (
        qs.filter(**{outer_field: OuterRef("pk")}).order_by().values(outer_field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _open_q() -> Q:
    return ~Q(status=CLOSED)


def _overdue_q(today: datetime.date) -> Q:
    return _open_q() & Q(due_date__lt=today)


def _on_time_q() -> Q:
    # closed_at is a moment; the deadline a calendar day in Asia/Shanghai (__date converts to it).
    return Q(status=CLOSED, closed_at__date__lte=F("original_due_date"))


def _percent(part: str, whole: str) -> Case:
    """``part`` as a percentage of ``whole`` in SQL (NULL when ``whole`` is 0), so rankings sort in SQL."""
    return Case(
        When(**{f"{whole}__gt": 0}, then=Cast(F(part), FloatField()) * Value(100.0) / Cast(F(whole), FloatField())),
        default=Value(None),
        output_field=FloatField(),
    )


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


def headline_figures(
    findings: QuerySet[Finding], rectifications: QuerySet[Rectification], today: datetime.date
) -> Headline:
    """Two queries: one aggregate over the findings, one over the rectifications."""
    f = findings.aggregate(total=Count("pk"), recurring=Count("pk", filter=recurring_q()))
    to_close = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    r = rectifications.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=CLOSED)),
        on_time=Count("pk", filter=_on_time_q()),
        overdue=Count("pk", filter=_overdue_q(today)),
        submitted=Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        open=Count("pk", filter=_open_q()),
        red=Count("pk", filter=light_q(Light.RED, today)),
        yellow=Count("pk", filter=light_q(Light.YELLOW, today)),
        average=Avg(to_close, filter=Q(status=CLOSED)),
    )
    average = r["average"]
    return Headline(
        findings=f["total"],
        recurring_findings=f["recurring"],
        rectifications=r["total"],
        closed=r["closed"],
        on_time=r["on_time"],
        overdue=r["overdue"],
        submitted=r["submitted"],
        open=r["open"],
        red=r["red"],
        yellow=r["yellow"],
        average_days_to_close=round(average.total_seconds() / 86400, 1) if average is not None else None,
    )


# ---- branches: lights and rankings ---------------------------------------------------------------------


def branch_rows(
    user: User, findings: QuerySet[Finding], rectifications: QuerySet[Rectification], today: datetime.date
) -> QuerySet[Organization]:
    """The viewer's branches (and any other organisation of the scope that has findings), each annotated
    with its counts, completion rate and light. One query; order it for a ranking (see below).

    Annotations: ``findings_total``, ``rect_total``, ``closed``, ``overdue``, ``submitted``, ``red``,
    ``yellow``, ``light`` (worst light of its open measures; green when none is open) and ``completion``
    (percent, NULL without measures). Counts are of the organisation itself (measures whose responsible
    organisation it is), not of its subtree: branches are the leaves that rectify.
    """
    has_findings = findings.filter(organization_id=OuterRef("pk"))
    has_rectifications = rectifications.filter(responsible_org_id=OuterRef("pk"))
    return (
        Organization.objects.filter(dashboard_scope_q(user, field=""))
        .filter(
            Q(kind=OrganizationKind.BRANCH, is_active=True) | Q(Exists(has_findings)) | Q(Exists(has_rectifications))
        )
        .annotate(
            findings_total=_count_by(findings, "organization"),
            rect_total=_count_by(rectifications, "responsible_org"),
            closed=_count_by(rectifications, "responsible_org", Q(status=CLOSED)),
            overdue=_count_by(rectifications, "responsible_org", _overdue_q(today)),
            submitted=_count_by(rectifications, "responsible_org", Q(status=RectificationStatus.SUBMITTED)),
            red=_count_by(rectifications, "responsible_org", light_q(Light.RED, today)),
            yellow=_count_by(rectifications, "responsible_org", light_q(Light.YELLOW, today)),
        )
        .annotate(
            light=Case(
                When(red__gt=0, then=Value(Light.RED)),
                When(yellow__gt=0, then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=IntegerField(),
            ),
            completion=_percent("closed", "rect_total"),
        )
        .order_by("path")
    )


def ranking_by_overdue(branches: QuerySet[Organization], limit: int = RANKING_SIZE) -> QuerySet[Organization]:
    """逾期排名: the branches with the most overdue measures first (only those with any)."""
    return branches.filter(overdue__gt=0).order_by("-overdue", "-red", "path")[:limit]


def ranking_by_completion(branches: QuerySet[Organization], limit: int = RANKING_SIZE) -> QuerySet[Organization]:
    """整改完成率排名, lowest first: the branches that lag most lead the list (only those with measures)."""
    return branches.filter(rect_total__gt=0).order_by("completion", "-rect_total", "path")[:limit]


# ---- categories, heat map, recurrence ------------------------------------------------------------------


def category_rows(
    findings: QuerySet[Finding], rectifications: QuerySet[Rectification], today: datetime.date
) -> QuerySet[Category]:
    """问题类别分布: per category with findings, its findings, open and overdue measures. One query."""
    return (
        Category.objects.annotate(
            findings_total=_count_by(findings, "category"),
            recurring=_count_by(findings, "category", recurring_q()),
            open_total=_count_by(rectifications, "finding__category", _open_q()),
            overdue=_count_by(rectifications, "finding__category", _overdue_q(today)),
        )
        .filter(findings_total__gt=0)
        .order_by("sort_order", "id")
    )


def heat_map_counts(findings: QuerySet[Finding]) -> dict[tuple[int, int], int]:
    """党组织 × 问题类别: findings per (organisation id, category id), grouped in SQL."""
    cells = findings.order_by().values("organization_id", "category_id").annotate(n=Count("pk"))
    return {(c["organization_id"], c["category_id"]): c["n"] for c in cells}


def recurrence_rows(findings: QuerySet[Finding]) -> QuerySet:
    """反复出现的问题: per (organisation, category), the recurring findings among ``findings`` and how many
    times the category has been found there in all (every inspection, not only the filtered ones)."""
    found_there = (
        Finding.objects.filter(
            is_archived=False, organization_id=OuterRef("organization_id"), category_id=OuterRef("category_id")
        )
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    inspections_there = (
        Finding.objects.filter(
            is_archived=False, organization_id=OuterRef("organization_id"), category_id=OuterRef("category_id")
        )
        .order_by()
        .values("organization_id")
        .annotate(n=Count("inspection_id", distinct=True))
        .values("n")
    )
    return (
        findings.filter(recurring_q())
        .order_by()
        .values("organization_id", "organization__name", "organization__path", "category_id", "category__name")
        .annotate(
            recurring=Count("pk"),
            times_found=Subquery(found_there, output_field=IntegerField()),
            inspections=Subquery(inspections_there, output_field=IntegerField()),
        )
        .order_by("-recurring", "organization__path", "category__sort_order")
    )


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
) -> QuerySet[Inspection]:
    """整改进度 per inspection with findings in the viewer's scope, newest first. One query.

    Annotations: ``findings_total``, ``rect_total``, ``closed``, ``overdue``, ``completion`` (percent).
    Time progress against ``report_due_date`` is ``inspection_time_share``.
    """
    return (
        Inspection.objects.filter(Exists(findings.filter(inspection_id=OuterRef("pk"))))
        .annotate(
            findings_total=_count_by(findings, "inspection"),
            rect_total=_count_by(rectifications, "finding__inspection"),
            closed=_count_by(rectifications, "finding__inspection", Q(status=CLOSED)),
            overdue=_count_by(rectifications, "finding__inspection", _overdue_q(today)),
        )
        .annotate(completion=_percent("closed", "rect_total"))
        .order_by("-start_date", "-id")
    )


def inspection_time_share(inspection: Inspection, today: datetime.date) -> float | None:
    """How much of the time from feedback (反馈) to the report deadline has passed, in percent (0–100)."""
    start, end = inspection.feedback_date, inspection.report_due_date
    if start is None or end is None or end <= start:
        return None
    return round(min(max((today - start).days / (end - start).days, 0), 1) * 100, 1)


# ---- 督办 ----------------------------------------------------------------------------------------------


def recent_escalations(user: User, limit: int = 8) -> QuerySet[Escalation]:
    """近期督办 in the viewer's scope, newest first."""
    return (
        Escalation.objects.filter(dashboard_scope_q(user, field="organization"))
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
    organization: Organization
    cells: list[tuple[Category, int]]


@dataclass
class Dashboard:
    """All the dashboard's numbers, evaluated (each list is one query)."""

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


def dashboard_build(user: User, filters: DashboardFilter, today: datetime.date | None = None) -> Dashboard:
    """Every figure for ``user`` under ``filters``: a fixed number of queries whatever the data's size."""
    today = today or local_today()
    findings = dashboard_findings(user, filters)
    rectifications = dashboard_rectifications(user, filters)
    branches_qs = branch_rows(user, findings, rectifications, today)
    branches = list(branches_qs)
    categories = list(category_rows(findings, rectifications, today))
    counts = heat_map_counts(findings)
    # Arranging the grouped counts into a grid: a loop over branches × categories, not over findings.
    heat_rows = [
        HeatRow(b, [(c, counts.get((b.pk, c.pk), 0)) for c in categories]) for b in branches if b.findings_total
    ]
    inspections = list(inspection_rows(findings, rectifications, today))
    for inspection in inspections:
        inspection.time_share = inspection_time_share(inspection, today)
        inspection.days_to_report = (inspection.report_due_date - today).days if inspection.report_due_date else None
    return Dashboard(
        filters=filters,
        today=today,
        headline=headline_figures(findings, rectifications, today),
        branches=branches,
        overdue_ranking=list(ranking_by_overdue(branches_qs)),
        completion_ranking=list(ranking_by_completion(branches_qs)),
        categories=categories,
        heat_rows=heat_rows,
        heat_max=max(counts.values(), default=0),
        recurrences=list(recurrence_rows(findings)),
        trend=monthly_trend(
            dashboard_findings(user, filters, with_period=False),
            dashboard_rectifications(user, filters, with_period=False),
            until=min(filters.date_to or today, today),
        ),
        inspections=inspections,
        escalations=list(recent_escalations(user)),
        scope=dashboard_scope(user),
    )
