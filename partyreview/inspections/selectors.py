"""Reads for inspections and findings that need nothing from rectifications.

Progress (measures closed, overdue, waiting for review) is derived from rectifications and read through
``partyreview.rectifications.selectors``; this module stays below it in the dependency order.
"""

import datetime

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
