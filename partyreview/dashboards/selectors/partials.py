"""Each organisation's share of the dashboard's figures, counted apart so that they can be kept apart.

Every figure of the dashboard is a sum over organisations: a measure counts in its responsible
organisation, a finding in its organisation, and 反复出现 compares a finding only with the earlier findings
of the same organisation and category. So the grouped queries of the dashboard are run grouped by
organisation as well (``organization_partials``), and the page adds the shares up (``PartialSums``). Counted
for the whole scope at once, this is the dashboard's own count; counted for a few organisations (those a
write concerned since the page was last counted, ``dashboards.cache``), it is the same queries narrowed to
their ids, and the other organisations' shares come from the cache. The query count does not depend on how
many organisations are counted (tests/dashboards/test_query_count.py).

Shares hold only plain numbers (the objects are read when the page is assembled): a thousand of them
unpickle in milliseconds.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partyreview.dashboards.selectors.base import CLOSED, open_q, overdue_q
from partyreview.dashboards.selectors.figures import MEASURE_FIGURES, Cell, counted_per_cell, measure_figures
from partyreview.dashboards.selectors.trend import as_month, trend_window
from partyreview.inspections.models import Finding
from partyreview.rectifications.models import Rectification, RectificationEffect, RectificationKind, kept_up_q
from partyreview.rectifications.selectors import relapsed_q

LIFECYCLE_FIGURES = (
    "immediate",
    "immediate_closed",
    "kept_up",
    "stage_closed",
    "report_missing",
    "substantive",
    "follow_up",
)


@dataclass
class Partial:
    """One organisation's share: its measures (as responsible organisation) and its findings."""

    measures: dict[str, object] = field(default_factory=dict)  # MEASURE_FIGURES and close_time
    cells: dict[int, Cell] = field(default_factory=dict)  # by category id
    category_measures: dict[int, tuple[int, int]] = field(default_factory=dict)  # (open, overdue) by category
    inspection_findings: dict[int, int] = field(default_factory=dict)
    inspection_measures: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # total, closed, overdue
    lifecycle: dict[str, int] = field(default_factory=dict)
    relapsed_findings: frozenset[int] = frozenset()
    new_by_month: dict[datetime.date, int] = field(default_factory=dict)
    closed_by_month: dict[datetime.date, int] = field(default_factory=dict)


