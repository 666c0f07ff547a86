"""Who may see and change inspections and findings."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Finding, Inspection
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import has_role_over, scope_q


def findings_visible_to(user: User) -> QuerySet[Finding]:
    return Finding.objects.filter(scope_q(user, field="organization"))


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    """Inspections the user runs, or that inspected an organisation the user covers."""
    inspected = Inspection.inspected_orgs.through.objects.filter(inspection_id=OuterRef("pk")).filter(
        scope_q(user, field="organization")
    )
    has_finding = Finding.objects.filter(inspection_id=OuterRef("pk")).filter(scope_q(user, field="organization"))
    return Inspection.objects.filter(
        scope_q(user, field="inspecting_org") | Q(Exists(inspected)) | Q(Exists(has_finding))
    )


def can_manage_inspection(user: User, inspection: Inspection) -> bool:
    return has_role_over(user, inspection.inspecting_org, {Role.STAFF})


def can_create_inspection(user: User, inspecting_org: Organization) -> bool:
    return has_role_over(user, inspecting_org, {Role.STAFF})


def can_manage_finding(user: User, organization: Organization) -> bool:
    """Staff file, edit and archive findings for organisations in their scope."""
    return has_role_over(user, organization, {Role.STAFF})


def can_read_inspection_report(user: User, inspection: Inspection) -> bool:
    """The 整改情况报告 covers the whole inspection: staff and leads of the inspecting organisation."""
    return has_role_over(user, inspection.inspecting_org, {Role.STAFF, Role.LEADER})
