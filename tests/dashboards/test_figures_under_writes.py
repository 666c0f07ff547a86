"""The committee's dashboard stays exact under writes: after every change the services allow, the figures a
lead is shown (through the shared cache, as the page reads them: each organisation's share cached apart and
retired only by a write that concerns it, dashboards/cache.py) equal those counted from the base tables —
for the committee, a general branch and a drill-down, every section of the page.

The oracle is counted afresh by the ORM (``dashboard_build`` with nothing cached) on both databases, and on
PostgreSQL also by bench/raw_sql.py, the hand-written SQL the benchmark compares the page with (it is
PostgreSQL's dialect, so the SQLite phase has the first oracle only: a decision, not a silent skip).
"""

import dataclasses
import datetime

import pytest
from django.db import connection

from partyreview.common.dates import local_today
from partyreview.dashboards import cache as cache_module
from partyreview.dashboards.cache import dashboard_figures, dashboard_summary
from partyreview.dashboards.selectors import DashboardFilter, branches, dashboard_build
from partyreview.inspections import services as inspection_services
from partyreview.rectifications import services
from partyreview.rectifications.models import (
    ExtensionRequest,
    FollowUpOutcome,
    Rectification,
    RectificationEffect,
    RectificationKind,
    ReportCadence,
)
from tests.conftest import World
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _figures(dashboard) -> dict:
    """Every number of the page: the headline, the lifecycle figures, the branch, category, heat-map,
    recurrence and inspection tables and the trend."""
    return {
        "headline": dataclasses.asdict(dashboard.headline),
        "lifecycle": dataclasses.asdict(dashboard.lifecycle),
        "branches": sorted(
            (b.name, b.findings_total, b.rect_total, b.closed, b.overdue, b.submitted, b.red, b.yellow, b.light)
            for b in dashboard.branches
        ),
        "categories": sorted(
            (c.name, c.findings_total, c.recurring, c.open_total, c.overdue) for c in dashboard.categories
        ),
        "heat": [(row.organization.name, [(c.name, n) for c, n in row.cells]) for row in dashboard.heat_rows],
        "recurrences": [
            (r["organization__name"], r["category__name"], r["recurring"], r["times_found"], r["inspections"])
            for r in dashboard.recurrences
        ],
        "trend": [(p.month, p.new_findings, p.closed_rectifications) for p in dashboard.trend],
        "inspections": [(i.title, i.findings_total, i.rect_total, i.closed, i.overdue) for i in dashboard.inspections],
    }


def _page(dashboard) -> dict:
    """Every number and row the page shows: those of ``_figures`` as the page has them (the branch table
    and heat map grouped under the top of a large scope, the first recurrences and inspections), the
    rankings and the recurrence pairs."""
    return {
        "headline": dataclasses.asdict(dashboard.headline),
        "lifecycle": dataclasses.asdict(dashboard.lifecycle),
        "rows": [
            (b.pk, b.name, b.findings_total, b.rect_total, b.closed, b.overdue, b.submitted, b.light, b.completion)
            for b in dashboard.table_rows
        ],
        "groups": [(g.pk, g.subtree, g.branches) for g in dashboard.groups or []],
        "branch_total": dashboard.branch_total,
        "heat": dashboard.heat_contents,
        "overdue": [(b.pk, b.name, b.overdue, b.light) for b in dashboard.overdue_ranking],
        "completion": [(b.pk, b.name, b.completion, b.closed, b.rect_total) for b in dashboard.completion_ranking],
        "categories": [(c.name, c.findings_total, c.recurring, c.open_total, c.overdue) for c in dashboard.categories],
        "recurrences": (dashboard.shown_recurrences, dashboard.recurrence_total),
        "pairs": [(p.finding.pk, p.earlier.pk, p.score) for p in dashboard.recurrence_pairs],
        "trend": dashboard.trend,
        "inspections": [
            (i.pk, i.findings_total, i.rect_total, i.closed, i.overdue, i.time_share, i.days_to_report)
            for i in dashboard.shown_inspections
        ],
        "inspection_total": len(dashboard.inspections),
    }


def _assert_exact(world: World, step: str) -> None:
    today = local_today()
    views = [
        ("the committee", world.leo, DashboardFilter()),
        ("a general branch", world.lena, DashboardFilter()),
        ("a drill-down", world.leo, DashboardFilter(organization=world.general_b)),
    ]
    for name, user, filters in views:
        shown = dashboard_figures(user, filters, today)
        counted = dashboard_build(user, filters, today)
        assert _figures(shown) == _figures(counted), f"{name}, after {step}"
        assert dashboard_summary(user, filters, today).headline == counted.headline, f"{name}, after {step}"
        # What the page draws after a write: a grouped page is put together from its blocks' kept views.
        page = cache_module._counted_for_page(user, filters, today, key="page")
        assert _page(page) == _page(counted), f"{name}, the page, after {step}"
    shown = dashboard_figures(world.leo, DashboardFilter(), today)
    if connection.vendor == "postgresql":
        from bench import raw_sql

        figures = raw_sql.dashboard_figures(world.committee.path, today)
        assert raw_sql.check_against(figures, shown.headline, len(shown.branches)) == [], f"after {step}"


def _fresh(r: Rectification) -> Rectification:
    return Rectification.objects.get(pk=r.pk)


