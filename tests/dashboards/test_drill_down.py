"""A committee too large to list branch by branch: one row per organisation under it, and a drill-down
to an organisation's own dashboard (docs/performance.md). Over the known data set of conftest.py.

The world: 测试党委 → 机关党总支 (A: 机关第一党支部 A1, 机关第二党支部 A2) and 生产党总支 (B: 生产第一党支部 B1).
The table's limit is lowered to make three branches "too many".
"""

from dataclasses import asdict
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partyreview.dashboards import selectors
from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
from partyreview.inspections.services import finding_create
from partyreview.rectifications.models import Light
from tests.dashboards.conftest import TODAY, Dataset

pytestmark = pytest.mark.django_db

INDEX = reverse("dashboards:index")
FIGURES = ("findings_total", "rect_total", "closed", "overdue", "submitted", "red", "yellow")


@pytest.fixture
def small_table(monkeypatch):
    monkeypatch.setattr(selectors.branches, "TABLE_ROWS", 2)


def test_up_to_the_limit_every_branch_is_a_row(dataset: Dataset):
    d = dashboard_build(dataset.world.leo, DashboardFilter())

    assert d.groups is None
    assert [b.name for b in d.table_rows] == ["机关第一党支部", "机关第二党支部", "生产第一党支部"]
    assert d.table_heat_rows == d.heat_rows and d.group_heat_rows is None


def test_above_the_limit_each_general_branch_is_a_row_with_its_branches_summed(dataset: Dataset, small_table):
    d = dashboard_build(dataset.world.leo, DashboardFilter())
    branches = {b.name: b for b in d.branches}

    assert [(g.name, g.branches, g.is_group) for g in d.groups] == [("机关党总支", 2, True), ("生产党总支", 1, True)]
    a, b = d.groups
    for figure in FIGURES:
        a1, a2, b1 = (getattr(branches[n], figure) for n in ("机关第一党支部", "机关第二党支部", "生产第一党支部"))
        assert getattr(a, figure) == a1 + a2, figure
        assert getattr(b, figure) == b1, figure
    assert (a.findings_total, a.rect_total, a.closed, a.overdue) == (4, 6, 3, 1)
    assert (a.light, a.completion) == (Light.RED, 50.0)
    # The whole committee's figures are the rows' sums: nothing counted twice, nothing left out.
    assert sum(g.rect_total for g in d.groups) == d.headline.rectifications
    assert sum(g.findings_total for g in d.groups) == d.headline.findings
    # The rankings, the export's branch sheet and heat map keep every branch.
    assert len(d.branches) == 3
    assert [b.name for b in d.overdue_ranking] == ["生产第一党支部", "机关第一党支部"]
    assert [row.organization.name for row in d.heat_rows] == ["机关第一党支部", "机关第二党支部", "生产第一党支部"]


def test_the_grouped_heat_map_sums_its_branches_cells(dataset: Dataset, small_table):
    d = dashboard_build(dataset.world.leo, DashboardFilter())

    by_branch = {(row.organization.name, c.code): n for row in d.heat_rows for c, n in row.cells if n}
    grouped = {(row.organization.name, c.code): n for row in d.table_heat_rows for c, n in row.cells if n}
    assert grouped == {
        ("机关党总支", "meeting_lapses"): by_branch[("机关第一党支部", "meeting_lapses")],
        ("机关党总支", "dues_arrears"): by_branch[("机关第一党支部", "dues_arrears")],
        ("机关党总支", "two_skins"): by_branch[("机关第二党支部", "two_skins")],
        ("生产党总支", "dues_arrears"): by_branch[("生产第一党支部", "dues_arrears")],
        ("生产党总支", "weak_leadership"): by_branch[("生产第一党支部", "weak_leadership")],
    }
    assert d.table_heat_max == max(grouped.values())


