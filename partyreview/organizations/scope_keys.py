"""A viewer's scope as a cache key part (``common.generations``): people with the same grants share what
is counted for their scope; people with different grants never do."""

from collections.abc import Iterable

from partyreview.accounts.models import User
from partyreview.organizations.permissions import grants_of


def grants_signature(user: User, roles: Iterable[str] | None = None) -> str:
    """The user's grants (of ``roles``, or all of them) as one string."""
    if user.is_superuser:
        return "superuser"
    wanted = set(roles) if roles is not None else None
    return ",".join(
        sorted(f"{g.role}:{g.organization_id}" for g in grants_of(user) if wanted is None or g.role in wanted)
    )
