"""立行立改完成率, 长期坚持 and 整改成效 on Leo's dashboard, counted exactly.

Alice files two 立行立改 measures in A1 (one is closed as 实质整改) and two 长期坚持 ones (one closed for its
stage, one whose first quarterly report is missing). Lena leads general branch A only; B1's measure is
outside her scope.
"""

import datetime

import time_machine
from django.urls import reverse

from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
from partyreview.rectifications import services
from partyreview.rectifications.models import RectificationKind
from tests.factories import pdf_upload

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
FILED = datetime.date(2026, 2, 2)


def _at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=BEIJING), tick=False)


def _measure(world, org, kind, **extra):
    finding = world.finding(org)
    return services.rectification_create(
        actor=world.alice,
        finding=finding,
        measure=f"{kind}措施",
        assignee=world.assignee_for(org),
        due_date=None,
        kind=kind,
        **extra,
    )


def _close(world, r, effect=""):
    secretary = world.sam if r.responsible_org == world.a1 else world.sara
    if r.is_long_term:
        services.rectification_report_period(actor=secretary, rectification=r, note="本期落实")
    else:
        services.rectification_record_progress(actor=secretary, rectification=r, note="已整改")
    services.rectification_submit(actor=secretary, rectification=r, summary="已完成", files=[pdf_upload()])
    services.rectification_close(actor=world.alice, rectification=r, note="属实", effect=effect)


def test_the_lifecycle_figures_count_each_kind_and_the_rated_effect(world, client_for):
    with _at(FILED):
        done = _measure(world, world.a1, RectificationKind.IMMEDIATE)
        _measure(world, world.a1, RectificationKind.IMMEDIATE)
        stage = _measure(world, world.a1, RectificationKind.LONG_TERM, report_cadence="quarterly")
        _measure(world, world.a1, RectificationKind.LONG_TERM, report_cadence="quarterly")
        _measure(world, world.b1, RectificationKind.IMMEDIATE)
        _close(world, done, effect="substantive")
        _close(world, stage, effect="follow_up")
    april = datetime.date(2026, 4, 2)  # Q1 has ended: the second long-term measure never reported
    with _at(april):
        lc = dashboard_build(world.leo, DashboardFilter(), today=april).lifecycle
        lena = dashboard_build(world.lena, DashboardFilter(), today=april).lifecycle
        html = client_for(world.leo).get(reverse("dashboards:index")).content.decode()
    assert (lc.immediate, lc.immediate_closed, lc.immediate_rate) == (3, 1, 33.3)
    assert (lc.kept_up, lc.stage_closed, lc.report_missing) == (2, 1, 1)
    assert (lc.substantive, lc.follow_up) == (1, 1)
    assert (lena.immediate, lena.immediate_closed) == (2, 1)
    assert '立行立改完成率</span><span class="figure-value" data-figure="immediate_rate">33.3%' in html
    assert 'data-figure="kept_up">2<' in html and 'data-figure="report_missing">1<' in html