def organization_partials(
    *,
    findings: QuerySet[Finding],
    everywhere: QuerySet[Finding],
    rectifications: QuerySet[Rectification],
    trend_findings: QuerySet[Finding],
    trend_rectifications: QuerySet[Rectification],
    today: datetime.date,
    until: datetime.date,
    organization_ids: Iterable[int] | None = None,
) -> dict[int, Partial]:
    """The shares of the organisations of ``organization_ids`` (None: of every organisation the querysets
    reach), by id; an organisation without figures gets an empty share. Ten grouped queries."""
    if organization_ids is not None:
        ids = list(organization_ids)
        findings = findings.filter(organization_id__in=ids)
        everywhere = everywhere.filter(organization_id__in=ids)
        trend_findings = trend_findings.filter(organization_id__in=ids)
        rectifications = rectifications.filter(responsible_org_id__in=ids)
        trend_rectifications = trend_rectifications.filter(responsible_org_id__in=ids)
    partials: dict[int, Partial] = {org_id: Partial() for org_id in organization_ids or ()}

    def of(org_id: int) -> Partial:
        return partials.setdefault(org_id, Partial())

    # Findings per (organisation, category), with 反复出现 (figures.finding_cells).
    for row in (
        everywhere.order_by()
        .values("organization_id", "category_id")
        .annotate(n=Count("pk"), inspections=Count("inspection_id", distinct=True))
    ):
        of(row["organization_id"]).cells[row["category_id"]] = Cell(
            times_found=row["n"], inspections=row["inspections"]
        )
    for org_id, category_id, n, recurring in counted_per_cell(findings, everywhere):
        cells = of(org_id).cells
        cells[category_id] = cells.get(category_id, Cell())._replace(findings=n, recurring=recurring)
    for partial in partials.values():
        partial.cells = {key: cell for key, cell in partial.cells.items() if cell.findings}

    for row in rectifications.order_by().values("responsible_org_id").annotate(**measure_figures(today)):
        of(row.pop("responsible_org_id")).measures = row
    for row in (
        rectifications.order_by()
        .values("responsible_org_id", "finding__category_id")
        .annotate(open_total=Count("pk", filter=open_q()), overdue=Count("pk", filter=overdue_q(today)))
    ):
        of(row["responsible_org_id"]).category_measures[row["finding__category_id"]] = (
            row["open_total"],
            row["overdue"],
        )

    for row in findings.order_by().values("organization_id", "inspection_id").annotate(n=Count("pk")):
        of(row["organization_id"]).inspection_findings[row["inspection_id"]] = row["n"]
    for row in (
        rectifications.order_by()
        .values("responsible_org_id", "finding__inspection_id")
        .annotate(
            rect_total=Count("pk"),
            closed=Count("pk", filter=Q(status=CLOSED)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    ):
        of(row["responsible_org_id"]).inspection_measures[row["finding__inspection_id"]] = (
            row["rect_total"],
            row["closed"],
            row["overdue"],
        )

    closed = Q(status=CLOSED)
    immediate = Q(kind=RectificationKind.IMMEDIATE)
    for row in (
        rectifications.order_by()
        .values("responsible_org_id")
        .annotate(
            immediate=Count("pk", filter=immediate),
            immediate_closed=Count("pk", filter=immediate & closed),
            kept_up=Count("pk", filter=kept_up_q()),
            stage_closed=Count("pk", filter=kept_up_q() & closed),
            report_missing=Count("pk", filter=kept_up_q() & Q(report_due_on__lt=today)),
            substantive=Count("pk", filter=closed & Q(effect=RectificationEffect.SUBSTANTIVE)),
            follow_up=Count("pk", filter=closed & Q(effect=RectificationEffect.FOLLOW_UP)),
        )
    ):
        of(row.pop("responsible_org_id")).lifecycle = row
    # 问题反弹 counts findings, and one finding's measures may lie with several organisations: the ids, so
    # that the sum counts each finding once (there are few).
    relapsed: dict[int, set[int]] = {}
    for org_id, finding_id in (
        rectifications.filter(relapsed_q()).order_by().values_list("responsible_org_id", "finding_id").distinct()
    ):
        relapsed.setdefault(org_id, set()).add(finding_id)
    for org_id, ids in relapsed.items():
        of(org_id).relapsed_findings = frozenset(ids)

    # The monthly trend (trend.monthly_trend), cut in Asia/Shanghai.
    zone = timezone.get_current_timezone()
    first, after, start, end = trend_window(until)
    for row in (
        trend_findings.filter(found_on__gte=first, found_on__lt=after)
        .annotate(month=TruncMonth("found_on"))
        .order_by()
        .values("organization_id", "month")
        .annotate(n=Count("pk"))
    ):
        of(row["organization_id"]).new_by_month[as_month(row["month"])] = row["n"]
    for row in (
        trend_rectifications.filter(status=CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=zone))
        .order_by()
        .values("responsible_org_id", "month")
        .annotate(n=Count("pk"))
    ):
        of(row["responsible_org_id"]).closed_by_month[as_month(row["month"])] = row["n"]
    return partials


@dataclass
class PartialSums:
    """The shares of a scope's organisations added up, in the shapes the dashboard's sections read."""

    cells: dict[tuple[int, int], Cell]  # (organisation id, category id)
    measures: dict[int, dict]  # by organisation id (figures.measure_counts)
    category_measures: dict[int, dict[str, int]]  # by category id: open_total, overdue
    inspection_findings: dict[int, int]
    inspection_measures: dict[int, dict[str, int]]  # by inspection id: rect_total, closed, overdue
    lifecycle: dict[str, int]  # lifecycle.LifecycleFigures' fields
    new_by_month: dict[datetime.date, int]
    closed_by_month: dict[datetime.date, int]
    relapsed: frozenset[int] = frozenset()  # the findings 问题反弹 counts (lifecycle's relapsed_findings)


class _Totals:
    """The tables ``PartialSums`` holds, empty, added into by ``partial_sums`` (from shares) and
    ``merge_sums`` (from sums), each with its own loop: the first is the uncounted page's hot path."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.measures: dict[int, dict] = {}
        self.category_measures: dict[int, dict[str, int]] = {}
        self.inspection_findings: dict[int, int] = {}
        self.inspection_measures: dict[int, dict[str, int]] = {}
        self.lifecycle = dict.fromkeys(LIFECYCLE_FIGURES, 0)
        self.relapsed: set[int] = set()
        self.new_by_month: dict[datetime.date, int] = {}
        self.closed_by_month: dict[datetime.date, int] = {}

    def sums(self) -> PartialSums:
        return PartialSums(
            cells=self.cells,
            measures=self.measures,
            category_measures=self.category_measures,
            inspection_findings=self.inspection_findings,
            inspection_measures=self.inspection_measures,
            lifecycle={**self.lifecycle, "relapsed_findings": len(self.relapsed)},
            new_by_month=self.new_by_month,
            closed_by_month=self.closed_by_month,
            relapsed=frozenset(self.relapsed),
        )


def partial_sums(partials: dict[int, Partial]) -> PartialSums:
    """Adds up ``partials`` (by organisation id). No query."""
    t = _Totals()
    for org_id, partial in partials.items():
        for category_id, cell in partial.cells.items():
            t.cells[(org_id, category_id)] = cell
        if partial.measures:
            t.measures[org_id] = {"responsible_org_id": org_id, **partial.measures}
        for category_id, (open_total, overdue) in partial.category_measures.items():
            row = t.category_measures.setdefault(category_id, {"open_total": 0, "overdue": 0})
            row["open_total"] += open_total
            row["overdue"] += overdue
        _add(t.inspection_findings, partial.inspection_findings)
        for inspection_id, (total, closed, overdue) in partial.inspection_measures.items():
            row = t.inspection_measures.setdefault(inspection_id, {"rect_total": 0, "closed": 0, "overdue": 0})
            row["rect_total"] += total
            row["closed"] += closed
            row["overdue"] += overdue
        _add(t.lifecycle, partial.lifecycle)
        t.relapsed |= partial.relapsed_findings
        _add(t.new_by_month, partial.new_by_month)
        _add(t.closed_by_month, partial.closed_by_month)
    return t.sums()


def _add(into: dict, counts: dict) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


def _add_rows(into: dict[object, dict[str, int]], rows: dict[object, dict[str, int]]) -> None:
    for key, row in rows.items():
        mine = into.get(key)
        if mine is None:
            into[key] = dict(row)  # a copy: the sums added up are left as they were
        else:
            for name, n in row.items():
                mine[name] += n


def merge_sums(parts: Iterable[PartialSums]) -> PartialSums:
    """Adds up sums of disjoint sets of organisations (a committee's general branches, each summed from its
    branches' shares: dashboards/cache.py): the same as ``partial_sums`` of all their shares at once. The
    per-organisation tables are joined, the rest added. No query; ``parts`` are left as they were."""
    t = _Totals()
    for part in parts:
        t.cells.update(part.cells)
        t.measures.update(part.measures)
        _add_rows(t.category_measures, part.category_measures)
        _add(t.inspection_findings, part.inspection_findings)
        _add_rows(t.inspection_measures, part.inspection_measures)
        for name in LIFECYCLE_FIGURES:
            t.lifecycle[name] += part.lifecycle[name]
        t.relapsed |= part.relapsed
        _add(t.new_by_month, part.new_by_month)
        _add(t.closed_by_month, part.closed_by_month)
    return t.sums()


__all__ = ["MEASURE_FIGURES", "Partial", "PartialSums", "merge_sums", "organization_partials", "partial_sums"]
