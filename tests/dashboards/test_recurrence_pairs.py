"""反复出现, linked: the dashboard pairs each recurring finding with the earlier one it resembles (F1 ↔ F0 in
A1, F4 ↔ F0b in B1, the dataset's two recurrences), names both by inspection and item number and links
them, beside the 回头看 反弹 count; a recurrence whose wording differs is counted but not paired; and the
pairs cost the same two queries for two recurrences or forty."""

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
from partyreview.dashboards.selectors.pairs import PAIRS_SHOWN
from partyreview.inspections.models import Category, Finding
from partyreview.inspections.services import inspection_create
from partyreview.rectifications import services
from tests.factories import FindingFactory

pytestmark = pytest.mark.django_db


def _pairs(user, filters: DashboardFilter | None = None) -> list[tuple[int, int]]:
    dash = dashboard_build(user, filters or DashboardFilter())
    return [(p.finding.pk, p.earlier.pk) for p in dash.recurrence_pairs]


def test_each_recurring_finding_is_paired_with_the_earlier_one_it_resembles(dataset):
    f = dataset.findings

    assert _pairs(dataset.world.leo) == [(f["F1"].pk, f["F0"].pk), (f["F4"].pk, f["F0b"].pk)]


def test_the_page_names_both_findings_by_inspection_and_item_and_links_them(dataset, client_for):
    f = dataset.findings

    page = client_for(dataset.world.leo).get(reverse("dashboards:index")).content.decode()

    for finding in (f["F1"], f["F0"], f["F4"], f["F0b"]):
        assert reverse("inspections:finding_detail", args=[finding.pk]) in page
    assert f"2026年巡察第{f['F1'].sequence}项" in page
    assert f"2025年专项检查第{f['F0'].sequence}项" in page
    assert 'data-figure="relapsed-beside-pairs">0<' in page


def test_the_export_lists_the_pairs(dataset, client_for):
    f = dataset.findings

    response = client_for(dataset.world.leo).get(reverse("dashboards:export"))

    rows = [[c.value for c in row] for row in load_workbook(BytesIO(response.content))["前后相似的问题"].iter_rows()]
    assert rows[0][:3] == ["党组织", "问题类别", "本次问题"]
    assert [(r[0], r[2], r[4], r[6]) for r in rows[1:]] == [
        ("机关第一党支部", f"2026年巡察第{f['F1'].sequence}项", f"2025年专项检查第{f['F0'].sequence}项", 1.0),
        ("生产第一党支部", f"2026年巡察第{f['F4'].sequence}项", f"2025年专项检查第{f['F0b'].sequence}项", 1.0),
    ]


def test_a_relapse_found_by_a_look_back_is_counted_beside_the_pairs(dataset, client_for):
    w = dataset.world
    r0 = dataset.r["R0"]
    (review,) = services.followup_schedule(
        actor=w.alice, rectifications=[r0], inspector=w.alice, due_date=datetime.date(2026, 3, 31)
    )
    services.followup_record(actor=w.alice, review=review, outcome="relapsed", note="会议记录又缺失")

    page = client_for(w.leo).get(reverse("dashboards:index")).content.decode()

    assert 'data-figure="relapsed-beside-pairs">1<' in page


def test_a_recurrence_in_other_words_is_counted_but_not_paired(dataset):
    Finding.objects.filter(pk=dataset.findings["F4"].pk).update(description="党费收缴台账缺失，收缴基数错误")

    assert _pairs(dataset.world.leo) == [(dataset.findings["F1"].pk, dataset.findings["F0"].pk)]


def test_the_pairs_follow_the_dashboards_filter_and_scope(dataset):
    f = dataset.findings
    w = dataset.world

    assert _pairs(w.leo, DashboardFilter(organization=w.general_b)) == [(f["F4"].pk, f["F0b"].pk)]
    assert _pairs(w.lena) == [(f["F1"].pk, f["F0"].pk)]  # lead of general branch A sees A1 only


def _recurrences(world, n: int, earlier, later) -> None:
    """``n`` more recurring (organisation, category) cells in A1, A2 and B1, each one pair."""
    categories = list(Category.objects.exclude(code__in=["meeting_lapses", "dues_arrears"]))
    for i in range(n):
        org = [world.a1, world.a2, world.b1][i % 3]
        category = categories[(i // 3) % len(categories)]
        for inspection in (earlier, later):
            FindingFactory(
                inspection=inspection,
                organization=org,
                category=category,
                description=f"{category.name}：{org.name}第{i}号问题未整改到位",
                found_on=inspection.start_date,
                sequence=(Finding.objects.filter(inspection=inspection).aggregate(m=Max("sequence"))["m"] or 0) + 1,
                created_by=world.alice,
            )


def test_the_pairs_cost_the_same_queries_for_two_recurrences_or_forty(world):
    earlier = inspection_create(
        actor=world.alice,
        title="2025年巡察",
        kind="tour",
        inspecting_org=world.committee,
        inspected_orgs=[world.a1, world.a2, world.b1],
        start_date=world.inspection.start_date - datetime.timedelta(days=365),
    )
    _recurrences(world, 2, earlier, world.inspection)
    dashboard_build(world.leo, DashboardFilter())
    with CaptureQueriesContext(connection) as small:
        dash = dashboard_build(world.leo, DashboardFilter())
    assert len(dash.recurrence_pairs) == 2

    _recurrences(world, 40, earlier, world.inspection)
    with CaptureQueriesContext(connection) as large:
        dash = dashboard_build(world.leo, DashboardFilter())

    assert len(dash.recurrence_pairs) == PAIRS_SHOWN
    assert len(small) == len(large)
