"""Who covers which organisation. Every scoped read in the project is built from these.

Staff and leaders cover their organisation and everything below it; a secretary covers one branch;
a member covers only what is assigned to them. Administrators (superusers) cover everything.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from partyreview.accounts.models import Role, User
from partyreview.organizations.models import Organization

SUBTREE_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.LEADER})


@dataclass(frozen=True)
class Grant:
    role: str
    organization_id: int
    path: str


def grants_of(user: User) -> tuple[Grant, ...]:
    """The user's memberships, loaded once per user object (one query, cached on the instance)."""
    if not user.is_authenticated:
        return ()
    cached = getattr(user, "_partyreview_grants", None)
    if cached is None:
        cached = tuple(
            Grant(role=role, organization_id=org_id, path=path)
            for role, org_id, path in user.memberships.values_list("role", "organization_id", "organization__path")
        )
        user._partyreview_grants = cached
    return cached


def is_admin(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or any(g.role == Role.ADMIN for g in grants_of(user)))


def is_staff(user: User) -> bool:
    """党务工作人员 of any organisation, or an administrator: who is shown the staff's pages and menus."""
    return user.is_authenticated and (Role.STAFF in roles_of(user) or is_admin(user))


def roles_of(user: User) -> frozenset[str]:
    roles = {g.role for g in grants_of(user)}
    if user.is_authenticated and user.is_superuser:
        roles.add(Role.ADMIN)
    return frozenset(roles)


def roles_over(user: User, organization: Organization) -> frozenset[str]:
    """The roles the user holds *for* this organisation (inherited down the tree for staff and leaders)."""
    if not user.is_authenticated:
        return frozenset()
    roles = set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    for grant in grants_of(user):
        if (
            grant.role in SUBTREE_ROLES and organization.path.startswith(grant.path)
        ) or grant.organization_id == organization.pk:
            roles.add(grant.role)
    return frozenset(roles)


def has_role_over(user: User, organization: Organization, roles: Iterable[str]) -> bool:
    return bool(roles_over(user, organization) & set(roles)) or is_admin(user)


def scope_q(user: User, *, field: str = "organization", roles: Iterable[str] | None = None) -> Q:
    """A filter on ``field`` (a ForeignKey to Organization; "" for Organization itself) that keeps the
    organisations the user covers.

    ``roles`` narrows to grants of those roles (e.g. only staff grants, for a review queue). Returns a
    filter matching nothing when the user covers nothing, so callers never leak by accident.
    """
    if user.is_authenticated and user.is_superuser:
        # Not Q(): an empty Q vanishes when OR-ed with another condition, which would narrow "all" to "none".
        return Q(pk__isnull=False)
    wanted = set(roles) if roles is not None else None
    id_key = f"{field}_id" if field else "pk"
    q = Q(pk__in=[])
    for grant in grants_of(user):
        if wanted is not None and grant.role not in wanted and grant.role != Role.ADMIN:
            continue
        if grant.role in SUBTREE_ROLES:
            q |= _subtree_q(field, grant.path)
        elif grant.role == Role.SECRETARY:
            q |= Q(**{id_key: grant.organization_id})
    return q


def _subtree_q(field: str, path: str) -> Q:
    """The organisation at ``path`` and everything below it, as a condition on ``field``.

    Through a relation it is ``<field>_id IN (SELECT id … WHERE path LIKE 'path%')``, not a join to the
    organisations filtered on the path: on its own it is a semi-join that starts from the subtree's ids
    and the foreign-key index; OR-ed with another condition (``assignee = me``) it is one hashed id set
    tested on the scoped table's own column, which an index including that column answers without
    reading the rows. The join's path test could do neither (a general branch's staff read every open
    overdue measure of the committee to count their own).
    """
    if not field:
        return Q(path__startswith=path)
    return Q(**{f"{field}_id__in": Organization.objects.filter(path__startswith=path).values("pk")})


def organizations_visible_to(user: User, *, roles: Iterable[str] | None = None) -> QuerySet[Organization]:
    return Organization.objects.filter(scope_q(user, field="", roles=roles))


def can_manage_organization(user: User, organization: Organization) -> bool:
    return has_role_over(user, organization, {Role.STAFF})
