"""The data static/js/dashboard.js draws, passed through ``json_script`` (the CSP forbids inline scripts).

Each chart gets its labels, its numbers and, for each bar, point or cell, the URL of the list behind it,
so a click in the chart goes where the same number in the table beside it links to.
"""

from partyreview.dashboards.links import finding_list_url, rectification_list_url
from partyreview.dashboards.selectors import Dashboard
from partyreview.rectifications.models import Light


def dashboard_chart_data(dashboard: Dashboard) -> dict:
    f = dashboard.filters
    h = dashboard.headline
    return {
        "lights": {
            "labels": ["红灯（已逾期）", "黄灯（临近时限）", "绿灯（正常推进）"],
            "values": [h.red, h.yellow, h.green],
            "colors": ["#c62828", "#f9a825", "#2e7d32"],
            "urls": [
                rectification_list_url(f, light=Light.RED),
                rectification_list_url(f, light=Light.YELLOW),
                rectification_list_url(f, light=Light.GREEN, status="open"),
            ],
        },
        "completion": {
            "labels": [b.name for b in dashboard.completion_ranking],
            "values": [round(b.completion, 1) for b in dashboard.completion_ranking],
            "urls": [rectification_list_url(f, organization=b.pk) for b in dashboard.completion_ranking],
        },
        "overdue": {
            "labels": [b.name for b in dashboard.overdue_ranking],
            "values": [b.overdue for b in dashboard.overdue_ranking],
            "urls": [rectification_list_url(f, organization=b.pk, overdue=1) for b in dashboard.overdue_ranking],
        },
        "categories": {
            "labels": [c.name for c in dashboard.categories],
            "findings": [c.findings_total for c in dashboard.categories],
            "open": [c.open_total for c in dashboard.categories],
            "urls": [finding_list_url(f, category=c.pk) for c in dashboard.categories],
            "open_urls": [rectification_list_url(f, category=c.pk, status="open") for c in dashboard.categories],
        },
        "heatmap": {
            "rows": [row.organization.name for row in dashboard.table_heat_rows],
            "columns": [c.name for c in dashboard.categories],
            "max": dashboard.table_heat_max,
            # [column, row, count, url], the layout ECharts' heatmap series takes (plus the link).
            "cells": [
                [x, y, count, finding_list_url(f, organization=row.organization.pk, category=category.pk)]
                for y, row in enumerate(dashboard.table_heat_rows)
                for x, (category, count) in enumerate(row.cells)
                if count
            ],
        },
        "trend": {
            "labels": [f"{p.month:%Y-%m}" for p in dashboard.trend],
            "findings": [p.new_findings for p in dashboard.trend],
            "closed": [p.closed_rectifications for p in dashboard.trend],
            "finding_urls": [
                finding_list_url(f, with_period=False, found_from=p.month.isoformat(), found_to=p.last_day.isoformat())
                for p in dashboard.trend
            ],
            "closed_urls": [rectification_list_url(f, status="closed", ordering="-closed_at") for p in dashboard.trend],
        },
        "inspections": {
            "labels": [i.title for i in dashboard.shown_inspections],
            "completion": [
                round(i.completion, 1) if i.completion is not None else 0 for i in dashboard.shown_inspections
            ],
            "time": [i.time_share for i in dashboard.shown_inspections],
            "urls": [rectification_list_url(f, inspection=i.pk) for i in dashboard.shown_inspections],
        },
    }
