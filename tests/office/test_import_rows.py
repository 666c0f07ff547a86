"""Row checks of the problem-list import: every bad row is reported with its row, column and an exact
Chinese message, and a file with any error writes nothing."""

import datetime
import io

import pytest

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Finding, FindingSource
from partyreview.inspections.services import inspection_create
from partyreview.office import importers, services
from partyreview.office.importers import RowError
from partyreview.rectifications.models import Rectification
from tests.office.workbooks import DUE, FOUND, row, xlsx


def plan(world, data: bytes, *, actor=None, inspection=None) -> importers.ImportPlan:
    rows = importers.read_workbook(io.BytesIO(data))
    return importers.plan_import(actor=actor or world.alice, inspection=inspection or world.inspection, rows=rows)


def import_file(world, data: bytes, *, actor=None, inspection=None) -> services.ImportResult:
    return services.findings_import_file(
        actor=actor or world.alice, inspection=inspection or world.inspection, stream=io.BytesIO(data), name="t.xlsx"
    )


def nothing_written() -> bool:
    return not Finding.objects.exists() and not Rectification.objects.exists()


@pytest.fixture
def general_a_inspection(world):
    """An inspection run by general branch A, so Gina (staff of A) may import into it."""
    return inspection_create(
        actor=world.gina,
        title="机关党总支专项检查",
        kind="special",
        inspecting_org=world.general_a,
        inspected_orgs=[world.a1, world.a2],
        start_date=local_today() - datetime.timedelta(days=20),
    )


def test_a_clean_file_imports_findings_and_measures_through_the_services(world):
    data = xlsx(
        row(),
        row(序号=1, 整改措施="每月召开支委会", 整改类型="长期坚持", 责任人="马可"),
        row(序号=2, 党组织="T-B-1", 问题描述="党费欠缴", 问题类别="dues_arrears", 责任人="mona", 严重程度=None),
    )

    result = import_file(world, data)

    assert (result.findings_created, result.measures_created, result.findings_skipped) == (2, 3, 0)
    first = Finding.objects.get(inspection=world.inspection, sequence=1)
    assert first.source == FindingSource.IMPORT
    assert first.organization == world.a1
    assert first.severity == "major"
    assert first.found_on == FOUND
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

    assert [(s.sequence, s.rows, s.note) for s in again.skipped] == [
        (1, [3, 4], "已存在，跳过"),
        (2, [5], "已存在，跳过"),
    ]
    assert again.findings == []
    assert (result.findings_created, result.measures_created, result.findings_skipped) == (0, 0, 2)
    assert Finding.objects.count() == 2
    assert Rectification.objects.count() == 3


def test_a_file_with_new_and_known_sequences_adds_only_the_new_ones(world):
    import_file(world, xlsx(row()))

    result = import_file(world, xlsx(row(), row(序号=2, 问题描述="新问题")))

    assert (result.findings_created, result.findings_skipped) == (1, 1)
    assert list(Finding.objects.values_list("sequence", flat=True)) == [1, 2]


BAD_ROWS = [
    pytest.param(
        {"党组织": "不存在的支部"}, "党组织", "找不到党组织“不存在的支部”，请填写党组织名称或编码", id="unknown-org"
    ),
    pytest.param(
        {"问题类别": "不存在的类别"},
        "问题类别",
        "问题类别“不存在的类别”不存在，请从下拉列表中选择",
        id="unknown-category",
    ),
    pytest.param(
        {"发现日期": "去年春天"}, "发现日期", "“去年春天”不是有效日期，请填写如 2026-03-31 的日期", id="found-not-date"
    ),
    pytest.param(
        {"整改时限": "2026-02-30"},
        "整改时限",
        "“2026-02-30”不是有效日期，请填写如 2026-03-31 的日期",
        id="due-not-date",
    ),
    pytest.param({"整改时限": 45000}, "整改时限", "“45000”不是有效日期，请填写如 2026-03-31 的日期", id="due-number"),
    pytest.param(
        {"整改时限": FOUND - datetime.timedelta(days=1)},
        "整改时限",
        f"整改时限 {FOUND - datetime.timedelta(days=1):%Y-%m-%d} 早于发现日期 {FOUND:%Y-%m-%d}",
        id="deadline-before-finding",
    ),
    pytest.param({"问题描述": None}, "问题描述", "必填，不能为空", id="missing-description"),
    pytest.param({"问题描述": "   "}, "问题描述", "必填，不能为空", id="blank-description"),
    pytest.param({"党组织": None}, "党组织", "必填，不能为空", id="missing-org"),
    pytest.param({"整改措施": None}, "整改措施", "必填，不能为空", id="missing-measure"),
    pytest.param({"责任人": None}, "责任人", "必填，不能为空", id="missing-assignee"),
    pytest.param({"整改时限": None}, "整改时限", "必填，不能为空", id="missing-deadline"),
    pytest.param({"序号": None}, "序号", "必填，不能为空", id="missing-sequence"),
    pytest.param({"序号": "第一"}, "序号", "“第一”不是有效的序号，应为正整数", id="bad-sequence"),
    pytest.param({"序号": -3}, "序号", "“-3”不是有效的序号，应为正整数", id="negative-sequence"),
    pytest.param({"责任人": "查无此人"}, "责任人", "找不到用户“查无此人”，请填写用户名或姓名", id="unknown-assignee"),
    pytest.param(
        {"责任人": "mona"},
        "责任人",
        "“mona”不是“机关第一党支部”或其下级党组织的成员，不能担任责任人",
        id="assignee-not-in-org",
    ),
    pytest.param(
        {"责任领导": "sara"},
        "责任领导",
        "“sara”不是“机关第一党支部”或其上级党组织的成员，不能担任责任领导",
        id="leader-not-above-org",
    ),
    pytest.param(
        {"严重程度": "特别严重"}, "严重程度", "“特别严重”不是有效的严重程度，应为一般、较重或严重", id="bad-severity"
    ),
    pytest.param(
        {"整改类型": "马上改"},
        "整改类型",
        "“马上改”不是有效的整改类型，应为立行立改、限期整改或长期坚持",
        id="bad-kind",
    ),
    pytest.param({"问题描述": "=1+1"}, "问题描述", "单元格 E3 含有公式，请改为直接填写内容", id="formula"),
]


