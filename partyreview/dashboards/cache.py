"""The dashboard's figures and the HTML drawn from them, from the shared cache until a counted model changes.

A committee's dashboard aggregates every measure of a thousand branches (about 3 s at 250,000 measures) and
draws some 2,000 links from the result (docs/performance.md); its leads reload it far more often than the
figures change. Both are kept under the "dashboard" generation (``common.generations``), keyed on the
viewer's dashboard grants (two leads of one committee share them; a secretary grant elsewhere changes
nothing, as in ``dashboard_scope_q``), the filters and today (overdue is a matter of the date). Any save or
delete of the models below retires them; the page says when its figures were counted.

The recent escalations are read on every request (one small query; 督办 of a branch bulk-creates them).
"""

import dataclasses
import datetime
from collections.abc import Callable
from typing import TypeVar

from partyreview.accounts.models import Role, User
from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.dashboards.permissions import DASHBOARD_ROLES
from partyreview.dashboards.selectors import Dashboard, DashboardFilter, dashboard_build, recent_escalations
from partyreview.organizations.scope_keys import grants_signature

T = TypeVar("T")

TOPIC = "dashboard"
# What the cached figures are counted from or named by (a measure's light lives on it: ``warn_from``).
COUNTED_MODELS = (
    "inspections.Category",
    "inspections.Inspection",
    "inspections.Finding",
    "organizations.Organization",
    "rectifications.Rectification",
)


def dashboard_figures(user: User, filters: DashboardFilter, today: datetime.date | None = None) -> Dashboard:
    """``dashboard_build``, from the cache when nothing counted has changed since it was last built."""
    today = today or local_today()
    key = generations.entry_key(
        TOPIC,
        [
            grants_signature(user, DASHBOARD_ROLES | {Role.ADMIN}),
            filters.inspection.pk if filters.inspection else "",
            filters.date_from or "",
            filters.date_to or "",
            filters.organization.pk if filters.organization else "",
            today.isoformat(),
        ],
    )

    fresh: list[Dashboard] = []

    def build() -> Dashboard:
        fresh.append(dashboard_build(user, filters, today))
        return dataclasses.replace(fresh[0], escalations=[])

    dashboard = generations.remembered(key, build)
    escalations = fresh[0].escalations if fresh else list(recent_escalations(user, filters))
    return dataclasses.replace(dashboard, escalations=escalations, cache_key=key)


def dashboard_part(dashboard: Dashboard, name: str, draw: Callable[[], T]) -> T:
    """Something drawn only from ``dashboard`` and its filters (a stretch of HTML, the charts' data), kept
    beside the figures it was drawn from: under their key, so never beside newer figures."""
    return generations.remembered(f"{dashboard.cache_key}:{name}" if dashboard.cache_key else None, draw)
