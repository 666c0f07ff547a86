"""How many findings or measures a list's filter matches, from the shared cache until one of them changes.

A list shows "共 N 项" and its pages from a ``COUNT(*)`` over everything the filter matches: at committee
scale 45,000 open findings (90 ms, in three processes at once) or 55,000 overdue measures (25 ms) on every
page of every list, for a number that changes only when a record does (docs/performance.md). The count is
kept under the "records" generation (``common.generations``), keyed on the query's SQL and parameters:
they hold the viewer's scope, the filters and today, so two queries share a count only when they would
count the same rows. Every save or delete of a model below retires all counts; the rows of a page are
always read afresh. The filters' menus of organisations and inspections are kept under a topic of their
own, which only a change to an organisation or an inspection retires (``options_topic`` of their fields,
``common.widgets.FastSelect``).
"""

from django.db.models import QuerySet

from partyreview.common import generations

TOPIC = generations.RECORDS
# Findings and measures with what files, names and scopes them: what every count of them reads (the
# dashboard's figures too, dashboards/cache.py; a measure's light lives on it: ``warn_from``).
RECORD_MODELS = (
    "inspections.Category",
    "inspections.Inspection",
    "inspections.Finding",
    "organizations.Organization",
    "rectifications.Rectification",
)
# What list filters count or filter by (a measure's extension requests: the workbench's count of them).
COUNTED_MODELS = (*RECORD_MODELS, "rectifications.ExtensionRequest")


def count(qs: QuerySet) -> int:
    """``qs.count()``, from the cache when nothing it counts has changed since it was last counted."""
    # Keyed on the rows' ids alone: the same WHERE, without compiling the joins and columns of a list row.
    query = generations.query_parts(qs.order_by().values("pk"))
    if query is None:
        return 0  # matches nothing, as qs.count() would say without a query
    return generations.remembered(generations.entry_key(TOPIC, ["count", qs.model._meta.label, *query]), qs.count)