def test_a_top_organisation_with_findings_of_its_own_keeps_a_row_of_them(dataset: Dataset, small_table):
    w = dataset.world
    finding_create(
        actor=w.alice,
        inspection=w.inspection,
        organization=w.committee,
        category=w.category("two_skins"),
        description="党委本级的问题",
        found_on=TODAY,
    )
    d = dashboard_build(w.leo, DashboardFilter())

    rows = [(g.name, g.findings_total, g.is_group) for g in d.groups]
    assert rows == [("测试党委", 1, False), ("机关党总支", 4, True), ("生产党总支", 3, True)]


def test_drilling_down_to_a_general_branch_gives_its_lead_s_figures(dataset: Dataset):
    w = dataset.world
    focused = dashboard_build(w.leo, DashboardFilter(organization=w.general_a))
    lenas = dashboard_build(w.lena, DashboardFilter())

    assert asdict(focused.headline) == asdict(lenas.headline)
    assert [b.name for b in focused.branches] == [b.name for b in lenas.branches]
    assert [c.code for c in focused.categories] == [c.code for c in lenas.categories]
    assert focused.recurrences == lenas.recurrences
    assert [(i.title, i.rect_total) for i in focused.inspections] == [
        (i.title, i.rect_total) for i in lenas.inspections
    ]
    assert [o.name for o in focused.scope] == ["机关党总支"]


def test_the_page_links_each_group_down_to_its_own_dashboard(dataset: Dataset, client_for, small_table):
    w = dataset.world
    html = client_for(w.leo).get(INDEX).content.decode()

    assert f'<a href="{INDEX}?organization={w.general_a.pk}">机关党总支</a>' in html
    assert f'<tr data-organization="{w.a1.pk}">' not in html  # the branch table is grouped
    # A group's cells link to the problem list of its subtree (the list's filter takes 含下级).
    meeting = w.category("meeting_lapses")
    link = f"{reverse('inspections:finding_list')}?organization={w.general_a.pk}&amp;category={meeting.pk}"
    assert f'href="{link}"' in html
    # 督办 is per branch: a group row offers its dashboard instead.
    assert reverse("dashboards:escalate_organization", args=[w.general_a.pk]) not in html


def test_a_drilled_down_page_keeps_the_organisation_in_every_link(dataset: Dataset, client_for):
    w = dataset.world
    html = client_for(w.leo).get(INDEX, {"organization": w.general_a.pk}).content.decode()

    assert 'data-figure="findings">4<' in html
    assert "生产第一党支部" not in html
    assert f'href="{reverse("rectifications:list")}?organization={w.general_a.pk}"' in html
    assert f'<a class="d-print-none" href="{INDEX}">返回全部范围</a>' in html
    book = load_workbook(
        BytesIO(client_for(w.leo).get(reverse("dashboards:export"), {"organization": w.general_a.pk}).content)
    )
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "机关党总支" in cells
    assert not any("生产" in value for value in cells)


@pytest.mark.parametrize("target", ["general_b", "committee", "b1", "a1"])
def test_an_organisation_outside_the_choices_is_ignored_and_shows_nothing_more(dataset: Dataset, client_for, target):
    w = dataset.world
    response = client_for(w.lena).get(INDEX, {"organization": getattr(w, target).pk})
    html = response.content.decode()

    assert response.status_code == 200
    assert "筛选条件有误，已忽略" in html
    assert 'data-figure="findings">4<' in html  # Lena's own scope, as without the parameter
    assert "生产" not in html


def test_long_lists_show_their_head_and_say_how_many_there_are(dataset: Dataset, client_for, monkeypatch):
    monkeypatch.setattr(selectors.build, "RECURRENCE_ROWS", 1)
    monkeypatch.setattr(selectors.build, "INSPECTION_ROWS", 1)
    w = dataset.world
    client = client_for(w.leo)
    html = client.get(INDEX).content.decode()

    assert "共 2 处，显示再次发现最多的 1 处" in html
    assert "共 2 次检查，显示最近 1 次" in html
    table = html.split('id="table-inspections"', 1)[1].split("</table>", 1)[0]
    assert "2026年巡察" in table and "2025年专项检查" not in table
    # The export has them all.
    book = load_workbook(BytesIO(client.get(reverse("dashboards:export")).content))
    assert {"2026年巡察", "2025年专项检查"} <= {
        str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
    }
