"""Reads for inspections and findings that need nothing from rectifications.

Progress (measures closed, overdue, waiting for review) is derived from rectifications and read through
``partyreview.rectifications.selectors``; this module stays below it in the dependency order.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import QuerySet

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding, Inspection
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import organizations_visible_to

REPORT_DUE_WINDOW_DAYS = 30


def inspections_for_list(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return qs.select_related("inspecting_org")


def inspections_report_due_soon(
    qs: QuerySet[Inspection], *, within_days: int = REPORT_DUE_WINDOW_DAYS, today: datetime.date | None = None
) -> QuerySet[Inspection]:
    """整改报告期限临近: open inspections whose report is due from today to ``within_days`` ahead."""
    today = today or local_today()
    return (
        inspections_for_list(qs)
        .filter(
            is_archived=False,
            report_due_date__gte=today,
            report_due_date__lte=today + datetime.timedelta(days=within_days),
        )
        .order_by("report_due_date", "id")
    )


def findings_for_list(qs: QuerySet[Finding]) -> QuerySet[Finding]:
    return qs.select_related("inspection", "organization", "category")


def organizations_for_filing(user: User, inspection: Inspection) -> QuerySet[Organization]:
    """Where this user may file a finding of this inspection: active organisations in their staff scope
    that lie within the inspecting organisation."""
    return organizations_visible_to(user, roles={Role.STAFF}).filter(
        is_active=True, path__startswith=inspection.inspecting_org.path
    )


def staff_organizations(user: User) -> QuerySet[Organization]:
    """Active organisations the user covers as staff (the choices of an inspection's organisations)."""
    return organizations_visible_to(user, roles={Role.STAFF}).filter(is_active=True)


# ---- recurrence linked: an earlier finding like this one ----------------------------------------------

# Character bigrams of Chinese text, compared by Jaccard: cheap, needs no word segmentation, and two
# wordings of the same problem ("支部未按期召开党员大会" / "党员大会未按期召开") share most of their bigrams.
SIMILARITY_THRESHOLD = 0.3
# Earlier findings read per page view: one organisation's findings of one category, newest first.
MAX_SIMILARITY_CANDIDATES = 200
NOT_TEXT = re.compile(r"[\W_]+")


def text_bigrams(text: str) -> set[str]:
    """The character bigrams ``text_similarity`` compares (punctuation and spaces left out)."""
    plain = NOT_TEXT.sub("", text or "")
    return {plain[i : i + 2] for i in range(len(plain) - 1)} or ({plain} if plain else set())


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams (punctuation and spaces ignored), 0 to 1."""
    first, second = text_bigrams(a), text_bigrams(b)
    return bigram_similarity(first, second)


def bigram_similarity(first: set[str], second: set[str]) -> float:
    """Jaccard similarity of two bigram sets (``text_bigrams``), 0 to 1: for callers comparing many pairs."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass(frozen=True)
class SimilarFinding:
    finding: Finding
    score: float

    @property
    def phrase(self) -> str:
        return f"该问题与{self.finding.inspection.title}第{self.finding.sequence}项相似"


def similar_earlier_findings(finding: Finding, visible: QuerySet[Finding], *, limit: int = 3) -> list[SimilarFinding]:
    """屡查屡犯, linked: earlier findings of the same organisation and category, from inspections that started
    before this one's, whose text resembles this one's. ``visible`` is the viewer's scope; one query."""
    candidates = (
        visible.filter(
            organization_id=finding.organization_id,
            category_id=finding.category_id,
            is_archived=False,
            inspection__start_date__lt=finding.inspection.start_date,
        )
        .exclude(inspection_id=finding.inspection_id)
        .select_related("inspection")
        .order_by("-inspection__start_date", "sequence")[:MAX_SIMILARITY_CANDIDATES]
    )
    found = [SimilarFinding(c, text_similarity(finding.description, c.description)) for c in candidates]
    found = [s for s in found if s.score >= SIMILARITY_THRESHOLD]
    found.sort(key=lambda s: (-s.score, -s.finding.inspection.start_date.toordinal(), s.finding.sequence))
    return found[:limit]
