"""Finding the table in a ledger kept by hand: the sheet, the header row(s), the columns, the rows as they
stand (merges filled down, titles, headings and footers left out), and every header problem at once."""

import datetime
import enum
import io

import openpyxl
import pytest

from partyreview.common.spreadsheets import read_spreadsheet
from partyreview.intake.columns import LEDGER_COLUMNS, Vocabulary, normalise_header
from partyreview.intake.fields import Field
from partyreview.intake.tables import HEADER_SCAN_ROWS, find_ledger, find_table
from tests.intake import workbooks
from tests.intake.workbooks import EXPECTED, LEDGERS

pytestmark = pytest.mark.django_db
D = datetime.date


def ledger(build, **options):
    return find_ledger(read_spreadsheet(build()), **options)


@pytest.mark.parametrize("name", list(LEDGERS))
def test_each_real_shaped_ledger_is_found_without_touching_the_file(name):
    expected = EXPECTED[name]

    found = ledger(LEDGERS[name])

    assert found.problems == []
    assert found.sheet == expected.sheet
    assert found.header_rows == expected.header_rows
    assert [r.number for r in found.rows] == expected.data_rows
    assert len({r.values[Field.DESCRIPTION] for r in found.rows}) == expected.problems
    assert all(Field.MEASURE in r.values for r in found.rows)


def test_the_committee_ledger_reads_two_header_rows_as_one_and_fills_merged_problems_down():
    found = ledger(workbooks.committee_ledger)

    assert {f: c for f, c in found.mapping.items()} == {
        Field.SEQUENCE: 1,
        Field.CATEGORY: 2,
        Field.DESCRIPTION: 3,
        Field.MEASURE: 5,
        Field.DUE_DATE: 6,
        Field.DEPARTMENT: 7,
        Field.LEADER: 8,
        Field.ASSIGNEE: 9,
        Field.PROGRESS: 10,
    }
    by_column = {c.column: c for c in found.columns}
    assert by_column[3].header == "存在问题" and by_column[3].group == "问题清单"
    assert by_column[5].group == "任务清单" and by_column[9].group == "责任清单"
    assert found.unrecognised == [(4, "问题表现")]
    second_measure_of_problem_two = next(r for r in found.rows if r.number == 8)
    assert second_measure_of_problem_two.values[Field.SEQUENCE] == 2  # merged A7:A9, filled down
    assert second_measure_of_problem_two.values[Field.CATEGORY] == "组织建设"
    assert second_measure_of_problem_two.values[Field.DESCRIPTION] == "基层党组织“三会一课”制度落实不到位"
    assert second_measure_of_problem_two.values[Field.MEASURE] == "将落实情况纳入支部书记述职评议"
    assert Field.ASSIGNEE not in second_measure_of_problem_two.values  # blank stays blank, never filled


def test_raw_values_are_delivered_as_the_cells_hold_them():
    rows = {r.number: r.values for r in ledger(workbooks.committee_ledger).rows}

    assert rows[5][Field.DUE_DATE] == D(2027, 3, 31)  # a date cell is a date
    assert rows[6][Field.DUE_DATE] == "2027年6月底前"  # words stay words, for the planner to read
    assert rows[7][Field.LEADER] == "纪委书记 赵刚"
    assert rows[7][Field.DEPARTMENT] == "党委组织部、办公室党支部"
    serial = ledger(workbooks.serial_dates_no_category).rows[0].values
    assert serial[Field.DUE_DATE] == 46477 and Field.CATEGORY not in serial
    numbered = ledger(workbooks.numbered_measures).rows[1].values
    assert numbered[Field.SEQUENCE] == "（二）"
    assert numbered[Field.MEASURE] == "1. 严格执行干部选拔任用程序\n2. 开展专项检查\n3. 完善考察制度"


