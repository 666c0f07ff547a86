"""``{% rect_url filters organization=b.pk overdue=1 %}`` and ``{% finding_url filters category=c.pk %}``:
dashboard links into the lists, keeping the dashboard's filters (see dashboards/links.py); and
``{% dashboard_url filters organization=row.pk %}``, down to an organisation's own dashboard."""

from django import template

from partyreview.dashboards import links
from partyreview.dashboards.selectors import DashboardFilter

register = template.Library()


@register.simple_tag
def rect_url(filters: DashboardFilter, **params: object) -> str:
    return links.rectification_list_url(filters, **params)


@register.simple_tag
def finding_url(filters: DashboardFilter, **params: object) -> str:
    return links.finding_list_url(filters, **params)


@register.simple_tag
def dashboard_url(filters: DashboardFilter, **params: object) -> str:
    return links.dashboard_url(filters, **params)


@register.filter
def percent(value: float | None) -> str:
    """37.5 → "37.5%"; None → "—"."""
    return "—" if value is None else f"{value:.1f}%"
