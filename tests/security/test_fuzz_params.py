"""Hostile query and POST parameters on every URL of the permission table: never a server error.

Each URL of tests/security/test_url_table.py is requested by the personas who may open it, with every
parameter name the project reads from a request (collected from the code itself: the views' request.GET
and request.POST reads, the list filters, the dashboard's filter form) set to values that once gave 500s:
a superscript digit (str.isdigit() is True for "²", int() fails), an id past PostgreSQL's bigint and
SQLite's integer, the first and last dates Python knows (date arithmetic overflows), a keyword of 1,000
words. A new URL or a new parameter is covered without this file changing.

Every parameter at once on every URL, for every value; and each parameter a view reads itself alone, on
the pages without an object in their URL, so that a page refusing one parameter early (a 404 for an
unknown inspection) cannot hide another's failure.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.security.test_url_table import PATTERNS, TABLE, _url, demo  # noqa: F401 (demo is a fixture)

SOURCE = Path(settings.BASE_DIR) / "partyreview"
READ = re.compile(r"""(?:request\.(?:GET|POST)|params\.read_\w+\(request(?:\.GET|\.POST)?)[^"'\n]{0,20}["'](\w+)["']""")
HOSTILE = [
    "²",
    "99999999999999999999",
    "-1",
    "0001-01-01",
    "9999-12-31",
    " ".join(["整改"] * 1000),
    "1e309",
    "\x00",
]


def _view_names() -> set[str]:
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        names.update(READ.findall(path.read_text(encoding="utf-8")))
    return names - {"csrfmiddlewaretoken", "next"}


def _parameter_names() -> list[str]:
    from partyreview.dashboards.forms import DashboardFilterForm
    from partyreview.inspections.filters import InspectionFilter
    from partyreview.rectifications.filters import FindingFilter, RectificationFilter

    names = _view_names()
    for filterset in (InspectionFilter, RectificationFilter, FindingFilter):
        names.update(filterset.base_filters)
    names.update(DashboardFilterForm.base_fields)
    names.update({"id", "page"})
    return sorted(names)


NAMES = _parameter_names()
VIEW_NAMES = sorted(_view_names())
PERSONAS = ("anon", "staff", "leader", "secretary", "secretary2", "admin")


def test_the_parameter_names_are_found_in_the_code():
    # The classes the scan found: ids, dates, keywords; if the pattern broke, this list would shrink.
    assert {"org", "parent", "organization", "inspection", "id", "date_to", "due_from", "q"} <= set(NAMES)
    assert {"org", "parent", "organization", "inspection", "id"} <= set(VIEW_NAMES)


def _openers(name: str) -> list[str]:
    # The personas to whom the page is something (not a login redirect or a 404): they reach the code
    # that reads the parameters.
    row = TABLE[name]
    return [p for p, expect in zip(PERSONAS, row.expect, strict=True) if expect in ("ok", "405", "400", "403")]


def _requests(objects, clients, params: dict[str, str], *, without_objects: bool = False) -> list[str]:
    """Every URL of the table, by the first persona who may open it, with ``params``; the 5xx answers."""
    errors = []
    for name, row in sorted(TABLE.items()):
        openers = _openers(name)
        if not openers or (without_objects and row.kind is not None):
            continue
        url = _url(name, objects, "a")
        persona = openers[0]
        post_only = row.expect[PERSONAS.index(persona)] == "405"
        client = clients[persona]
        response = client.post(url, params) if post_only else client.get(url, params)
        if response.status_code >= 500:
            shown = {k: v[:12] for k, v in params.items()}
            errors.append(f"{persona} {'POST' if post_only else 'GET'} {url} {shown}")
    return errors


@pytest.mark.parametrize(
    "value",
    HOSTILE,
    ids=["superscript", "huge-id", "negative", "date-min", "date-max", "1000-words", "float-overflow", "nul"],
)
def test_every_parameter_at_once_with_a_hostile_value_never_gives_a_server_error(demo, value):  # noqa: F811
    objects, clients = demo
    assert _requests(objects, clients, dict.fromkeys(NAMES, value)) == []


@pytest.mark.parametrize("value", ["²", "99999999999999999999"], ids=["superscript", "huge-id"])
def test_each_parameter_a_view_reads_alone_with_a_hostile_value_never_gives_a_server_error(demo, value):  # noqa: F811
    objects, clients = demo
    errors = []
    for param in VIEW_NAMES:
        errors += _requests(objects, clients, {param: value}, without_objects=True)
    assert errors == []
