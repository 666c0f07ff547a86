"""Inspections against their report deadline, and recent 督办."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass
class InspectionRow:
    """An inspection as the dashboard shows it: its dates, and its figures in the viewer's scope. Plain
    values read with ``values_list``: a committee has some 1,250 inspections, counted after every write, and
    model instances took 26 ms of that."""

    pk: int
    title: str
    start_date: datetime.date
    feedback_date: datetime.date | None
    report_due_date: datetime.date | None
    report_submitted_on: datetime.date | None
    findings_total: int = 0
    rect_total: int = 0
    closed: int = 0
    overdue: int = 0
    completion: float | None = None  # percent closed; None without measures
    time_share: float | None = None  # ``inspection_time_share``
    days_to_report: int | None = None


# Reads the inspections of the given ids as ``inspection_values`` does.
ReadInspections = Callable[[list[int]], list[tuple]]


def inspection_values(ids: list[int]) -> list[tuple]:
    """The inspections of ``ids`` as ``InspectionRow``'s first fields, newest first. One query."""
    return list(
        Inspection.objects.filter(pk__in=ids)
        .order_by("-start_date", "-id")
        .values_list("pk", "title", "start_date", "feedback_date", "report_due_date", "report_submitted_on")
    )


def inspection_rows(
    inspection_findings: dict[int, int],
    inspection_measures: dict[int, dict],
    read: ReadInspections = inspection_values,
) -> list[InspectionRow]:
    """整改进度 per inspection with findings in the viewer's scope, newest first: the inspections read by
    ``read`` (one query, or the cache: dashboards/cache.py), the counts summed from the organisations'
    shares (``partials``). Time progress against ``report_due_date`` is ``inspection_time_share``."""
    rows = read(sorted(pk for pk, n in inspection_findings.items() if n))
    empty = {"rect_total": 0, "closed": 0, "overdue": 0}
    inspections = []
    for values in rows:
        row = InspectionRow(*values, findings_total=inspection_findings.get(values[0], 0))
        counts = inspection_measures.get(row.pk, empty)
        row.rect_total, row.closed, row.overdue = counts["rect_total"], counts["closed"], counts["overdue"]
        row.completion = row.closed * 100 / row.rect_total if row.rect_total else None
        inspections.append(row)
    return inspections


def inspection_time_share(inspection: Inspection | InspectionRow, today: datetime.date) -> float | None:
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