@pytest.mark.parametrize(("cells", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_with_row_column_and_message_and_nothing_is_written(world, cells, column, message):
    data = xlsx(row(**cells))

    preview = plan(world, data)
    assert RowError(3, column, message) in preview.errors
    assert not preview.is_clean
    with pytest.raises(ActionRefused) as refused:
        import_file(world, data)

    assert f"第3行“{column}”：{message}" in refused.value.message
    assert nothing_written()


def test_an_organisation_outside_the_importers_scope_is_reported(world, general_a_inspection):
    preview = plan(
        world, xlsx(row(党组织="生产第一党支部", 责任人="mona")), actor=world.gina, inspection=general_a_inspection
    )

    assert preview.errors == [RowError(3, "党组织", "党组织“生产第一党支部”不在您的管理范围内")]


def test_an_organisation_outside_the_inspection_is_reported(world, general_a_inspection):
    preview = plan(world, xlsx(row(党组织="T-B-1", 责任人="mona")), actor=world.alice, inspection=general_a_inspection)

    assert preview.errors == [RowError(3, "党组织", "党组织“T-B-1”不在本次检查（机关党总支）的范围内")]


def test_every_bad_row_is_listed_and_one_bad_row_stops_the_whole_file(world):
    data = xlsx(
        row(序号=1),
        row(序号=2, 问题类别="不存在的类别", 责任人="查无此人"),
        row(序号=3),
        row(序号=4, 发现日期="昨天"),
    )

    preview = plan(world, data)

    assert [str(e) for e in preview.errors] == [
        "第4行“问题类别”：问题类别“不存在的类别”不存在，请从下拉列表中选择",
        "第4行“责任人”：找不到用户“查无此人”，请填写用户名或姓名",
        "第6行“发现日期”：“昨天”不是有效日期，请填写如 2026-03-31 的日期",
    ]
    assert [f.sequence for f in preview.findings] == [1, 3]
    with pytest.raises(ActionRefused):
        import_file(world, data)
    assert nothing_written()


def test_rows_sharing_a_sequence_must_agree_on_the_finding(world):
    data = xlsx(
        row(), row(序号=1, 问题描述="另一段描述", 整改措施="第二项"), row(序号=1, 问题描述=None, 整改措施="第三项")
    )

    preview = plan(world, data)

    assert preview.errors == [RowError(4, "问题描述", "与第3行（序号相同）的“问题描述”不一致")]


def test_a_late_failure_rolls_back_every_finding_already_created(world, monkeypatch):
    """All or nothing, even when a service refuses after the checks passed (e.g. a rule added later)."""
    real = services.finding_file
    calls = []

    def refuse_the_second(**kwargs):
        calls.append(kwargs["sequence"])
        if len(calls) == 2:
            raise ActionRefused("模拟的拒绝。")
        return real(**kwargs)

    monkeypatch.setattr(services, "finding_file", refuse_the_second)

    with pytest.raises(ActionRefused) as refused:
        import_file(world, xlsx(row(序号=1), row(序号=2)))

    assert refused.value.message == "第4行（序号 2）：模拟的拒绝。 未导入任何数据。"
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
    data = xlsx({}, row(), {})

    preview = plan(world, data)

    assert preview.row_count == 1
    assert preview.errors == []