def test_titles_subtitles_and_footers_are_skipped_and_listed_for_the_preview():
    found = ledger(workbooks.committee_ledger)

    skipped = [(s.number, s.reason) for s in found.skipped]
    assert skipped == [(1, "标题"), (2, "表头上方"), (13, "表尾"), (14, "表尾")]
    assert found.skipped[0].text == workbooks.TITLE
    assert found.skipped[2].text.startswith("填报人：王芳")


def test_section_headings_become_the_rows_group_and_a_repeated_header_and_totals_are_dropped():
    found = ledger(workbooks.sections_and_repeated_header)

    assert [(s.number, s.reason) for s in found.skipped] == [
        (1, "标题"),
        (3, "分组标题"),
        (6, "重复表头"),
        (7, "分组标题"),
        (9, "表尾"),
    ]
    assert [r.group for r in found.rows] == ["一、党的政治建设方面", "一、党的政治建设方面", "二、党的组织建设方面"]


def test_the_ledger_sheet_is_chosen_among_several_and_the_candidates_returned():
    found = ledger(workbooks.several_sheets)

    assert found.sheet == "问题清单"
    assert [c.name for c in found.candidates] == ["问题清单"]
    assert found.mapping[Field.DEPARTMENT] == 4  # 牵头单位 is preferred to 配合单位
    assert found.unrecognised == [(5, "配合单位")]


def test_two_ledger_sheets_are_both_offered_and_the_person_may_choose():
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "2025年"
    first.append(["序号", "问题描述", "整改措施"])
    first.append([1, "旧问题", "旧措施"])
    second = wb.create_sheet("2026年")
    second.append(["序号", "问题描述", "整改措施", "责任人"])
    second.append([1, "新问题", "新措施", "张伟"])
    book = read_spreadsheet(workbooks.to_bytes(wb))

    found = find_ledger(book)
    chosen = find_ledger(book, sheet="2025年")

    assert found.sheet == "2026年"  # names more fields
    assert [c.name for c in found.candidates] == ["2026年", "2025年"]
    assert chosen.sheet == "2025年" and chosen.rows[0].values[Field.DESCRIPTION] == "旧问题"


def test_headers_with_line_breaks_full_width_characters_and_notes_are_recognised():
    found = ledger(workbooks.header_after_spacers)

    assert found.mapping == {
        Field.SEQUENCE: 1,
        Field.DESCRIPTION: 2,
        Field.MEASURE: 3,
        Field.DEPARTMENT: 4,
        Field.DUE_DATE: 5,
        Field.PROGRESS: 6,
    }
    assert [r.values[Field.SEQUENCE] for r in found.rows] == ["一", "二", "三"]


