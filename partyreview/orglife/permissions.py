"""Who may see and record organisational life.

Secretaries keep the records of their own branch (meetings, roster, dues); staff may do the same for
every organisation in their subtree, and alone record term extensions and decide suggestions. Leaders
read. Views fetch through the ``*_visible_to`` querysets; services check the predicates again.
"""

from django.db.models import QuerySet

from partyreview.accounts.models import Role, User
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.organizations.permissions import has_role_over, organizations_visible_to, scope_q
from partyreview.orglife.models import Breach, MeetingEvidence, MeetingRecord, PartyMember

KEEPERS = {Role.SECRETARY, Role.STAFF}
STAFF = {Role.STAFF}


def meetings_visible_to(user: User) -> QuerySet[MeetingRecord]:
    return MeetingRecord.objects.filter(scope_q(user, field="organization"))


def meeting_evidence_visible_to(user: User) -> QuerySet[MeetingEvidence]:
    return MeetingEvidence.objects.filter(scope_q(user, field="meeting__organization"))


def members_visible_to(user: User) -> QuerySet[PartyMember]:
    return PartyMember.objects.filter(scope_q(user, field="organization"))


def breaches_visible_to(user: User) -> QuerySet[Breach]:
    """Suggestions are the staff's queue; leaders see them read-only, secretaries not at all."""
    return Breach.objects.filter(scope_q(user, field="organization", roles={Role.STAFF, Role.LEADER}))


def branches_visible_to(user: User) -> QuerySet[Organization]:
    return organizations_visible_to(user).filter(kind=OrganizationKind.BRANCH, is_active=True)


def keepable_branches(user: User) -> QuerySet[Organization]:
    """Branches the user may keep records for (meetings, roster, dues)."""
    return organizations_visible_to(user, roles=KEEPERS).filter(kind=OrganizationKind.BRANCH, is_active=True)


def can_keep_records(user: User, organization: Organization) -> bool:
    """Record meetings, keep the roster and the dues ledger: the branch's secretary, or staff above it."""
    return has_role_over(user, organization, KEEPERS)


def can_edit_meeting(user: User, meeting: MeetingRecord) -> bool:
    return not meeting.is_void and can_keep_records(user, meeting.organization)


def can_record_term(user: User, organization: Organization) -> bool:
    """Elections and approved extensions are recorded by staff, who hold the approval documents."""
    return has_role_over(user, organization, STAFF)


def can_decide_breach(user: User, breach: Breach) -> bool:
    return has_role_over(user, breach.organization, STAFF)
