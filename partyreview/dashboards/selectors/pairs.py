"""反复出现, linked: beside each recurring (organisation, category) of the dashboard, the pairs of a counted
finding and the earlier finding it resembles — the finding page's rule (``similar_earlier_findings``: same
organisation and category, an inspection that started earlier, bigram similarity at least
``SIMILARITY_THRESHOLD``), applied to the shown recurrence rows at once.

Two queries whatever the data's size: the newest counted findings of those cells and the newest findings of
the same cells in the whole scope, each cut per cell by a window function in the database; Python only
compares the few texts read. The pairs are cut as well: a cell whose problem came back a hundred times
shows its newest few, and the finding list behind the recurrence row has them all.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from partyreview.inspections.models import Finding
from partyreview.inspections.selectors import SIMILARITY_THRESHOLD, bigram_similarity, text_bigrams

# Counted findings read per (organisation, category), newest first; earlier ones read to compare them with.
NEWEST_PER_CELL = 5
CANDIDATES_PER_CELL = 40
PAIRS_SHOWN = 30

CellKey = tuple[int, int]  # (organisation id, category id)


class FindingRef(NamedTuple):
    """What a pair shows of a finding: plain values, so that kept pairs read back in microseconds (model
    instances with their inspection, organisation and category took 2 ms a cell to unpickle)."""

    pk: int
    sequence: int
    description: str
    inspection_title: str
    organization_name: str
    category_name: str

    @classmethod
    def of(cls, finding: Finding) -> "FindingRef":
        return cls(
            finding.pk,
            finding.sequence,
            finding.description,
            finding.inspection.title,
            finding.organization.name,
            finding.category.name,
        )


@dataclass(frozen=True)
class RecurrencePair:
    """A counted finding and the earlier one of its organisation and category that it resembles."""

    finding: FindingRef
    earlier: FindingRef
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _newest_per_cell(qs: QuerySet[Finding], cells: list[CellKey], per_cell: int) -> list[Finding]:
    in_cells = Q(pk__in=[])
    for org_id, category_id in cells:
        in_cells |= Q(organization_id=org_id, category_id=category_id)
    rank = Window(
        RowNumber(),
        partition_by=[F("organization_id"), F("category_id")],
        order_by=[F("inspection__start_date").desc(), F("sequence").asc(), F("pk").asc()],
    )
    return list(
        qs.filter(in_cells)
        .select_related("inspection", "organization", "category")
        .only(
            "pk",
            "sequence",
            "description",
            "organization_id",
            "category_id",
            "inspection_id",
            "inspection__title",
            "inspection__start_date",
            "organization__name",
            "category__name",
        )
        .annotate(rank=rank)
        .filter(rank__lte=per_cell)
        .order_by("organization_id", "category_id", "rank")
    )


def pairs_by_cell(
    findings: QuerySet[Finding], everywhere: QuerySet[Finding], cells: list[CellKey]
) -> dict[CellKey, list[RecurrencePair]]:
    """For each of the (organisation id, category id) ``cells``, its counted findings (of ``findings``), newest
    first, each paired with the most similar earlier finding of ``everywhere`` (the scope without the
    filters, as recurrence itself counts); a cell without a pair gets []. A cell's pairs read only its own
    organisation's findings, so they can be kept with that organisation's share (dashboards/cache.py)."""
    found: dict[CellKey, list[RecurrencePair]] = {cell: [] for cell in cells}
    if not cells:
        return found
    newest: dict[CellKey, list[Finding]] = {}
    for f in _newest_per_cell(findings, cells, NEWEST_PER_CELL):
        newest.setdefault((f.organization_id, f.category_id), []).append(f)
    if not newest:
        return found
    candidates: dict[CellKey, list[tuple[Finding, set[str]]]] = {}
    for f in _newest_per_cell(everywhere, list(newest), CANDIDATES_PER_CELL):
        candidates.setdefault((f.organization_id, f.category_id), []).append((f, text_bigrams(f.description)))
    for cell, counted in newest.items():
        for finding in counted:
            best = _most_similar(finding, candidates.get(cell, []))
            if best is not None:
                found[cell].append(best)
    return found


def shown_pairs(cells: list[CellKey], by_cell: dict[CellKey, list[RecurrencePair]]) -> list[RecurrencePair]:
    """The pairs of ``cells`` in their order (the recurrence rows shown), at most ``PAIRS_SHOWN``."""
    return [pair for cell in cells for pair in by_cell.get(cell, [])][:PAIRS_SHOWN]


def recurrence_pairs(
    findings: QuerySet[Finding], everywhere: QuerySet[Finding], cells: list[CellKey]
) -> list[RecurrencePair]:
    """The pairs of the shown recurrence ``cells`` in their order, newest first in each; at most
    ``PAIRS_SHOWN``. Two queries."""
    return shown_pairs(cells, pairs_by_cell(findings, everywhere, cells))


def _most_similar(finding: Finding, candidates: list[tuple[Finding, set[str]]]) -> RecurrencePair | None:
    start: datetime.date = finding.inspection.start_date
    own = text_bigrams(finding.description)
    best: RecurrencePair | None = None
    for earlier, bigrams in candidates:
        if earlier.inspection_id == finding.inspection_id or earlier.inspection.start_date >= start:
            continue
        score = bigram_similarity(own, bigrams)
        if score >= SIMILARITY_THRESHOLD and (best is None or score > best.score):
            best = RecurrencePair(FindingRef.of(finding), FindingRef.of(earlier), score)
    return best
