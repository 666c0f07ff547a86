"""Inspections against their report deadline, and recent 督办."""

import datetime

from django.db.models import (
    QuerySet,
)

from partyreview.accounts.models import Role, User
from partyreview.dashboards.permissions import DASHBOARD_ROLES, dashboard_scope_q
from partyreview.dashboards.selectors.base import DashboardFilter, focus_q
from partyreview.inspections.models import Inspection
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import grants_of
from partyreview.rectifications.models import Escalation, RectificationStatus

CLOSED = RectificationStatus.CLOSED

# ---- inspections against their report deadline --------------------------------------------------------


def inspection_rows(inspection_findings: dict[int, int], inspection_measures: dict[int, dict]) -> list[Inspection]:
    """整改进度 per inspection with findings in the viewer's scope, newest first: one query (the
    inspections), the counts summed from the organisations' shares (``partials``).

    Attributes: ``findings_total``, ``rect_total``, ``closed``, ``overdue``, ``completion`` (percent).
    Time progress against ``report_due_date`` is ``inspection_time_share``.
    """
    inspections = list(
        Inspection.objects.filter(pk__in=[pk for pk, n in inspection_findings.items() if n]).order_by(
            "-start_date", "-id"
        )
    )
    empty = {"rect_total": 0, "closed": 0, "overdue": 0}
    for inspection in inspections:
        counts = inspection_measures.get(inspection.pk, empty)
        inspection.findings_total = inspection_findings.get(inspection.pk, 0)
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
        .filter(focus_q(filters or DashboardFilter(), "organization"))
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
