"""Categories, the heat map and recurrence (反复出现)."""

import heapq

from partyreview.dashboards.selectors.figures import Cell
from partyreview.inspections.models import Category
from partyreview.organizations.models import Organization

# The most recurrences the page shows; the export has them all.
RECURRENCE_ROWS = 30

# ---- categories, heat map, recurrence ------------------------------------------------------------------


def category_rows(cells: dict[tuple[int, int], Cell], category_measures: dict[int, dict[str, int]]) -> list[Category]:
    """问题类别分布: per category with findings, its findings, recurring findings, open and overdue measures.
    One query (the categories); the counts come from ``cells`` and the measures summed per category."""
    findings_total: dict[int, int] = {}
    recurring: dict[int, int] = {}
    for (_org_id, category_id), cell in cells.items():
        findings_total[category_id] = findings_total.get(category_id, 0) + cell.findings
        recurring[category_id] = recurring.get(category_id, 0) + cell.recurring
    categories = []
    for category in Category.objects.order_by("sort_order", "id"):
        if not findings_total.get(category.pk):
            continue
        category.findings_total = findings_total[category.pk]
        category.recurring = recurring[category.pk]
        counts = category_measures.get(category.pk, {"open_total": 0, "overdue": 0})
        category.open_total, category.overdue = counts["open_total"], counts["overdue"]
        categories.append(category)
    return categories


def heat_map_counts(cells: dict[tuple[int, int], Cell]) -> dict[tuple[int, int], int]:
    """党组织 × 问题类别: findings per (organisation id, category id)."""
    return {key: cell.findings for key, cell in cells.items()}


def recurrence_rows(
    cells: dict[tuple[int, int], Cell],
    organizations: list[Organization],
    categories: list[Category],
    limit: int | None = None,
) -> list[dict]:
    """反复出现的问题: per (organisation, category), the recurring findings among the counted ones and how
    many times the category has been found there in all, in how many inspections; most recurring first,
    then by organisation and category; the first ``limit`` (None: all). From ``cells``."""
    org_by_id = {o.pk: o for o in organizations}
    category_by_id = {c.pk: c for c in categories}
    # Ordered as plain tuples, the rows made after: a committee has some 15,000 recurring cells, and its
    # page shows thirty.
    keys = (
        _order(cell.recurring, org_by_id[org_id].path, category_by_id[category_id].sort_order, category_id, org_id)
        for (org_id, category_id), cell in cells.items()
        if cell.recurring and org_id in org_by_id and category_id in category_by_id
    )
    ranked = sorted(keys) if limit is None else heapq.nsmallest(limit, keys)
    rows = []
    for _recurring, path, _sort_order, category_id, org_id in ranked:
        cell, category = cells[(org_id, category_id)], category_by_id[category_id]
        rows.append(
            {
                "organization_id": org_id,
                "organization__name": org_by_id[org_id].name,
                "organization__path": path,
                "category_id": category_id,
                "category__name": category.name,
                "recurring": cell.recurring,
                "times_found": cell.times_found,
                "inspections": cell.inspections,
            }
        )
    return rows


def _order(recurring: int, path: str, sort_order: int, category_id: int, org_id: int) -> tuple:
    """反复出现's order: most recurring first, then by organisation (path) and category."""
    return (-recurring, path, sort_order, category_id, org_id)


def first_recurrences(rows: list[dict], categories: list[Category], limit: int) -> list[dict]:
    """The first ``limit`` of rows taken from several ``recurrence_rows`` lists (each a block's first), in
    the same order."""
    sort_order = {c.pk: c.sort_order for c in categories}

    def order(row: dict) -> tuple:
        org_id, category_id = row["organization_id"], row["category_id"]
        return _order(row["recurring"], row["organization__path"], sort_order[category_id], category_id, org_id)

    return heapq.nsmallest(limit, rows, key=order)


def recurrence_count(
    cells: dict[tuple[int, int], Cell], organizations: list[Organization], categories: list[Category]
) -> int:
    """How many rows ``recurrence_rows`` has in all."""
    orgs, kinds = {o.pk for o in organizations}, {c.pk for c in categories}
    return sum(1 for (org, category), cell in cells.items() if cell.recurring and org in orgs and category in kinds)