def test_english_exports_map_by_their_field_names():
    found = ledger(workbooks.english_export)

    assert set(found.mapping) == {
        Field.SEQUENCE,
        Field.ORGANIZATION,
        Field.CATEGORY,
        Field.DESCRIPTION,
        Field.MEASURE,
        Field.LEADER,
        Field.ASSIGNEE,
        Field.DUE_DATE,
        Field.PROGRESS,
    }
    assert found.rows[0].values[Field.DUE_DATE] == "2027-03-31 00:00:00"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("问题描述", Field.DESCRIPTION),
        ("存在问题", Field.DESCRIPTION),
        ("问题内容", Field.DESCRIPTION),
        ("具体问题", Field.DESCRIPTION),
        ("问题表现", Field.DESCRIPTION),
        ("IssueDesc", Field.DESCRIPTION),
        ("整改措施", Field.MEASURE),
        ("整改任务", Field.MEASURE),
        ("任务清单", Field.MEASURE),
        ("具体整改措施", Field.MEASURE),
        ("整改时限", Field.DUE_DATE),
        ("完成时限", Field.DUE_DATE),
        ("整改期限", Field.DUE_DATE),
        ("截止日期", Field.DUE_DATE),
        ("整改时限（完成时间）", Field.DUE_DATE),
        ("整改时限\n(完成时间)", Field.DUE_DATE),
        ("DueDate", Field.DUE_DATE),
        ("责任单位", Field.DEPARTMENT),
        ("责任部门", Field.DEPARTMENT),
        ("牵头单位", Field.DEPARTMENT),
        ("配合单位", Field.DEPARTMENT),
        ("责任领导", Field.LEADER),
        ("分管领导", Field.LEADER),
        ("Leader", Field.LEADER),
        ("责任人", Field.ASSIGNEE),
        ("Owner", Field.ASSIGNEE),
        ("整改进展", Field.PROGRESS),
        ("完成情况", Field.PROGRESS),
        ("整改状态", Field.PROGRESS),
        ("备注", Field.PROGRESS),
        ("整改措施完成情况", Field.PROGRESS),  # the head noun comes last
        ("Status", Field.PROGRESS),
        ("序号", Field.SEQUENCE),
        ("No.", Field.SEQUENCE),
        ("编号", Field.SEQUENCE),
        ("问题类别", Field.CATEGORY),
        ("IssueType", Field.CATEGORY),
        ("党组织", Field.ORGANIZATION),
        ("被检查单位", Field.ORGANIZATION),
        ("OrgName", Field.ORGANIZATION),
        ("＊问题描述", Field.DESCRIPTION),
        ("问 题 描 述", Field.DESCRIPTION),
    ],
)
def test_column_synonyms(header, field):
    assert LEDGER_COLUMNS.match(header).field == field


@pytest.mark.parametrize("header", ["佐证材料", "中共某某市委员会关于巡察反馈意见整改落实台账", "", None, "问"])
def test_what_names_no_field_is_not_matched(header):
    assert LEDGER_COLUMNS.match(header) is None


def test_normalised_headers_ignore_width_spacing_breaks_and_notes():
    assert normalise_header("整改时限\n（完成时间）") == normalise_header("整改时限 (完成时间)") == "整改时限"
    assert normalise_header("ＤｕｅＤａｔｅ") == "duedate"


def test_every_header_problem_is_reported_at_once():
    found = ledger(workbooks.ambiguous_columns, overrides={9: Field.MEASURE})

    assert found.problems == [
        "有 2 列都像“问题描述”（B列“问题描述”、C列“问题描述”），请指定各列对应的内容。",
        "指定的第 I 列不在表头中。",
    ]
    assert found.unrecognised == [(2, "问题描述"), (3, "问题描述"), (4, "佐证材料")]
    assert not found.is_usable


def test_an_override_maps_an_unrecognised_column_or_ignores_one():
    found = ledger(workbooks.ambiguous_columns, overrides={2: Field.DESCRIPTION, 3: Field.BASIS, 4: None})

    assert found.problems == []
    assert found.mapping[Field.DESCRIPTION] == 2 and found.mapping[Field.BASIS] == 3
    assert [c.how for c in found.columns] == ["synonym", "override", "override", "ignored", "synonym"]
    assert found.unrecognised == []
    assert found.rows[0].values == {
        Field.SEQUENCE: 1,
        Field.DESCRIPTION: "会议记录不全",
        Field.BASIS: "支委会记录缺三次",
        Field.ASSIGNEE: "张伟",
    }


def test_an_override_takes_a_field_from_the_column_it_was_guessed_for():
    found = ledger(workbooks.committee_ledger, overrides={4: Field.DESCRIPTION})

    assert found.mapping[Field.DESCRIPTION] == 4
    assert (3, "存在问题") in found.unrecognised


def test_a_workbook_without_a_ledger_says_where_it_looked():
    found = ledger(workbooks.not_a_ledger)

    assert found.rows == [] and found.candidates == []
    assert found.problems == [
        f"在工作表“签到表”的前 {HEADER_SCAN_ROWS} 行中找不到表头：表头应含有“问题描述”、“整改措施”等列名。"
    ]


