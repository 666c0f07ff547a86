"""Sortable column headers for the staff lists. ``{% load listing %}`` then ``{% sort_header "due_date" "整改时限" %}``.

The link keeps every filter in the query string, drops the page number (a new order starts on page 1) and
flips the direction when the column is already the sort key. The field names are the ``ordering``
parameter values of the list's FilterSet.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: dict, field: str, label: str) -> str:
    params = context["request"].GET.copy()
    current = params.get("ordering", "")
    if current == field:
        target, arrow, aria = f"-{field}", "▲", "ascending"
    elif current == f"-{field}":
        target, arrow, aria = field, "▼", "descending"
    else:
        target, arrow, aria = field, "⇅", "none"
    params["ordering"] = target
    params.pop("page", None)
    return format_html(
        '<a class="sort-link text-reset text-decoration-none" href="?{}" data-sort="{}">{}'
        '<span class="sort-arrow small text-muted">{}</span></a>',
        params.urlencode(),
        aria,
        label,
        arrow,
    )
