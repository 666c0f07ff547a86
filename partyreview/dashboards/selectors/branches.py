"""Organisations: their lights, their rows (grouped under the top of a large scope) and the rankings."""

from dataclasses import dataclass
from typing import TypeVar

from partyreview.accounts.models import User
from partyreview.dashboards.permissions import dashboard_scope_q
from partyreview.dashboards.selectors.base import DashboardFilter, focus_q
from partyreview.dashboards.selectors.figures import Cell
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.rectifications.models import Light

RANKING_SIZE = 15
# The page lists at most this many organisations; a scope with more (a committee of a thousand branches)
# is shown one row per organisation under its top, each a link down to its own dashboard. Tables a person
# reads, and a page that renders in the time of its queries (docs/performance.md). The export has them all.
TABLE_ROWS = 60
# What the rows show of an organisation and arrange by (a committee's thousand, read after every write).
SHOWN_FIELDS = ("id", "name", "code", "kind", "parent_id", "path", "depth", "sort_order", "is_active")
# The figures of an organisation's row (``organization_rows``), summed in a group's row.
FIGURES = ("findings_total", "rect_total", "closed", "overdue", "submitted", "red", "yellow")

# ---- branches: lights and rankings ---------------------------------------------------------------------
#
# Grouped aggregates, one pass over each table, merged here by id. Correlated per-row subqueries (one
# COUNT per figure per branch) took 15 s for 1,000 branches and 250,000 measures, and the rankings ran
# them twice more; docs/performance.md has the EXPLAIN. Python only arranges the aggregated rows.


def _light(red: int, yellow: int) -> int:
    return Light.RED if red else Light.YELLOW if yellow else Light.GREEN


def scope_organizations(user: User, filters: DashboardFilter) -> list[Organization]:
    """Every organisation of the viewer's scope (within the drill-down), active or not, by path. One query:
    the organisations whose shares the dashboard adds up (``partials``)."""
    return list(
        Organization.objects.filter(dashboard_scope_q(user, field=""))
        .filter(focus_q(filters, ""))
        .only(*SHOWN_FIELDS)
        .order_by("path")
    )


def organizations_by_id(ids: list[int]) -> list[Organization]:
    """The organisations of ``ids`` as ``scope_organizations`` reads them, by path. One query."""
    return list(Organization.objects.filter(pk__in=ids).only(*SHOWN_FIELDS).order_by("path"))


def organization_rows(
    organizations: list[Organization], measures: dict[int, dict], cells: dict[tuple[int, int], Cell]
) -> list[Organization]:
    """The active organisations of ``organizations`` (``scope_organizations``), and any other with figures,
    each with its own counts, by path. No query (the counts come from the measures and ``cells``).

    Attributes: ``findings_total``, ``rect_total``, ``closed``, ``overdue``, ``submitted``, ``red``,
    ``yellow``, ``light`` (worst light of its open measures; green when none is open), ``completion``
    (percent, None without measures) and ``listed`` (a branch, or any organisation with figures: the rows
    of the branch table). Counts are of the organisation itself (measures whose responsible organisation
    it is), not of its subtree: branches are the leaves that rectify.
    """
    found: dict[int, int] = {}
    for (org_id, _category_id), cell in cells.items():
        found[org_id] = found.get(org_id, 0) + cell.findings
    counted = set(found) | set(measures)
    rows = [org for org in organizations if org.is_active or org.pk in counted]
    empty = {"rect_total": 0, "closed": 0, "overdue": 0, "submitted": 0, "red": 0, "yellow": 0}
    for org in rows:
        counts = measures.get(org.pk, empty)
        for name in empty:
            setattr(org, name, counts[name])
        org.findings_total = found.get(org.pk, 0)
        org.light = _light(org.red, org.yellow)
        org.completion = org.closed * 100 / org.rect_total if org.rect_total else None
        org.listed = (org.kind == OrganizationKind.BRANCH and org.is_active) or org.pk in counted
    return rows


def branch_rows(organizations: list[Organization]) -> list[Organization]:
    """The branch table's rows: the viewer's branches, and any other organisation of the scope that has
    figures, by path (from ``organization_rows``)."""
    return [org for org in organizations if org.listed]


class _Lit:
    """The light and completion of a row that holds ``FIGURES``, as ``organization_rows`` sets them."""

    red: int
    yellow: int
    closed: int
    rect_total: int

    @property
    def light(self) -> int:
        return _light(self.red, self.yellow)

    @property
    def completion(self) -> float | None:
        return self.closed * 100 / self.rect_total if self.rect_total else None


@dataclass
class GroupRow(_Lit):
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
    def is_group(self) -> bool:
        """Counts organisations under it, so its row links down to its own dashboard."""
        return self.subtree and self.organization.kind != OrganizationKind.BRANCH

    def add(self, org: Organization) -> None:
        self.branches += org.kind == OrganizationKind.BRANCH
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(org, name))


@dataclass
class BranchFigures(_Lit):
    """A branch row's figures as plain values (``organization_rows`` sets them on the organisation): what
    the rankings show, kept per block of a large scope (``blocks``) without the organisation's record."""

    pk: int
    name: str
    path: str
    findings_total: int
    rect_total: int
    closed: int
    overdue: int
    submitted: int
    red: int
    yellow: int

    @classmethod
    def of(cls, org: Organization) -> "BranchFigures":
        return cls(org.pk, org.name, org.path, *(getattr(org, name) for name in FIGURES))


@dataclass
class Grouping:
    rows: list[GroupRow]  # by path
    row_of: dict[int, GroupRow]  # the row each listed organisation (by id) counts in


def grouped(rows: int) -> bool:
    """Whether a branch table of ``rows`` rows is shown one row per organisation under the top."""
    return rows > TABLE_ROWS


def group_rows(organizations: list[Organization]) -> Grouping | None:
    """None when the branch table has at most ``TABLE_ROWS`` rows. Otherwise one row per
    organisation one level below the top of the scope, with its whole subtree's figures; a top
    organisation with figures of its own keeps a row of those. Arranges the rows of
    ``organization_rows``; no query."""
    if not grouped(len(branch_rows(organizations))):
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


Ranked = TypeVar("Ranked", Organization, BranchFigures)


def ranking_by_overdue(branches: list[Ranked], limit: int = RANKING_SIZE) -> list[Ranked]:
    """逾期排名: the branches with the most overdue measures first (only those with any)."""
    return sorted((b for b in branches if b.overdue > 0), key=lambda b: (-b.overdue, -b.red, b.path))[:limit]


def ranking_by_completion(branches: list[Ranked], limit: int = RANKING_SIZE) -> list[Ranked]:
    """整改完成率排名, lowest first: the branches that lag most lead the list (only those with measures)."""
    ranked = (b for b in branches if b.rect_total > 0)
    return sorted(ranked, key=lambda b: (b.completion, -b.rect_total, b.path))[:limit]
