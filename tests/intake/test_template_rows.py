"""The import template, filled in as before, read by the new planner: what it still refuses (with row,
column and an exact Chinese reason, nothing written), and what it now reads instead of refusing."""

import datetime
import io

import pytest

from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Finding, FindingSource
from partyreview.intake import services, writer
from partyreview.intake.plan import Issue, Plan
from partyreview.rectifications.models import Rectification
from tests.intake.template_workbooks import DUE, FOUND, row, xlsx


def plan(world, data: bytes, *, actor=None, inspection=None) -> Plan:
    return services.findings_plan_file(actor=actor or world.alice, inspection=inspection or world.inspection, data=data)


def import_file(world, data: bytes, *, actor=None, inspection=None) -> writer.ImportResult:
    return services.findings_import_file(
        actor=actor or world.alice, inspection=inspection or world.inspection, stream=io.BytesIO(data), name="t.xlsx"
    )


def nothing_written() -> bool:
    return not Finding.objects.exists() and not Rectification.objects.exists()


def test_a_clean_file_imports_findings_and_measures(world):
    data = xlsx(
        row(),
        row(序号=1, 整改措施="每月召开支委会", 整改类型="长期坚持", 责任人="马可"),
        row(序号=2, 党组织="T-B-1", 问题描述="党费欠缴", 问题类别="dues_arrears", 责任人="mona", 严重程度=None),
    )

    result = import_file(world, data)

    assert (result.findings_created, result.measures_created, result.findings_skipped) == (2, 3, 0)
    first = Finding.objects.get(inspection=world.inspection, sequence=1)
    assert first.source == FindingSource.IMPORT
    assert (first.organization, first.severity, first.found_on) == (world.a1, "major", FOUND)
    assert [(r.measure, r.kind, r.assignee, r.responsible_leader, r.due_date) for r in first.rectifications.all()] == [
        ("制定季度会议计划", "deadline", world.mike, world.leo, DUE),
        ("每月召开支委会", "long_term", world.mike, world.leo, DUE),
    ]
    second = Finding.objects.get(inspection=world.inspection, sequence=2)
    assert (second.organization, second.category.code, second.severity) == (world.b1, "dues_arrears", "minor")
    assert first.history.first().history_user == world.alice


def test_importing_the_same_file_twice_creates_nothing_new(world):
    data = xlsx(row(), row(序号=1, 整改措施="第二项措施"), row(序号=2, 问题描述="另一个问题"))
    import_file(world, data)

    again = plan(world, data)
    result = import_file(world, data)

    assert [(s.row, s.note) for s in again.skipped] == [
        (3, "本次检查中已有相同的问题，跳过"),
        (5, "本次检查中已有相同的问题，跳过"),
    ]
    assert again.findings == []
    assert (result.findings_created, result.measures_created, result.findings_skipped) == (0, 0, 2)
    assert (Finding.objects.count(), Rectification.objects.count()) == (2, 3)


def test_a_taken_sequence_with_a_new_problem_imports_under_a_new_number(world):
    import_file(world, xlsx(row()))

    result = import_file(world, xlsx(row(), row(序号=1, 问题描述="新问题")))

    assert (result.findings_created, result.findings_skipped) == (1, 1)
    assert list(Finding.objects.order_by("sequence").values_list("sequence", "description")) == [
        (1, "支部未按期召开党员大会"),
        (2, "新问题"),
    ]


BAD_ROWS = [
    pytest.param(
        {"党组织": "不存在的支部"},
        "党组织",
        "在本次检查（测试党委）和您的管理范围内找不到党组织“不存在的支部”",
        id="unknown-org",
    ),
    pytest.param(
        {"整改时限": FOUND - datetime.timedelta(days=1)},
        "整改时限",
        f"整改时限 {FOUND - datetime.timedelta(days=1):%Y-%m-%d} 早于发现日期 {FOUND:%Y-%m-%d}",
        id="deadline-before-finding",
    ),
    pytest.param({"整改时限": 45000}, "整改时限", f"整改时限 2023-03-15 早于发现日期 {FOUND:%Y-%m-%d}", id="serial"),
    pytest.param({"问题描述": None}, "问题描述", "缺少问题描述，无法确定这是哪个问题", id="missing-description"),
    pytest.param({"问题描述": "   "}, "问题描述", "缺少问题描述，无法确定这是哪个问题", id="blank-description"),
    pytest.param({"整改措施": None}, "整改措施", "缺少整改措施", id="missing-measure"),
    pytest.param({"问题描述": "=1+1"}, "问题描述", "单元格 E3 含有公式，请改为直接填写内容", id="formula"),
]


