"""Who may open the committee dashboard (整改看板), and over which organisations.

Leads, staff and administrators see the numbers of their subtree. A secretary (or a member) has no
dashboard: the page answers 404 as for any page outside one's role. Their own branch's work is on
本支部整改, and a dashboard of one branch would only repeat it (docs/decisions/dashboard.md).
"""

from django.db.models import Q

from partyreview.accounts.models import Role, User
from partyreview.organizations.permissions import is_admin, roles_of, scope_q

DASHBOARD_ROLES = frozenset({Role.LEADER, Role.STAFF})


def can_view_dashboard(user: User) -> bool:
    return user.is_authenticated and (bool(roles_of(user) & DASHBOARD_ROLES) or is_admin(user))


def dashboard_scope_q(user: User, *, field: str) -> Q:
    """The organisations the dashboard counts for this user: only grants as lead, staff or admin.

    A lead of general branch A who is also secretary of B1 sees A's numbers, never B1's, here.
    """
    if not can_view_dashboard(user):
        return Q(pk__in=[])
    return scope_q(user, field=field, roles=DASHBOARD_ROLES)
