"""Who may import problem lists, see import records, export registers and reports."""

from django.db.models import QuerySet

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Inspection
from partyreview.office.models import ImportBatch
from partyreview.organizations.permissions import has_role_over, scope_q

STAFF = {Role.STAFF}


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