@pytest.mark.parametrize(("cells", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_with_row_column_and_message_and_nothing_is_written(world, cells, column, message):
    data = xlsx(row(**cells))

    preview = plan(world, data)
    assert Issue(3, column, message) in preview.errors
    with pytest.raises(ActionRefused) as refused:
        import_file(world, data)

    assert f"第3行“{column}”：{message}" in refused.value.message
    assert nothing_written()


LENIENT_ROWS = [
    # What the template importer refused is now read, assumed or handed to a person, and said so.
    pytest.param({"问题类别": "不存在的类别"}, lambda f, m, w: not f.category_exact, id="unknown-category"),
    pytest.param({"发现日期": "去年春天"}, lambda f, m, w: "无法识别发现日期“去年春天”" in w, id="found-not-date"),
    pytest.param({"整改时限": "2026-02-30"}, lambda f, m, w: "无法识别整改时限“2026-02-30”" in w[0], id="due-not-date"),
    pytest.param({"整改时限": None}, lambda f, m, w: any(r.assumed for r in m.readings), id="missing-deadline"),
    pytest.param({"党组织": None}, lambda f, m, w: f.organization.name == "测试党委", id="missing-org"),
    pytest.param({"责任人": None}, lambda f, m, w: m.is_awaiting_assignment, id="missing-assignee"),
    pytest.param({"责任人": "查无此人"}, lambda f, m, w: m.named_assignee == "查无此人", id="unknown-assignee"),
    pytest.param({"责任人": "mona"}, lambda f, m, w: m.named_assignee == "mona", id="assignee-not-in-org"),
    pytest.param({"责任领导": "sara"}, lambda f, m, w: m.responsible_leader is None and w, id="leader-not-above"),
    pytest.param({"序号": None}, lambda f, m, w: f.sequence == 1, id="missing-sequence"),
    pytest.param({"序号": "第一"}, lambda f, m, w: f.sequence == 1, id="chinese-sequence"),
    pytest.param(
        {"严重程度": "特别严重"}, lambda f, m, w: "无法识别严重程度“特别严重”，按“一般”导入" in w, id="bad-severity"
    ),
    pytest.param(
        {"整改类型": "马上改"}, lambda f, m, w: "无法识别整改类型“马上改”，按“限期整改”导入" in w, id="bad-kind"
    ),
]


@pytest.mark.parametrize(("cells", "holds"), LENIENT_ROWS)
def test_what_the_template_refused_is_read_and_told(world, cells, holds):
    preview = plan(world, xlsx(row(**cells)))

    assert preview.errors == []
    [finding] = preview.findings
    assert holds(finding, finding.measures[0], [w.message for w in preview.warnings])


def test_every_bad_row_is_listed_at_once(world):
    data = xlsx(row(序号=1), row(序号=2, 党组织="不存在"), row(序号=3, 问题描述="另一问题"), row(序号=4, 整改措施=None))

    preview = plan(world, data)

    assert [str(e) for e in preview.errors] == [
        "第4行“党组织”：在本次检查（测试党委）和您的管理范围内找不到党组织“不存在”",
        "第6行“整改措施”：缺少整改措施",
    ]
    assert [f.sequence for f in preview.findings] == [1, 3]
    with pytest.raises(ActionRefused):
        import_file(world, data)
    assert nothing_written()


def test_people_and_organisations_are_found_by_name_or_code_and_category_quotes_do_not_matter(world):
    preview = plan(world, xlsx(row(党组织="T-A-1", 责任人="马可", 责任领导="李利奥", 问题类别="“三会一课”落实不到位")))

    assert preview.errors == []
    [finding] = preview.findings
    assert (finding.organization, finding.category.code) == (world.a1, "meeting_lapses")
    assert (finding.measures[0].assignee, finding.measures[0].responsible_leader) == (world.mike, world.leo)


def test_dates_written_as_text_in_common_forms_are_accepted(world):
    preview = plan(
        world,
        xlsx(
            row(发现日期="2026/1/5", 整改时限="2026年2月1日"), row(序号=2, 发现日期="2026-01-01", 整改时限="2026.03.01")
        ),
    )

    assert preview.errors == []
    assert preview.findings[0].found_on == datetime.date(2026, 1, 5)
    assert preview.findings[0].measures[0].due_date == datetime.date(2026, 2, 1)


def test_the_example_row_and_blank_rows_are_ignored(world):
    preview = plan(world, xlsx({}, row(), {}))

    assert preview.row_count == 1
    assert preview.errors == []


def test_the_whole_file_is_refused_when_it_is_not_a_workbook(world):
    with pytest.raises(ActionRefused, match="文件不是有效的 Excel 工作簿"):
        plan(world, b"not a workbook")
