"""The data static/js/dashboard.js draws, passed through ``json_script`` (the CSP forbids inline scripts).

Each chart gets its labels, its numbers and, for each bar, point or cell, the URL of the list behind it,
so a click in the chart goes where the same number in the table beside it links to.

The charts are made one by one (``chart_sections``), each with the values it is drawn from, so that the page
keeps each chart's JSON by those values (``chart_script``): recounted after a write, it makes again only the
charts whose values changed (building the URLs and escaping 75 kB of JSON took 20 ms of every recount).
"""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from partyreview.dashboards.cache import drawn_by_contents
from partyreview.dashboards.links import finding_list_url, rectification_list_url
from partyreview.dashboards.selectors import Dashboard
from partyreview.rectifications.models import Light

ELEMENT_ID = "dashboard-data"
# This file's text is part of each chart's key: other code makes other data.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
# What ``django.utils.html.json_script`` escapes, so that the JSON cannot close its <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def chart_sections(dashboard: Dashboard) -> list[tuple[str, object, Callable[[], dict]]]:
    """Each chart's name, the values it is drawn from (with the filters, which its links keep) and a
    function making its data."""
    d = dashboard
    return [
        ("lights", (d.headline.red, d.headline.yellow, d.headline.green), lambda: _lights(d)),
        ("completion", d.completion_ranking, lambda: _completion(d)),
        ("overdue", d.overdue_ranking, lambda: _overdue(d)),
        ("categories", d.categories, lambda: _categories(d)),
        ("heatmap", d.heat_contents, lambda: _heatmap(d)),
        ("trend", d.trend, lambda: _trend(d)),
        ("inspections", d.shown_inspections, lambda: _inspections(d)),
    ]


def dashboard_chart_data(dashboard: Dashboard) -> dict:
    """Every chart's data, by name."""
    return {name: data() for name, _contents, data in chart_sections(dashboard)}


def chart_script(dashboard: Dashboard) -> SafeString:
    """``json_script(dashboard_chart_data(dashboard), ELEMENT_ID)``, from each chart's JSON kept by the values
    it is drawn from."""
    texts = [
        f"{json.dumps(name)}: "
        + drawn_by_contents(f"chart-{name}", [_CODE, dashboard.filters, contents], lambda data=data: _json(data()))
        for name, contents, data in chart_sections(dashboard)
    ]
    return mark_safe(f'<script id="{ELEMENT_ID}" type="application/json">{{{", ".join(texts)}}}</script>')  # noqa: S308


def _json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES)


def _lights(d: Dashboard) -> dict:
    f, h = d.filters, d.headline
    return {
        "labels": ["红灯（已逾期）", "黄灯（临近时限）", "绿灯（正常推进）"],
        "values": [h.red, h.yellow, h.green],
        "colors": ["#c62828", "#f9a825", "#2e7d32"],
        "urls": [
            rectification_list_url(f, light=Light.RED),
            rectification_list_url(f, light=Light.YELLOW),
            rectification_list_url(f, light=Light.GREEN, status="open"),
        ],
    }


def _completion(d: Dashboard) -> dict:
    return {
        "labels": [b.name for b in d.completion_ranking],
        "values": [round(b.completion, 1) for b in d.completion_ranking],
        "urls": [rectification_list_url(d.filters, organization=b.pk) for b in d.completion_ranking],
    }


def _overdue(d: Dashboard) -> dict:
    return {
        "labels": [b.name for b in d.overdue_ranking],
        "values": [b.overdue for b in d.overdue_ranking],
        "urls": [rectification_list_url(d.filters, organization=b.pk, overdue=1) for b in d.overdue_ranking],
    }


def _categories(d: Dashboard) -> dict:
    f = d.filters
    return {
        "labels": [c.name for c in d.categories],
        "findings": [c.findings_total for c in d.categories],
        "open": [c.open_total for c in d.categories],
        "urls": [finding_list_url(f, category=c.pk) for c in d.categories],
        "open_urls": [rectification_list_url(f, category=c.pk, status="open") for c in d.categories],
    }


def _heatmap(d: Dashboard) -> dict:
    rows = d.table_heat_rows
    return {
        "rows": [row.organization.name for row in rows],
        "columns": [c.name for c in d.categories],
        "max": d.table_heat_max,
        # [column, row, count, url], the layout ECharts' heatmap series takes (plus the link).
        "cells": [
            [x, y, count, finding_list_url(d.filters, organization=row.organization.pk, category=category.pk)]
            for y, row in enumerate(rows)
            for x, (category, count) in enumerate(row.cells)
            if count
        ],
    }


def _trend(d: Dashboard) -> dict:
    f = d.filters
    return {
        "labels": [f"{p.month:%Y-%m}" for p in d.trend],
        "findings": [p.new_findings for p in d.trend],
        "closed": [p.closed_rectifications for p in d.trend],
        "finding_urls": [
            finding_list_url(f, with_period=False, found_from=p.month.isoformat(), found_to=p.last_day.isoformat())
            for p in d.trend
        ],
        "closed_urls": [rectification_list_url(f, status="closed", ordering="-closed_at") for p in d.trend],
    }


def _inspections(d: Dashboard) -> dict:
    shown = d.shown_inspections
    return {
        "labels": [i.title for i in shown],
        "completion": [round(i.completion, 1) if i.completion is not None else 0 for i in shown],
        "time": [i.time_share for i in shown],
        "urls": [rectification_list_url(d.filters, inspection=i.pk) for i in shown],
    }
