"""Every figure of the dashboard at once: ``dashboard_build`` and the ``Dashboard`` it returns."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.dashboards.selectors.base import (
    DashboardFilter,
    dashboard_findings,
    dashboard_rectifications,
)
from partyreview.dashboards.selectors.blocks import BlockView
from partyreview.dashboards.selectors.branches import (
    GroupRow,
    branch_rows,
    group_rows,
    organization_rows,
    ranking_by_completion,
    ranking_by_overdue,
    scope_organizations,
)
from partyreview.dashboards.selectors.categories import (
    RECURRENCE_ROWS,
    category_rows,
    first_recurrences,
    heat_map_counts,
    recurrence_count,
    recurrence_rows,
)
from partyreview.dashboards.selectors.figures import Cell, Headline, headline_figures
from partyreview.dashboards.selectors.inspections import (
    InspectionRow,
    ReadInspections,
    dashboard_scope,
    inspection_rows,
    inspection_time_share,
    inspection_values,
    recent_escalations,
)
from partyreview.dashboards.selectors.lifecycle import LifecycleFigures
from partyreview.dashboards.selectors.pairs import CellKey, RecurrencePair, pairs_by_cell, shown_pairs
from partyreview.dashboards.selectors.partials import (
    Partial,
    PartialSums,
    merge_sums,
    organization_partials,
    partial_sums,
)
from partyreview.dashboards.selectors.trend import MonthPoint, trend_points
from partyreview.inspections.models import Category
from partyreview.organizations.models import Organization
from partyreview.rectifications.models import Escalation

# The longest list the page shows of inspections (of 反复出现: categories.RECURRENCE_ROWS); the export has
# them all.
INSPECTION_ROWS = 30

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
    cells: dict[tuple[int, int], Cell]  # the findings by (organisation id, category id): ``recurrences``
    heat_counts: dict[tuple[int, int], int]  # findings by (organisation id, category id): ``heat_rows``
    heat_max: int
    # 反复出现: the rows the page shows, and how many there are (``recurrences`` has them all).
    shown_recurrences: list[dict]
    recurrence_total: int
    trend: list[MonthPoint]
    inspections: list[InspectionRow]
    escalations: list[Escalation]
    scope: list[Organization]
    lifecycle: LifecycleFigures | None = None
    groups: list[GroupRow] | None = None
    group_heat_rows: list[HeatRow] | None = None
    group_heat_max: int = 0
    # The shown recurrence rows' findings paired with the earlier ones they resemble (pairs.py); few, so
    # kept in the summary a reload reads as well.
    recurrence_pairs: list[RecurrencePair] = field(default_factory=list)
    # When the figures were counted: the page shows it, since they may come from the cache (cache.py),
    # under this key (None: not cached).
    computed_at: datetime.datetime = field(default_factory=timezone.now)
    cache_key: str | None = None
    # False for the cached summary a reload reads (dashboards/cache.py) and for a page put together from
    # its blocks: the lists above are left empty (the export counts them).
    has_lists: bool = True
    # Whether the page's sections can be drawn from it: False only for the cached summary.
    drawable: bool = True
    # The branch table's rows in full (``branches``, or those the blocks had).
    branch_total: int = 0

    @property
    def heat_rows(self) -> list[HeatRow]:
        """The heat map of every branch (the export; the page's too when not grouped): made when asked, since
        a committee's page shows one row per general branch and a thousand branches' rows took 35 ms."""
        return heat_rows_of(self.branches, self.categories, self.heat_counts)

    @property
    def heat_contents(self) -> tuple:
        """What the heat map reads, as plain values (its key in the cache: ``figures_part``): the categories'
        ids and names, each row's organisation id, name and counts, the largest count. Not its rows' other
        figures, which change with every measure saved while the heat map (findings) stays."""
        return (
            [(c.pk, c.name) for c in self.categories],
            [(row.organization.pk, row.organization.name, [n for _c, n in row.cells]) for row in self.table_heat_rows],
            self.table_heat_max,
            self.grouped,
        )

    @property
    def grouped(self) -> bool:
        """Whether the tables show one row per organisation under the top of the scope (``groups``)."""
        return self.groups is not None

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
    def recurrences(self) -> list[dict]:
        """Every row of 反复出现 (the export): made when asked, as ``heat_rows``."""
        return recurrence_rows(self.cells, self.branches, self.categories)

    @property
    def shown_inspections(self) -> list[InspectionRow]:
        return self.inspections[:INSPECTION_ROWS]


# Counts the shares of the given organisations (None: of the whole scope), by id (``partials``).
CountShares = Callable[[list[int] | None], dict[int, Partial]]
# Gives the shares of the scope's organisations added up, counting with the second argument those it lacks.
GatherShares = Callable[[list[Organization], CountShares], PartialSums]
# Finds the recurrence pairs of the given (organisation id, category id) cells (``pairs.pairs_by_cell``).
CountPairs = Callable[[list[CellKey]], dict[CellKey, list[RecurrencePair]]]
# Gives the pairs of the given cells, finding with the second argument those it lacks.
GatherPairs = Callable[[list[CellKey], CountPairs], dict[CellKey, list[RecurrencePair]]]


def dashboard_shares(user: User, filters: DashboardFilter, today: datetime.date) -> CountShares:
    """Counts the organisations' shares of ``user``'s dashboard under ``filters`` (``partials``)."""
    everywhere = dashboard_findings(user, DashboardFilter(organization=filters.organization), with_period=False)

    def count(organization_ids: list[int] | None) -> dict[int, Partial]:
        return organization_partials(
            findings=dashboard_findings(user, filters),
            everywhere=everywhere,
            rectifications=dashboard_rectifications(user, filters),
            trend_findings=dashboard_findings(user, filters, with_period=False),
            trend_rectifications=dashboard_rectifications(user, filters, with_period=False),
            today=today,
            until=trend_until(filters, today),
            organization_ids=organization_ids,
        )

    return count


def dashboard_pairs(user: User, filters: DashboardFilter) -> CountPairs:
    """Finds the recurrence pairs of cells of ``user``'s dashboard under ``filters`` (``pairs``)."""

    def count(cells: list[CellKey]) -> dict[CellKey, list[RecurrencePair]]:
        return pairs_by_cell(
            dashboard_findings(user, filters),
            dashboard_findings(user, DashboardFilter(organization=filters.organization), with_period=False),
            cells,
        )

    return count


def trend_until(filters: DashboardFilter, today: datetime.date) -> datetime.date:
    return min(filters.date_to or today, today)


def dashboard_build(
    user: User,
    filters: DashboardFilter,
    today: datetime.date | None = None,
    *,
    organizations: list[Organization] | None = None,
    gather: GatherShares | None = None,
    gather_pairs: GatherPairs | None = None,
    read_inspections: ReadInspections = inspection_values,
) -> Dashboard:
    """Every figure for ``user`` under ``filters``: a fixed number of queries whatever the data's size.
    The organisations' shares are counted for the whole scope at once and added up, or given added up by
    ``gather`` (the cache: dashboards/cache.py), which counts only those it lacks; the same for the
    recurrence pairs of the shown recurrence rows and ``gather_pairs``. ``organizations``: the scope's, when
    already read (``scope_organizations``)."""
    today = today or local_today()
    if organizations is None:
        organizations = scope_organizations(user, filters)
    count = dashboard_shares(user, filters, today)
    sums = gather(organizations, count) if gather else partial_sums(count(None))
    cells, measures = sums.cells, sums.measures
    rows = organization_rows(organizations, measures, cells)
    branches = branch_rows(rows)
    categories = category_rows(cells, sums.category_measures)
    counts = heat_map_counts(cells)
    grouping = group_rows(rows)
    group_counts: dict[tuple[int, int], int] = {}
    if grouping is not None:
        # The row's id looked up once per organisation, not once per cell (15,000 at a committee).
        group_of = {org_id: row.pk for org_id, row in grouping.row_of.items()}
        for (org_id, category_id), n in counts.items():
            group_id = group_of.get(org_id)
            if group_id is not None:
                group_counts[(group_id, category_id)] = group_counts.get((group_id, category_id), 0) + n
    recurrences = recurrence_rows(cells, branches, categories, limit=RECURRENCE_ROWS)
    return Dashboard(
        **_sections(user, filters, today, sums, recurrences, gather_pairs, read_inspections),
        branches=branches,
        overdue_ranking=ranking_by_overdue(branches),
        completion_ranking=ranking_by_completion(branches),
        categories=categories,
        heat_counts=counts,
        heat_max=max(counts.values(), default=0),
        cells=cells,
        recurrence_total=recurrence_count(cells, branches, categories),
        groups=grouping.rows if grouping else None,
        group_heat_rows=heat_rows_of(grouping.rows, categories, group_counts) if grouping else None,
        group_heat_max=max(group_counts.values(), default=0),
        branch_total=len(branches),
    )


def dashboard_from_blocks(
    user: User,
    filters: DashboardFilter,
    today: datetime.date,
    views: list[BlockView],
    *,
    gather_pairs: GatherPairs | None = None,
    read_inspections: ReadInspections = inspection_values,
) -> Dashboard:
    """The page of a scope whose branch table is grouped (more than ``TABLE_ROWS`` rows), from its blocks'
    views (``blocks``): every section ``dashboard_build`` gives the page, by the same functions, without
    the rows of every branch (``has_lists`` False: the export counts those). A few queries (categories,
    inspections, the pairs it lacks, escalations, scope)."""
    sums = merge_sums(view.sums for view in views)
    categories = category_rows(sums.cells, sums.category_measures)
    groups = [view.group for view in views if view.group is not None]
    counts = heat_map_counts(sums.cells)  # by (group row, category): each block's cells are its row's
    recurrences = first_recurrences([r for view in views for r in view.recurrences], categories, RECURRENCE_ROWS)
    return Dashboard(
        **_sections(user, filters, today, sums, recurrences, gather_pairs, read_inspections),
        branches=[],
        overdue_ranking=ranking_by_overdue([b for view in views for b in view.overdue]),
        completion_ranking=ranking_by_completion([b for view in views for b in view.completion]),
        categories=categories,
        cells={},
        heat_counts={},
        heat_max=0,
        recurrence_total=sum(view.recurrence_total for view in views),
        groups=groups,
        group_heat_rows=heat_rows_of(groups, categories, counts),
        group_heat_max=max(counts.values(), default=0),
        branch_total=sum(view.listed for view in views),
        has_lists=False,
    )


def _sections(
    user: User,
    filters: DashboardFilter,
    today: datetime.date,
    sums: PartialSums,
    recurrences: list[dict],
    gather_pairs: GatherPairs | None,
    read_inspections: ReadInspections,
) -> dict:
    """What both builders make alike from the sums: the headline, lifecycle and trend, the shown
    recurrences with their pairs (pairs.py: two queries for the cells ``gather_pairs`` lacks, all of them
    without it), the inspections against their report deadline, the recent escalations and the scope."""
    cells = [(row["organization_id"], row["category_id"]) for row in recurrences]
    find_pairs = dashboard_pairs(user, filters)
    inspections = inspection_rows(sums.inspection_findings, sums.inspection_measures, read_inspections)
    for inspection in inspections:
        inspection.time_share = inspection_time_share(inspection, today)
        inspection.days_to_report = (inspection.report_due_date - today).days if inspection.report_due_date else None
    return {
        "filters": filters,
        "today": today,
        "headline": headline_figures(sums.cells, sums.measures),
        "lifecycle": LifecycleFigures(**sums.lifecycle),
        "shown_recurrences": recurrences,
        "recurrence_pairs": shown_pairs(cells, gather_pairs(cells, find_pairs) if gather_pairs else find_pairs(cells)),
        "trend": trend_points(sums.new_by_month, sums.closed_by_month, until=trend_until(filters, today)),
        "inspections": inspections,
        "escalations": list(recent_escalations(user, filters)),
        "scope": [filters.organization] if filters.organization else dashboard_scope(user),
    }
