"""The dashboard's figures and the HTML drawn from them, from the shared cache until a counted model changes.

A committee's dashboard aggregates every measure of a thousand branches (about 3 s at 250,000 measures) and
draws some 2,000 links from the result (docs/performance.md); its leads reload it far more often than the
figures change. Both are kept under the "dashboard" generation (``common.generations``), keyed on the
viewer's dashboard grants (two leads of one committee share them; a secretary grant elsewhere changes
nothing, as in ``dashboard_scope_q``), the filters and today (overdue is a matter of the date). Any save or
delete of the models below retires them; the page says when its figures were counted.

The recent escalations are read on every request (one small query; 督办 of a branch bulk-creates them).

A reload reads the figures without their tables' rows (``dashboard_summary``): a committee's thousand
organisations with their figures took 160 ms to unpickle, for parts of the page that are themselves cached.
The rows are read (``dashboard_figures``) only when a part has to be drawn, and by the export.
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
from partyreview.rectifications.counts import RECORD_MODELS

T = TypeVar("T")

TOPIC = "dashboard"
# What the cached figures are counted from or named by: the records the lists count, without the
# extension requests (an approved one moves a measure's deadline, which is a save of the measure).
COUNTED_MODELS = RECORD_MODELS


# The rows of the page's tables and of the export: every organisation, heat-map row, recurrence, inspection.
LISTS = (
    "branches",
    "overdue_ranking",
    "completion_ranking",
    "categories",
    "heat_rows",
    "recurrences",
    "trend",
    "inspections",
    "groups",
    "group_heat_rows",
)
# What the summary holds instead (``groups`` None: as if not grouped; nothing outside the parts asks).
_NO_LISTS = {name: [] for name in LISTS} | {"groups": None, "group_heat_rows": None}


def _entry_key(user: User, filters: DashboardFilter, today: datetime.date) -> str | None:
    return generations.entry_key(
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


def dashboard_figures(
    user: User, filters: DashboardFilter, today: datetime.date | None = None, *, escalations: bool = True
) -> Dashboard:
    """``dashboard_build``, from the cache when nothing counted has changed since it was last built. The
    recent escalations are read afresh, unless ``escalations`` is False (they are then left empty)."""
    today = today or local_today()
    key = _entry_key(user, filters, today)
    fresh: list[Dashboard] = []

    def build() -> Dashboard:
        fresh.append(dashboard_build(user, filters, today))
        return dataclasses.replace(fresh[0], escalations=[])

    dashboard = generations.remembered(key, build)
    if fresh:
        return dataclasses.replace(fresh[0], cache_key=key)
    recent = list(recent_escalations(user, filters)) if escalations else []
    return dataclasses.replace(dashboard, escalations=recent, cache_key=key)


def dashboard_summary(user: User, filters: DashboardFilter, today: datetime.date | None = None) -> Dashboard:
    """``dashboard_figures`` without the rows of its tables (``LISTS``, left empty; ``has_lists`` False),
    kept beside them under the same key: what a reload reads when the parts drawn from the rows are cached.
    Counted afresh, the figures come whole."""
    today = today or local_today()
    key = _entry_key(user, filters, today)
    if key is None:
        return dashboard_figures(user, filters, today)
    whole: list[Dashboard] = []

    def build() -> Dashboard:
        whole.append(dashboard_figures(user, filters, today))
        return dataclasses.replace(whole[0], escalations=[], has_lists=False, **_NO_LISTS)

    summary = generations.remembered(f"{key}:summary", build)
    if whole:
        return whole[0]
    return dataclasses.replace(summary, escalations=list(recent_escalations(user, filters)), cache_key=key)


def dashboard_part(dashboard: Dashboard, name: str, draw: Callable[[], T]) -> T:
    """Something drawn only from ``dashboard`` and its filters (a stretch of HTML, the charts' data), kept
    beside the figures it was drawn from: under their key, so never beside newer figures."""
    return generations.remembered(f"{dashboard.cache_key}:{name}" if dashboard.cache_key else None, draw)
