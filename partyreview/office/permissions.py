"""Who may import problem lists, see import records, export registers and reports."""

from django.db.models import QuerySet

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Inspection
from partyreview.office.models import Export, ImportBatch
from partyreview.organizations.permissions import has_role_over, scope_q

STAFF = {Role.STAFF}
REPORT_READERS = {Role.STAFF, Role.LEADER}


def can_import_findings(user: User, inspection: Inspection) -> bool:
    """Staff over the inspecting organisation file the inspection's findings, so they import them too."""
    return has_role_over(user, inspection.inspecting_org, STAFF) and not inspection.is_archived


def inspections_importable_by(user: User) -> QuerySet[Inspection]:
    if not user.is_authenticated:
        return Inspection.objects.none()
    return Inspection.objects.filter(scope_q(user, field="inspecting_org", roles=STAFF), is_archived=False)


def import_batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    if not user.is_authenticated:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(scope_q(user, field="inspection__inspecting_org", roles=STAFF))


def can_read_inspection_report(user: User, inspection: Inspection) -> bool:
    """The 整改情况报告 covers the whole inspection: staff and leads of the inspecting organisation."""
    return has_role_over(user, inspection.inspecting_org, REPORT_READERS)


def exports_of(user: User) -> QuerySet[Export]:
    """我的导出: a background export is its owner's alone. Its rows were read within the owner's scope, so
    no one else (an administrator included) may fetch it; they get 404, as for a missing one."""
    if not user.is_authenticated or not user.is_active:
        return Export.objects.none()
    return Export.objects.filter(owner=user)
