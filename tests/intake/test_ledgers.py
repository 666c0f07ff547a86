"""Real-shaped ledgers (tests/intake/workbooks.py) go in without touching the file: the plan of each says
how many problems and measures, and what it read — deadlines, kinds, categories, departments, people.

Staff member 周敏 imports into the 2026 round of 某某市委 (feedback 2026-10-15; tests/intake/ledger_world.py).
"""

import datetime

import pytest

from partyreview.intake import services
from partyreview.intake.writer import findings_import_plan
from partyreview.rectifications.models import Rectification, RectificationStatus
from tests.intake import workbooks
from tests.intake.ledger_world import build_ledger_world

D = datetime.date


@pytest.fixture
def lw(db):
    return build_ledger_world()


def plan_of(lw, build):
    return services.findings_plan_file(actor=lw.staff, inspection=lw.inspection, data=build())


def measures(plan):
    return [m for f in plan.findings for m in f.measures]


@pytest.mark.parametrize(
    ("name", "findings", "measure_count"),
    [
        ("committee ledger", 3, 6),
        ("English export", 2, 3),
        ("header after spacer rows", 3, 3),
        ("several sheets", 2, 2),
        ("numbered measures in one cell", 3, 6),
        ("serial dates, no category", 3, 3),
        ("sections and a repeated header", 3, 3),
        ("grouped responsibility header", 2, 3),
    ],
)
def test_every_real_shaped_ledger_plans_without_an_error(lw, name, findings, measure_count):
    plan = plan_of(lw, workbooks.LEDGERS[name])

    assert plan.errors == []
    assert (len(plan.findings), plan.measure_count) == (findings, measure_count)
    assert [f.row for f in plan.findings] == sorted({f.row for f in plan.findings})


def test_the_committee_ledger_reads_merges_units_people_deadlines_and_progress(lw):
    plan = plan_of(lw, workbooks.committee_ledger)
    study, meetings, meetings_style = plan.findings
    office = lw.branches["办公室党支部"]

    assert [f.organization for f in plan.findings] == [office, office, office]
    assert [f.category.code for f in plan.findings] == ["theory_study", "meeting_lapses", "work_style"]
    assert not study.category_exact and "党的政治建设" in study.category_reason
    first, second = study.measures
    assert (first.due_date, first.assignee, first.responsible_leader) == (
        D(2027, 3, 31),
        lw.people["王芳"],
        lw.people["李建国"],
    )
    assert first.status == RectificationStatus.SUBMITTED and first.progress_note == "已完成"
    assert (second.due_date, second.status) == (D(2027, 6, 30), RectificationStatus.IN_PROGRESS)
    assert "2027年6月底前 → 2027-06-30" in [r.reading for r in second.readings]

    immediate, unassigned, kept_up = meetings.measures
    assert (immediate.kind, immediate.due_date) == ("immediate", D(2026, 11, 14))
    assert immediate.department == "党委组织部"
    assert immediate.responsible_leader == lw.people["赵刚"]
    assert (unassigned.assignee, unassigned.named_assignee) == (lw.secretaries["办公室党支部"], "（未填写）")
    assert kept_up.kind == "long_term"
    [lasting] = meetings_style.measures
    assert (lasting.kind, lasting.due_date) == ("long_term", D(2027, 12, 31))


def test_an_english_export_maps_its_columns_and_finds_people_by_login(lw):
    plan = plan_of(lw, workbooks.english_export)

    office, finance = plan.findings
    assert (office.organization.name, finance.organization.name) == ("办公室党支部", "财务部党支部")
    assert [m.assignee.username for m in measures(plan)] == ["zhang", "zhang", "li"]
    assert [m.due_date for m in measures(plan)] == [D(2027, 3, 31), D(2027, 4, 30), D(2027, 6, 30)]
    # liu leads in 第一党支部, not above 办公室党支部: no leader, and said so once per row.
    assert [(w.row, w.message) for w in plan.warnings] == [
        (2, "找不到责任领导“liu”，该项不填责任领导"),
        (3, "找不到责任领导“liu”，该项不填责任领导"),
    ]


