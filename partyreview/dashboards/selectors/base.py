"""The dashboard's filters, its scoped base querysets and the expressions every figure shares."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from partyreview.accounts.models import User
from partyreview.dashboards.permissions import dashboard_scope_q
from partyreview.inspections.models import Finding, Inspection
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.rectifications.models import Rectification, RectificationStatus, Timeliness, timeliness_q
from partyreview.rectifications.models import overdue_q as rectification_overdue_q

CLOSED = RectificationStatus.CLOSED


@dataclass(frozen=True)
class DashboardFilter:
    """What the viewer narrowed the dashboard to (all optional). ``organization`` is an organisation of the
    viewer's scope whose subtree the dashboard is drilled down to."""

    inspection: Inspection | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    organization: Organization | None = None

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None


# ---- the scoped, filtered base querysets ---------------------------------------------------------------


def focus_q(filters: DashboardFilter, field: str) -> Q:
    """Within the organisation the dashboard is drilled down to (its whole subtree); everything without one.
    ``field`` names the organisation as in ``scope_q``; "" is the Organization itself."""
    if filters.organization is None:
        return Q()
    return Q(**{f"{field}__path__startswith" if field else "path__startswith": filters.organization.path})


def dashboard_findings(user: User, filters: DashboardFilter, *, with_period: bool = True) -> QuerySet[Finding]:
    """The findings the dashboard counts: in the viewer's lead/staff scope, not archived, filtered."""
    qs = Finding.objects.filter(dashboard_scope_q(user, field="organization"), is_archived=False)
    qs = qs.filter(focus_q(filters, "organization"))
    if filters.inspection is not None:
        qs = qs.filter(inspection=filters.inspection)
    if with_period and filters.date_from:
        qs = qs.filter(found_on__gte=filters.date_from)
    if with_period and filters.date_to:
        qs = qs.filter(found_on__lte=filters.date_to)
    return qs


def dashboard_rectifications(
    user: User, filters: DashboardFilter, *, with_period: bool = True
) -> QuerySet[Rectification]:
    """The rectifications the dashboard counts. The period is on the day the measure was created
    (``created_at__date`` is taken in Asia/Shanghai, the project's time zone)."""
    qs = Rectification.objects.filter(dashboard_scope_q(user, field="responsible_org"), finding__is_archived=False)
    qs = qs.filter(focus_q(filters, "responsible_org"))
    if filters.inspection is not None:
        qs = qs.filter(finding__inspection=filters.inspection)
    if with_period and filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if with_period and filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    return qs


def dashboard_inspections(user: User) -> QuerySet[Inspection]:
    """Inspections offered in the filter: those with a finding in the viewer's dashboard scope, or run by an
    organisation in it."""
    has_finding = Finding.objects.filter(inspection_id=OuterRef("pk"), is_archived=False).filter(
        dashboard_scope_q(user, field="organization")
    )
    return Inspection.objects.filter(Q(Exists(has_finding)) | dashboard_scope_q(user, field="inspecting_org"))


def dashboard_focus_choices(user: User) -> QuerySet[Organization]:
    """Organisations the viewer may drill the dashboard down to: those of the scope that have others
    under them (a branch's own numbers are its row, and its 本支部整改 page)."""
    return Organization.objects.filter(dashboard_scope_q(user, field=""), is_active=True).exclude(
        kind=OrganizationKind.BRANCH
    )


# ---- expressions shared by the reads below -------------------------------------------------------------


def open_q() -> Q:
    return ~Q(status=CLOSED)


def overdue_q(today: datetime.date) -> Q:
    """逾期, the one definition (a 长期坚持 measure without a stage goal has no deadline to miss)."""
    return rectification_overdue_q(today)


def on_time_q() -> Q:
    # closed_at is a moment; the deadline a calendar day in Asia/Shanghai (__date converts to it).
    return timeliness_q(Timeliness.ON_TIME)


def recurring_q() -> Q:
    """A finding whose organisation already had one of the same category from a different, earlier
    inspection (by start date). Works on any Finding queryset."""
    earlier = Finding.objects.filter(
        is_archived=False,
        organization_id=OuterRef("organization_id"),
        category_id=OuterRef("category_id"),
        inspection__start_date__lt=OuterRef("inspection__start_date"),
    ).exclude(inspection_id=OuterRef("inspection_id"))
    return Q(Exists(earlier))


def share(part: int, whole: int) -> float | None:
    """A percentage rounded to one decimal; None when there is nothing to divide by."""
    return round(part * 100 / whole, 1) if whole else None
