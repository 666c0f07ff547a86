"""Reads over the organisation tree."""

from django.db.models import Prefetch, Q, QuerySet

from partyreview.accounts.models import Role, User
from partyreview.organizations.models import Membership, Organization, OrganizationKind


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


PEOPLE_SEARCH_LIMIT = 20


def people_search(
    people: QuerySet[User], *, query: str, limit: int = PEOPLE_SEARCH_LIMIT
) -> list[tuple[User, list[str]]]:
    """The first ``limit`` of ``people`` matching what was typed, each with the organisations they serve in.

    Typed letters match the pinyin of the name (张伟: "zhangwei", "zhangw", or the initials "zw"), the
    login (手机号 / 工号) or the name itself; anything else matches the name or the login, and two or more
    characters of an organisation's name find its people ("办公室" → everyone of 办公室党支部), for when
    staff know the branch better than the name. Three queries whatever the numbers: the people, and their
    organisations' names for telling two 张伟 apart.
    """
    typed = query.strip().lower().replace(" ", "")
    if not typed:
        return []
    match = Q(full_name__icontains=typed) | Q(username__istartswith=typed)
    if typed.isascii() and typed.isalpha():
        match |= Q(name_key__contains=typed)
    elif not typed.isascii() and len(typed) >= 2:
        match |= Q(memberships__organization__name__icontains=typed)
    found = list(
        people.filter(match)
        .order_by("name_key", "pk")
        .distinct()[:limit]
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization").order_by("organization__path"),
            )
        )
    )
    return [(person, list(dict.fromkeys(m.organization.name for m in person.memberships.all()))) for person in found]


def people_in(organizations: QuerySet[Organization]) -> QuerySet[User]:
    """Active people holding a membership in any of ``organizations``."""
    return User.objects.filter(is_active=True, memberships__organization__in=organizations).distinct()