@pytest.fixture(params=["as listed", "grouped"])
def table(request, monkeypatch) -> str:
    """The branch table as the data has it (three branches, every one a row), and grouped under the top of
    each scope as a committee's thousand are (``TABLE_ROWS`` 1): the page then comes from its blocks."""
    if request.param == "grouped":
        monkeypatch.setattr(branches, "TABLE_ROWS", 1)
    return request.param


def test_every_write_the_services_allow_shows_at_once_and_exactly(world: World, time_machine, table):
    time_machine.move_to(NOW, tick=False)
    w = world
    _assert_exact(w, "nothing yet")  # and cached from here on
    page = cache_module._counted_for_page(w.leo, DashboardFilter(), local_today(), key="page")
    assert page.has_lists == (table == "as listed")  # grouped: from the blocks, without every branch's row

    steps = []

    def step(name: str, action) -> None:
        action()
        _assert_exact(w, name)
        steps.append(name)

    finding = w.finding(w.a1, measures=2, due_in=5)
    _assert_exact(w, "filing a finding with two measures")
    first, second = finding.rectifications.order_by("number")
    other = w.finding(w.b1, category="dues_arrears", due_in=-3)  # overdue from the start
    _assert_exact(w, "filing an overdue finding elsewhere")
    late = other.rectifications.get()

    step(
        "adding a measure",
        lambda: services.rectification_create(
            actor=w.alice, finding=finding, measure="补充措施", assignee=w.mike, due_date=local_today()
        ),
    )
    step(
        "progress",
        lambda: services.rectification_record_progress(
            actor=w.mike, rectification=first, note="已开展整改", files=[pdf_upload()]
        ),
    )
    step(
        "submit",
        lambda: services.rectification_submit(
            actor=w.mike, rectification=_fresh(first), summary="整改完成", files=[pdf_upload()]
        ),
    )
    step("return", lambda: services.rectification_return(actor=w.alice, rectification=_fresh(first), reason="材料不全"))
    step(
        "submit again",
        lambda: services.rectification_submit(
            actor=w.mike, rectification=_fresh(first), summary="已补充", files=[pdf_upload()]
        ),
    )
    step("close", lambda: services.rectification_close(actor=w.alice, rectification=_fresh(first), note="核查属实"))
    step(
        "extension requested",
        lambda: services.extension_request(
            actor=w.mona,
            rectification=late,
            new_due_date=local_today() + datetime.timedelta(days=20),
            reason="人员调整",
        ),
    )
    step(
        "extension approved (an overdue measure no longer overdue)",
        lambda: services.extension_decide(
            actor=w.alice, extension=ExtensionRequest.objects.get(rectification=late), approve=True
        ),
    )
    step(
        "deadline moved by staff",
        lambda: services.rectification_update(
            actor=w.alice,
            rectification=_fresh(second),
            due_date=local_today() - datetime.timedelta(days=1),
            reason="调整",
        ),
    )
    step(
        "reopen (回头看)",
        lambda: services.rectification_reopen(actor=w.alice, rectification=_fresh(first), reason="问题反弹"),
    )
    step(
        "a finding moved to another category",
        lambda: inspection_services.finding_update(actor=w.alice, finding=finding, category=w.category("dues_arrears")),
    )
    step(
        "a finding moved to another branch",
        lambda: inspection_services.finding_update(actor=w.alice, finding=finding, organization=w.general_a),
    )
    step(
        "a measure turned 长期坚持",
        lambda: services.rectification_update(
            actor=w.alice,
            rectification=_fresh(second),
            kind=RectificationKind.LONG_TERM,
            report_cadence=ReportCadence.QUARTERLY,
            reason="长期坚持",
        ),
    )
    step(
        "a period report",
        lambda: services.rectification_report_period(actor=w.mike, rectification=_fresh(second), note="本季度已开展"),
    )
    step(
        "submit the 长期坚持 measure",
        lambda: services.rectification_submit(
            actor=w.mike, rectification=_fresh(second), summary="阶段性完成", files=[pdf_upload()]
        ),
    )
    step(
        "阶段性销号 rated 实质整改",
        lambda: services.rectification_close(
            actor=w.alice, rectification=_fresh(second), note="核查属实", effect=RectificationEffect.SUBSTANTIVE
        ),
    )
    step(
        "end the 长期坚持",
        lambda: services.rectification_end_long_term(actor=w.alice, rectification=_fresh(second), reason="已形成制度"),
    )
    step(
        "submit and close again",
        lambda: (
            services.rectification_submit(
                actor=w.mike, rectification=_fresh(first), summary="再次整改", files=[pdf_upload()]
            ),
            services.rectification_close(actor=w.alice, rectification=_fresh(first), note="核查属实"),
        ),
    )
    step(
        "回头看 finds the problem back (问题反弹)",
        lambda: services.followup_record(
            actor=w.alice,
            review=services.followup_schedule(
                actor=w.alice,
                rectifications=[_fresh(first)],
                inspector=w.alice,
                due_date=local_today() + datetime.timedelta(days=10),
            )[0],
            outcome=FollowUpOutcome.RELAPSED,
            note="问题再次出现",
        ),
    )
    step(
        "archive a finding",
        lambda: inspection_services.finding_archive(actor=w.alice, finding=other, reason="重复录入"),
    )

    time_machine.move_to(NOW + datetime.timedelta(days=3), tick=False)
    _assert_exact(w, "three days later (deadlines passed)")
    assert len(steps) == 20
