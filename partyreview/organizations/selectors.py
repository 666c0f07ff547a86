"""Reads over the organisation tree."""

from django.db.models import QuerySet

from partyreview.accounts.models import Role, User
from partyreview.organizations.models import Organization, OrganizationKind


def subtree(organization: Organization, *, include_self: bool = True) -> QuerySet[Organization]:
    """The organisation and everything below it, in one query whatever the depth."""
    qs = Organization.objects.filter(path__startswith=organization.path)
    return qs if include_self else qs.exclude(pk=organization.pk)


def branches_under(organization: Organization) -> QuerySet[Organization]:
    return subtree(organization).filter(kind=OrganizationKind.BRANCH, is_active=True)


def ancestors(organization: Organization) -> QuerySet[Organization]:
    ids = [int(part) for part in organization.path.strip("/").split("/") if part]
    return Organization.objects.filter(pk__in=ids).order_by("depth")


def users_with_role(organization: Organization, role: str) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__organization=organization, memberships__role=role
    ).distinct()


def secretaries_of(organization: Organization) -> QuerySet[User]:
    return users_with_role(organization, Role.SECRETARY)


def assignable_users(organization: Organization) -> QuerySet[User]:
    """People who may be made responsible (责任人) for a measure in this organisation: anyone holding a
    membership in it or below it."""
    return (
        User.objects.filter(is_active=True, memberships__organization__path__startswith=organization.path)
        .distinct()
        .order_by("full_name", "username")
    )


def leaders_for(organization: Organization) -> QuerySet[User]:
    """People who may be the responsible leader (责任领导): members of the organisation or its ancestors."""
    ids = [int(part) for part in organization.path.strip("/").split("/") if part]
    return (
        User.objects.filter(is_active=True, memberships__organization_id__in=ids)
        .distinct()
        .order_by("full_name", "username")
    )
