"""Who may see and act on rectifications. Views fetch through ``rectifications_visible_to``;
services check the predicates again, so the admin, commands and Celery are held to the same rules."""

from django.db.models import Q, QuerySet

from partyreview.accounts.models import Role, User
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import has_role_over, is_admin, roles_over, scope_q
from partyreview.rectifications.models import Evidence, FollowUpReview, Rectification

STAFF = {Role.STAFF}
REPORTERS = {Role.SECRETARY}


def rectifications_visible_to(user: User) -> QuerySet[Rectification]:
    if not user.is_authenticated:
        return Rectification.objects.none()
    return Rectification.objects.filter(scope_q(user, field="responsible_org") | Q(assignee_id=user.pk))


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    if not user.is_authenticated:
        return Evidence.objects.none()
    return Evidence.objects.filter(
        scope_q(user, field="rectification__responsible_org") | Q(rectification__assignee_id=user.pk)
    )


def can_view_rectification(user: User, rectification: Rectification) -> bool:
    return bool(roles_over(user, rectification.responsible_org)) or rectification.assignee_id == user.pk


def can_manage_rectification(user: User, rectification: Rectification) -> bool:
    """Create, edit, close, return, reopen, decide extensions: staff in scope."""
    return has_role_over(user, rectification.responsible_org, STAFF)


def is_reporter(user: User, rectification: Rectification) -> bool:
    """The branch's secretary or the assignee: the people who rectify and report."""
    return rectification.assignee_id == user.pk or bool(roles_over(user, rectification.responsible_org) & REPORTERS)


def can_record_progress(user: User, rectification: Rectification) -> bool:
    return is_reporter(user, rectification) or can_manage_rectification(user, rectification)


def can_submit_rectification(user: User, rectification: Rectification) -> bool:
    return is_reporter(user, rectification)


def can_close_rectification(user: User, rectification: Rectification) -> bool:
    # Whoever asked for closure never verifies it, whatever else they are.
    return can_manage_rectification(user, rectification) and rectification.submitted_by_id != user.pk


def can_request_extension(user: User, rectification: Rectification) -> bool:
    return is_reporter(user, rectification)


def can_escalate(user: User, rectification: Rectification) -> bool:
    return has_role_over(user, rectification.responsible_org, {Role.LEADER, Role.STAFF}) or is_admin(user)


def can_escalate_organization(user: User, organization: Organization) -> bool:
    """督办 a whole branch from the dashboard: the same people who may press one of its measures."""
    return has_role_over(user, organization, {Role.LEADER, Role.STAFF}) or is_admin(user)


def followups_visible_to(user: User) -> QuerySet[FollowUpReview]:
    """回头看 tasks whose measure is in the user's scope: the same 404 as the measure for everyone else."""
    if not user.is_authenticated:
        return FollowUpReview.objects.none()
    return FollowUpReview.objects.filter(rectification__in=rectifications_visible_to(user))