def test_a_header_formula_is_a_header_problem():
    wb = openpyxl.Workbook()
    wb.active.append(["序号", '="问题"&"描述"', "整改措施", "责任人"])
    wb.active.append([1, "问题", "措施", "张伟"])

    found = find_ledger(read_spreadsheet(workbooks.to_bytes(wb)))

    assert "表头单元格 B1 含有公式，请改为直接填写列名。" in found.problems


def test_the_shape_signature_is_stable_across_files_of_one_layout_and_differs_between_layouts():
    first = ledger(workbooks.committee_ledger)
    wb = openpyxl.load_workbook(io.BytesIO(workbooks.committee_ledger()))
    ws = wb["整改台账"]
    ws["A1"] = "中共另一个委员会关于巡视反馈意见整改落实台账"  # another title
    ws["E5"] = "另一条措施"  # other data
    same_shape = find_ledger(read_spreadsheet(workbooks.to_bytes(wb)))

    assert first.signature == same_shape.signature
    assert first.signature != ledger(workbooks.english_export).signature


class PersonField(enum.StrEnum):
    NAME = "name"
    LOGIN = "login"
    ORGANIZATION = "organization"
    ROLE = "role"


PEOPLE = Vocabulary(
    synonyms={
        PersonField.NAME: ("姓名", "名字"),
        PersonField.LOGIN: ("手机号", "工号", "手机号码"),
        PersonField.ORGANIZATION: ("所在党组织", "党组织", "支部"),
        PersonField.ROLE: ("角色", "职务"),
    },
    required=frozenset({PersonField.NAME, PersonField.LOGIN, PersonField.ORGANIZATION}),
    core=frozenset({PersonField.NAME}),
    labels={PersonField.NAME: "姓名", PersonField.LOGIN: "手机号", PersonField.ORGANIZATION: "所在党组织"},
)


def test_the_finder_serves_any_vocabulary_and_lists_every_missing_column():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "机关党委党员名单"
    wb.active.merge_cells("A1:C1")
    wb.active.append(["姓 名", "职务", "备注"])
    wb.active.append(["张伟", "支部书记", ""])

    found = find_table(read_spreadsheet(workbooks.to_bytes(wb)), PEOPLE)

    assert found.header_rows == (2,)
    assert found.mapping == {PersonField.NAME: 1, PersonField.ROLE: 2}
    assert found.problems == [
        "缺少“手机号”列（也可写作工号、手机号码），或请在未识别的列中指定。",
        "缺少“所在党组织”列（也可写作党组织、支部），或请在未识别的列中指定。",
    ]
    assert found.rows[0].values == {PersonField.NAME: "张伟", PersonField.ROLE: "支部书记"}


def test_a_12500_row_ledger_with_20000_merges_is_read_and_found_whole(settings):
    """Its time is measured in tables.py's docstring, not held here: the suite times nothing."""
    data = workbooks.large_merged_ledger()

    found = find_ledger(read_spreadsheet(data, max_rows=12500))

    assert len(found.rows) == 12500 and found.problems == []
    assert found.rows[-1].values[Field.DESCRIPTION] == "问题描述4999" * 3  # filled down from its merge


def test_a_lone_measure_under_its_problem_is_a_row_and_a_lone_heading_in_the_first_column_is_a_group():
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "问题描述", "整改措施", "责任人"])
    wb.active.append(["（一）党的组织建设方面"])
    wb.active.append([1, "支部活动不规范", "一是规范主题党日", "张伟"])
    wb.active.append([None, None, "二是建立活动台账"])

    found = find_ledger(read_spreadsheet(workbooks.to_bytes(wb)))

    assert [(s.number, s.reason) for s in found.skipped] == [(2, "分组标题")]
    assert [r.number for r in found.rows] == [3, 4]
    assert found.rows[1].values == {Field.MEASURE: "二是建立活动台账"}
    assert found.rows[1].group == "（一）党的组织建设方面"
