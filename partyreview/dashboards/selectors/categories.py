"""Categories, the heat map and recurrence (反复出现)."""

from partyreview.dashboards.selectors.figures import Cell
from partyreview.inspections.models import Category
from partyreview.organizations.models import Organization

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
