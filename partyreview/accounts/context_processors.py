"""Navigation: each role sees the entries it can use, and the unread-notification count for the bell."""

from django.http import HttpRequest

from partyreview.accounts.models import Role
from partyreview.organizations.permissions import is_admin, is_staff, roles_of


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "nav_roles": roles,
        "nav_is_staff": is_staff(user),
        "nav_is_leader": Role.LEADER in roles or Role.STAFF in roles or is_admin(user),
        "nav_is_secretary": Role.SECRETARY in roles or Role.MEMBER in roles,
        "nav_is_admin": is_admin(user),
        # One cheap indexed count per page; the bell links to the list.
        "nav_unread": user.notifications.filter(read_at__isnull=True).count(),
    }
