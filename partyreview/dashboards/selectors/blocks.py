"""A large scope's page put together from its blocks: what each general branch's subtree contributes,
arranged once and kept (dashboards/cache.py), so that a committee's page after a write arranges one block
afresh instead of a thousand organisations.

A block is the subtree of an organisation one level below the top of the scope (a committee's general
branches), or the top's own share (``cache._blocks``): exactly the rows of the grouped branch table
(``branches.group_rows``). Of each block the page needs its row of that table, its branches that could
rank among the first of the scope (the first of each ranking within the block: the scope's first are
among them) and its first recurrences likewise, and its figures with every organisation's cells and
measures added into the row's. The sections are then made by the same functions as the ordinary page
(``build.dashboard_build``) from these: ``tests/dashboards/test_blocks.py`` compares every section.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from partyreview.dashboards.selectors.branches import (
    RANKING_SIZE,
    BranchFigures,
    GroupRow,
    branch_rows,
    organization_rows,
    ranking_by_completion,
    ranking_by_overdue,
)
from partyreview.dashboards.selectors.categories import RECURRENCE_ROWS, recurrence_count, recurrence_rows
from partyreview.dashboards.selectors.figures import MEASURE_FIGURES, Cell
from partyreview.dashboards.selectors.partials import PartialSums
from partyreview.inspections.models import Category
from partyreview.organizations.models import Organization


@dataclass
class BlockView:
    """What a grouped page needs of one block."""

    group: GroupRow | None  # its row of the branch table; None when nothing in it is listed
    listed: int  # its rows of the full branch table (the export's)
    overdue: list[BranchFigures]  # its first of each ranking
    completion: list[BranchFigures]
    recurrences: list[dict]  # its first recurrences (categories.recurrence_rows)
    recurrence_total: int
    sums: PartialSums  # cells and measures added into the group row's organisation; the rest as they were


def block_view(
    organizations: list[Organization], sums: PartialSums, categories: list[Category], *, subtree: bool
) -> BlockView:
    """The view of the block of ``organizations`` (by path: the first is its head) whose shares add up to
    ``sums``; ``subtree`` False for the top's own share. ``categories``: every category. No query."""
    rows = organization_rows(organizations, sums.measures, sums.cells)
    branches = branch_rows(rows)
    head = organizations[0]
    group = GroupRow(head, subtree=subtree)
    for org in branches:
        group.add(org)
    cells: dict[tuple[int, int], Cell] = {}
    for (_org_id, category_id), cell in sums.cells.items():
        kept = cells.get((head.pk, category_id), Cell())
        cells[(head.pk, category_id)] = Cell(kept.findings + cell.findings, kept.recurring + cell.recurring)
    measures = {name: sum(row[name] or 0 for row in sums.measures.values()) for name in MEASURE_FIGURES}
    close_times = [row["close_time"] for row in sums.measures.values() if row["close_time"]]
    measures["close_time"] = sum(close_times, datetime.timedelta()) if close_times else None
    return BlockView(
        group=group if branches else None,
        listed=len(branches),
        overdue=[BranchFigures.of(b) for b in ranking_by_overdue(branches, RANKING_SIZE)],
        completion=[BranchFigures.of(b) for b in ranking_by_completion(branches, RANKING_SIZE)],
        recurrences=recurrence_rows(sums.cells, branches, categories, limit=RECURRENCE_ROWS),
        recurrence_total=recurrence_count(sums.cells, branches, categories),
        sums=dataclasses.replace(sums, cells=cells, measures={head.pk: measures} if sums.measures else {}),
    )
