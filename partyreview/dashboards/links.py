"""Links from every dashboard figure to the list behind it.

The lists are the 整改台账 (``rectifications:list``) and the 问题清单 (``inspections:finding_list``); the
parameter names are theirs (partyreview/rectifications/filters.py). The dashboard's inspection filter
is carried into every link, and its period into links to the finding list (``found_from``/``found_to``).
The register has no filter on a measure's creation day, so a period is not carried there; the page says so.
"""

import functools
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

from partyreview.dashboards.selectors import DashboardFilter
from partyreview.rectifications.models import OPEN_STATUSES

ParamValue = str | int | Iterable[str] | None


@functools.cache
def _path(name: str, script_prefix: str) -> str:
    # A committee's dashboard links every cell of its heat map: tens of thousands of links per page, and
    # reverse() was most of the page's time (docs/performance.md). The path of a name never changes.
    return reverse(name)


def _url(name: str, params: dict[str, ParamValue]) -> str:
    clean = {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in params.items() if v not in (None, "")}
    query = urlencode(clean, doseq=True)
    return _path(name, get_script_prefix()) + (f"?{query}" if query else "")


def _base(filters: DashboardFilter) -> dict[str, ParamValue]:
    # The lists' organisation filter takes the subtree, as the drill-down does.
    return {
        "inspection": filters.inspection.pk if filters.inspection else None,
        "organization": filters.organization.pk if filters.organization else None,
    }


def rectification_list_url(filters: DashboardFilter, **params: ParamValue) -> str:
    """The register filtered as the dashboard is, plus ``params``. ``status="open"`` means every open state."""
    if params.get("status") == "open":
        params["status"] = [str(s) for s in OPEN_STATUSES]
    return _url("rectifications:list", {**_base(filters), **params})


def finding_list_url(filters: DashboardFilter, *, with_period: bool = True, **params: ParamValue) -> str:
    """The problem list filtered as the dashboard is (inspection and period), plus ``params``."""
    base = _base(filters)
    if with_period:
        base["found_from"] = filters.date_from.isoformat() if filters.date_from else None
        base["found_to"] = filters.date_to.isoformat() if filters.date_to else None
    return _url("inspections:finding_list", {**base, **params})


def dashboard_url(filters: DashboardFilter, **params: ParamValue) -> str:
    """The dashboard itself with the same filters, plus ``params`` (``organization=`` drills down)."""
    base: dict[str, ParamValue] = {
        **_base(filters),
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
    }
    return _url("dashboards:index", {**base, **params})
