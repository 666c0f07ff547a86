"""Every dashboard figure over the known data set of conftest.py, asserted exactly.

Leo leads the committee and sees everything; Lena leads general branch A and never sees B or B1.
"""

import datetime

import pytest

from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
from partyreview.organizations.models import Organization
from partyreview.rectifications.models import Light
from partyreview.rectifications.selectors import organization_lights
from tests.dashboards.conftest import TODAY, Dataset

pytestmark = pytest.mark.django_db

NO_FILTER = DashboardFilter()


def _by_name(rows: list) -> dict:
    return {row.name: row for row in rows}


def test_headline_figures_for_the_committee_lead(dataset: Dataset):
    h = dashboard_build(dataset.world.leo, NO_FILTER).headline

    assert h.findings == 7
    assert h.recurring_findings == 2  # F1 and F4
    assert h.rectifications == 9
    assert h.closed == 3  # R0, R1a, R3
    assert h.completion_rate == 33.3  # 3 / 9
    # R1a only: R0 closed half an hour into the day after its deadline (Beijing time), R3 after its
    # original deadline although within the extended one.
    assert h.on_time == 1
    assert h.on_time_rate == 33.3
    assert h.overdue == 3  # R0b, R1b and R4 (submitted, yet overdue)
    assert h.submitted == 1  # R4
    assert h.open == 6
    assert (h.red, h.yellow, h.green) == (3, 1, 2)  # yellow: R2; green: R5, R6
    # (10 d 15.5 h + 21 d 15.5 h + 61 d) / 3
    assert h.average_days_to_close == 31.1


def test_headline_figures_for_a_general_branch_lead_cover_only_her_subtree(dataset: Dataset):
    h = dashboard_build(dataset.world.lena, NO_FILTER).headline

    assert h.findings == 4  # F0, F1, F2, F3
    assert h.recurring_findings == 1  # F1
    assert h.rectifications == 6
    assert h.closed == 3
    assert h.completion_rate == 50.0
    assert h.on_time == 1
    assert h.overdue == 1  # R1b
    assert h.submitted == 0
    assert (h.red, h.yellow, h.green) == (1, 1, 1)
    assert h.average_days_to_close == 31.1


def test_branch_rows_with_lights_and_counts(dataset: Dataset):
    rows = _by_name(dashboard_build(dataset.world.leo, NO_FILTER).branches)

    # Committee and general branches have no findings of their own, so only the branches are listed.
    assert list(rows) == ["机关第一党支部", "机关第二党支部", "生产第一党支部"]
    a1, a2, b1 = rows["机关第一党支部"], rows["机关第二党支部"], rows["生产第一党支部"]
    assert (a1.findings_total, a1.rect_total, a1.closed, a1.overdue, a1.submitted) == (3, 5, 2, 1, 0)
    assert (a1.red, a1.yellow, a1.light, a1.completion) == (1, 1, Light.RED, 40.0)
    assert (a2.findings_total, a2.rect_total, a2.closed, a2.overdue, a2.light, a2.completion) == (
        1,
        1,
        1,
        0,
        Light.GREEN,
        100.0,
    )
    assert (b1.findings_total, b1.rect_total, b1.closed, b1.overdue, b1.submitted) == (3, 3, 0, 2, 1)
    assert (b1.light, b1.completion) == (Light.RED, 0.0)


def test_branch_lights_agree_with_the_shared_organization_lights(dataset: Dataset):
    rows = dashboard_build(dataset.world.leo, NO_FILTER).branches
    shared = dict(
        organization_lights(Organization.objects.filter(pk__in=[b.pk for b in rows]), TODAY).values_list("pk", "light")
    )
    assert {b.pk: b.light for b in rows} == shared


def test_rankings_by_overdue_and_by_completion(dataset: Dataset):
    d = dashboard_build(dataset.world.leo, NO_FILTER)

    assert [(b.name, b.overdue) for b in d.overdue_ranking] == [("生产第一党支部", 2), ("机关第一党支部", 1)]
    assert [(b.name, b.completion) for b in d.completion_ranking] == [
        ("生产第一党支部", 0.0),
        ("机关第一党支部", 40.0),
        ("机关第二党支部", 100.0),
    ]


def test_category_distribution(dataset: Dataset):
    rows = {
        c.code: (c.findings_total, c.recurring, c.open_total, c.overdue)
        for c in dashboard_build(dataset.world.leo, NO_FILTER).categories
    }

    assert rows == {
        "meeting_lapses": (2, 1, 1, 1),  # F0, F1; open R1b, overdue
        "dues_arrears": (3, 1, 4, 2),  # F0b, F2, F4; open R0b, R2, R6, R4; overdue R0b, R4
        "two_skins": (1, 0, 0, 0),
        "weak_leadership": (1, 0, 1, 0),
    }


def test_heat_map_counts_findings_per_branch_and_category(dataset: Dataset):
    d = dashboard_build(dataset.world.leo, NO_FILTER)
    cells = {(row.organization.name, c.code): n for row in d.heat_rows for c, n in row.cells if n}

    assert cells == {
        ("机关第一党支部", "meeting_lapses"): 2,
        ("机关第一党支部", "dues_arrears"): 1,
        ("机关第二党支部", "two_skins"): 1,
        ("生产第一党支部", "dues_arrears"): 2,
        ("生产第一党支部", "weak_leadership"): 1,
    }
    assert d.heat_max == 2


