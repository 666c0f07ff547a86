"""Who may export registers and read reports."""

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Inspection
from partyreview.organizations.permissions import has_role_over

STAFF = {Role.STAFF}
REPORT_READERS = {Role.STAFF, Role.LEADER}


def can_read_inspection_report(user: User, inspection: Inspection) -> bool:
    """The 整改情况报告 covers the whole inspection: staff and leads of the inspecting organisation."""
    return has_role_over(user, inspection.inspecting_org, REPORT_READERS)