def test_chinese_numerals_dotted_dates_departments_and_a_quarterly_check(lw):
    plan = plan_of(lw, workbooks.header_after_spacers)

    assert [f.sequence for f in plan.findings] == [1, 2, 3]
    assert [m.due_date for m in measures(plan)][:2] == [D(2027, 1, 31), D(2027, 1, 31)]
    assert [f.organization.name for f in plan.findings] == ["办公室党支部", "某某市委", "某某市委"]
    assert [m.department for m in measures(plan)] == ["", "党委组织部", "党委宣传部"]
    quarterly = measures(plan)[2]
    assert (quarterly.kind, quarterly.cadence) == ("long_term", "quarterly")
    assert any(r.assumed for r in quarterly.readings)  # no date given: the category's default, marked


def test_the_ledger_sheet_is_chosen_among_several(lw):
    plan = plan_of(lw, workbooks.several_sheets)

    assert [m.department for m in measures(plan)] == ["党委组织部", "机关党委"]
    assert [m.due_date for m in measures(plan)] == [D(2027, 5, 31), D(2027, 2, 28)]
    assert plan.findings[1].category.code == "dues_arrears"


def test_numbered_measures_in_one_cell_are_split_with_their_deadline(lw):
    plan = plan_of(lw, workbooks.numbered_measures)

    decisions, appointments, education = plan.findings
    assert [m.measure for m in decisions.measures] == ["修订“三重一大”决策实施办法", "建立决策事项台账"]
    assert [m.measure for m in appointments.measures] == ["严格执行干部选拔任用程序", "开展专项检查", "完善考察制度"]
    assert {m.due_date for m in appointments.measures} == {D(2026, 12, 31)}  # 12月31日前, after the feedback
    assert [f.sequence for f in plan.findings] == [1, 2, 3]  # （一）（二）（三）
    assert education.measures[0].kind == "long_term"  # 立行立改，长期坚持
    assert plan.warnings == []  # 党委书记 / 组织部长 / 纪委书记 are posts, not people to look for


def test_serial_dates_missing_categories_and_several_names(lw):
    plan = plan_of(lw, workbooks.serial_dates_no_category)

    assert [m.due_date for m in measures(plan)] == [D(2027, 3, 31)] * 3
    assert [f.category.code for f in plan.findings] == ["meeting_lapses", "member_management", "weak_leadership"]
    assert all(not f.category_exact for f in plan.findings)
    first = measures(plan)[0]
    # Neither 张伟 nor 李娜 belongs to 第一党支部: its secretary holds it, both names kept.
    assert (first.assignee, first.named_assignee) == (lw.secretaries["第一党支部"], "张伟、李娜")


def test_headings_give_the_group_and_the_repeated_header_and_total_are_left_out(lw):
    plan = plan_of(lw, workbooks.sections_and_repeated_header)

    assert [f.group for f in plan.findings] == ["一、党的政治建设方面", "一、党的政治建设方面", "二、党的组织建设方面"]
    assert [m.assignee.username for m in measures(plan)] == ["wangfang", "liu", "zhang"]


def test_a_two_row_header_with_a_responsibility_group(lw):
    plan = plan_of(lw, workbooks.grouped_responsibility_header)

    assets, contracts = plan.findings
    assert assets.organization == lw.branches["财务部党支部"]
    assert [m.assignee.username for m in assets.measures] == ["li", "li"]
    assert contracts.measures[0].department == "法务部"
    assert contracts.measures[0].due_date == D(2027, 6, 30)


def test_the_committee_ledger_imports_and_a_second_upload_finds_it_all_there(lw):
    plan = plan_of(lw, workbooks.committee_ledger)
    result = findings_import_plan(actor=lw.staff, inspection=lw.inspection, plan=plan)
    assert (result.findings_created, result.measures_created) == (3, 6)
    assert Rectification.objects.filter(status=RectificationStatus.SUBMITTED).count() == 2

    again = plan_of(lw, workbooks.committee_ledger)
    assert (again.findings, len(again.skipped)) == ([], 3)


def test_a_sheet_that_is_no_ledger_is_refused_with_what_a_header_needs(lw):
    with pytest.raises(Exception, match="找不到表头"):
        plan_of(lw, workbooks.not_a_ledger)


def test_two_columns_claiming_one_field_are_reported_and_can_be_mapped(lw):
    plan = plan_of(lw, workbooks.ambiguous_columns)
    assert [e.column for e in plan.errors][:1] == ["表头"]

    data = workbooks.ambiguous_columns()
    mapped = services.findings_plan_file(
        actor=lw.staff, inspection=lw.inspection, data=data, choices={"columns": {"3": "measure", "4": None}}
    )
    assert mapped.errors == []
    assert [(f.description, f.measures[0].measure) for f in mapped.findings] == [("会议记录不全", "支委会记录缺三次")]