def test_recurrence_is_the_same_category_again_in_the_same_branch_in_a_later_inspection(dataset: Dataset):
    rows = [
        (r["organization__name"], r["category__name"], r["recurring"], r["times_found"], r["inspections"])
        for r in dashboard_build(dataset.world.leo, NO_FILTER).recurrences
    ]
    meeting = dataset.world.category("meeting_lapses").name
    dues = dataset.world.category("dues_arrears").name

    # A1's dues problem (F2) is not a recurrence: the earlier dues finding was B1's.
    assert rows == [("机关第一党支部", meeting, 1, 2, 2), ("生产第一党支部", dues, 1, 2, 2)]


def test_the_earlier_inspection_alone_has_no_recurrence(dataset: Dataset):
    d = dashboard_build(dataset.world.leo, DashboardFilter(inspection=dataset.i0))
    assert d.recurrences == []
    assert d.headline.recurring_findings == 0


def test_monthly_trend_cuts_months_in_beijing_time(dataset: Dataset):
    trend = dashboard_build(dataset.world.leo, NO_FILTER).trend

    assert (trend[0].month, trend[-1].month) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 1))
    assert {f"{p.month:%Y-%m}": p.new_findings for p in trend if p.new_findings} == {"2025-06": 2, "2026-01": 5}
    # R1a was closed at 00:30 on 1 February in Beijing, still 31 January in UTC: it counts in February.
    assert {f"{p.month:%Y-%m}": p.closed_rectifications for p in trend if p.closed_rectifications} == {
        "2026-01": 1,
        "2026-02": 1,
        "2026-03": 1,
    }


def test_inspection_progress_against_the_report_deadline(dataset: Dataset):
    rows = {i.title: i for i in dashboard_build(dataset.world.leo, NO_FILTER).inspections}

    assert list(rows) == ["2026年巡察", "2025年专项检查"]  # newest first
    i1, i0 = rows["2026年巡察"], rows["2025年专项检查"]
    assert (i1.findings_total, i1.rect_total, i1.closed, i1.overdue) == (5, 7, 2, 2)
    assert round(i1.completion, 1) == 28.6
    assert i1.report_due_date == datetime.date(2026, 2, 21)  # two months after feedback on 2025-12-21
    assert i1.days_to_report == -22
    assert i1.time_share == 100.0
    assert (i0.findings_total, i0.rect_total, i0.closed, i0.overdue, i0.completion) == (2, 2, 1, 1, 50.0)


def test_time_share_halfway_to_the_report_deadline(dataset: Dataset):
    from partyreview.dashboards.selectors import inspection_time_share

    i1 = dataset.i1  # feedback 2025-12-21, report due 2026-02-21: 62 days
    assert inspection_time_share(i1, datetime.date(2026, 1, 21)) == 50.0  # 31 of 62 days
    assert inspection_time_share(i1, datetime.date(2026, 3, 15)) == 100.0  # past the deadline: capped
    assert inspection_time_share(i1, datetime.date(2025, 12, 1)) == 0.0


def test_filter_by_inspection(dataset: Dataset):
    h = dashboard_build(dataset.world.leo, DashboardFilter(inspection=dataset.i0)).headline

    assert (h.findings, h.rectifications, h.closed, h.on_time, h.overdue) == (2, 2, 1, 0, 1)
    assert h.completion_rate == 50.0
    assert h.on_time_rate == 0.0
    assert h.average_days_to_close == 10.6


def test_period_applies_to_found_on_and_to_the_day_a_measure_was_created(dataset: Dataset):
    january = DashboardFilter(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 1, 31))
    february = DashboardFilter(date_from=datetime.date(2026, 2, 1), date_to=datetime.date(2026, 2, 28))

    jan = dashboard_build(dataset.world.leo, january).headline
    feb = dashboard_build(dataset.world.leo, february).headline

    assert (jan.findings, jan.rectifications, jan.closed) == (5, 8, 3)  # F0/F0b were found in 2025; R6 later
    assert (feb.findings, feb.rectifications, feb.closed) == (0, 1, 0)  # R6, created 15 February


def test_lena_never_sees_general_branch_b(dataset: Dataset):
    d = dashboard_build(dataset.world.lena, NO_FILTER)

    assert [b.name for b in d.branches] == ["机关第一党支部", "机关第二党支部"]
    assert [b.name for b in d.overdue_ranking] == ["机关第一党支部"]
    assert "生产第一党支部" not in {row.organization.name for row in d.heat_rows}
    assert [r["organization__name"] for r in d.recurrences] == ["机关第一党支部"]
    assert {c.code: c.findings_total for c in d.categories} == {"meeting_lapses": 2, "dues_arrears": 1, "two_skins": 1}
    assert [(i.title, i.findings_total, i.rect_total) for i in d.inspections] == [
        ("2026年巡察", 3, 5),
        ("2025年专项检查", 1, 1),
    ]
    assert sum(p.new_findings for p in d.trend) == 4
    assert [o.name for o in d.scope] == ["机关党总支"]


def test_archived_findings_are_not_counted(dataset: Dataset):
    from partyreview.inspections.services import finding_archive

    finding_archive(actor=dataset.world.alice, finding=dataset.findings["F5"], reason="重复录入")
    h = dashboard_build(dataset.world.leo, NO_FILTER).headline

    assert (h.findings, h.rectifications, h.open) == (6, 8, 5)


def test_yellow_red_and_green_branches_agree_with_organization_lights(world):
    world.rectification(world.a1, due_in=3)  # yellow: due within 7 days
    world.rectification(world.b1, due_in=-5)  # red: overdue
    world.rectification(world.b1, state="closed", due_in=20)
    rows = {b.name: b.light for b in dashboard_build(world.leo, NO_FILTER).branches}
    shared = dict(organization_lights(Organization.objects.filter(kind="branch")).values_list("name", "light"))

    assert (
        rows == shared == {"机关第一党支部": Light.YELLOW, "机关第二党支部": Light.GREEN, "生产第一党支部": Light.RED}
    )
