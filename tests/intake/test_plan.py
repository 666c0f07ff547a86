"""The plan of an import, from the rows any reader hands over: what would be created, read how, and why.

Alice (committee staff) imports into the persona world's inspection (feedback 2026-10-15, pinned clock)."""

import datetime

import pytest

from partyreview.accounts.models import Role
from partyreview.intake.plan import Choices, plan_rows
from partyreview.organizations.models import Membership, Organization
from partyreview.rectifications.models import RectificationKind, RectificationStatus
from tests.intake.conftest import FEEDBACK, source_row

D = datetime.date


def plan(world, inspection, rows, *, actor=None, choices=None):
    return plan_rows(actor=actor or world.alice, inspection=inspection, rows=rows, choices=choices)


@pytest.fixture
def office_branch(world):
    """办公室党支部 under general branch A, with its own secretary, and inspected."""
    org = Organization.objects.create(name="办公室党支部", code="T-A-3", kind="branch", parent=world.general_a)
    Membership.objects.create(user=world.sam, organization=org, role=Role.SECRETARY)
    return org


def test_a_vertically_merged_problem_becomes_one_finding_with_a_measure_per_row(world, inspection):
    common = {"sequence": "一", "organization": "机关第一党支部", "category": '"三会一课"落实不到位'}
    rows = [
        source_row(4, **common, description="未按期召开支部党员大会", measure="制定年度计划", due_date="2027年3月底前"),
        source_row(5, **common, description="未按期召开支部党员大会", measure="补开党员大会", due_date=46356),
        source_row(6, **common, description="未按期召开支部党员大会", measure="纳入考核", due_date="长期坚持"),
    ]
    result = plan(world, inspection, rows)
    assert result.errors == []
    [finding] = result.findings
    assert (finding.row, finding.rows, finding.sequence) == (4, [4, 5, 6], 1)
    assert finding.organization == world.a1
    assert finding.category.code == "meeting_lapses"
    assert finding.found_on == FEEDBACK
    assert [(m.measure, m.due_date, m.kind) for m in finding.measures] == [
        ("制定年度计划", D(2027, 3, 31), RectificationKind.DEADLINE),
        ("补开党员大会", D(2026, 11, 30), RectificationKind.DEADLINE),
        ("纳入考核", FEEDBACK + datetime.timedelta(days=finding.category.default_days), RectificationKind.LONG_TERM),
    ]
    readings = [r.reading for r in finding.measures[0].readings]
    assert "2027年3月底前 → 2027-03-31" in readings
    assumed = [r for r in finding.measures[2].readings if r.assumed]
    assert assumed and "推定" in assumed[0].reading


def test_measures_numbered_in_one_cell_are_split_unless_kept_as_one(world, inspection):
    rows = [
        source_row(
            3,
            organization="T-A-1",
            category="meeting_lapses",
            description="党课质量不高",
            measure="1.制定党课计划；2.书记带头讲党课；3.年底评比",
            due_date="2026年12月31日",
        )
    ]
    split = plan(world, inspection, rows)
    assert [m.measure for m in split.findings[0].measures] == ["制定党课计划", "书记带头讲党课", "年底评比"]
    assert [(m.part, m.parts) for m in split.findings[0].measures] == [(1, 3), (2, 3), (3, 3)]
    whole = plan(world, inspection, rows, choices=Choices(keep_whole={split.findings[0].key}))
    assert [m.measure for m in whole.findings[0].measures] == ["1.制定党课计划；2.书记带头讲党课；3.年底评比"]


def test_people_are_matched_without_titles_and_unknown_people_await_assignment(world, inspection):
    base = {
        "organization": "机关第一党支部",
        "category": "meeting_lapses",
        "description": "记录不全",
        "due_date": "立行立改",
    }
    rows = [
        source_row(3, **base, measure="补记录", assignee="马可（组织委员）", leader="党委书记 李利奥"),
        source_row(4, **base, measure="建制度", assignee="赵刚、钱多"),
        source_row(5, **base, measure="查台账", assignee=""),
    ]
    [finding] = plan(world, inspection, rows).findings
    known, unknown, blank = finding.measures
    assert (known.assignee, known.responsible_leader, known.named_assignee) == (world.mike, world.leo, "")
    assert (unknown.assignee, unknown.named_assignee, unknown.is_awaiting_assignment) == (world.sam, "赵刚、钱多", True)
    assert (blank.assignee, blank.named_assignee) == (world.sam, "（未填写）")
    assert known.kind == RectificationKind.IMMEDIATE
    assert known.due_date == FEEDBACK + datetime.timedelta(days=30)


def test_a_unit_is_a_party_organisation_where_one_matches_and_a_department_otherwise(world, inspection, office_branch):
    rows = [
        source_row(3, category="dues_arrears", description="党费收缴不及时", measure="补缴", department="办公室"),
        source_row(
            4,
            category="dues_arrears",
            description="党费台账缺失",
            measure="建台账",
            department="党委组织部、办公室党支部",
        ),
        source_row(5, category="dues_arrears", description="党费基数错误", measure="核定基数", department="财务部"),
    ]
    office, two_units, finance = plan(world, inspection, rows).findings
    assert office.organization == office_branch
    assert office.measures[0].department == ""
    assert two_units.organization == office_branch
    assert two_units.measures[0].department == "党委组织部"
    # No organisation matches 财务部: kept as 责任部门 under the inspection's organisation.
    assert finance.organization == world.committee
    assert finance.measures[0].department == "财务部"


def test_progress_becomes_the_first_note_and_done_awaits_review(world, inspection):
    base = {
        "organization": "机关第一党支部",
        "category": "meeting_lapses",
        "description": "会议不规范",
        "assignee": "马可",
    }
    rows = [
        source_row(3, **base, measure="甲", progress="已完成整改"),
        source_row(4, **base, measure="乙", progress="按序时进度推进"),
        source_row(5, **base, measure="丙", progress="取得阶段性成果并持续整改"),
        source_row(6, **base, measure="丁"),
    ]
    [finding] = plan(world, inspection, rows).findings
    assert [(m.status, m.progress_note) for m in finding.measures] == [
        (RectificationStatus.SUBMITTED, "已完成整改"),
        (RectificationStatus.IN_PROGRESS, "按序时进度推进"),
        (RectificationStatus.IN_PROGRESS, "取得阶段性成果并持续整改"),
        (RectificationStatus.PENDING, ""),
    ]
    assert finding.measures[2].kind == RectificationKind.LONG_TERM


def test_duplicates_are_told_by_content_and_taken_numbers_are_replaced(world, inspection):
    existing = world.finding(world.a1, description="支部未按期召开党员大会")
    assert existing.sequence == 1
    rows = [
        source_row(
            3,
            sequence=1,
            organization="机关第一党支部",
            category="other",
            description="支部未按期召开党员大会",
            measure="补开",
        ),
        source_row(
            4,
            sequence=1,
            organization="生产第一党支部",
            category="other",
            description="支部未按期召开党员大会",
            measure="补开",
        ),
        source_row(
            5, sequence=2, organization="生产第一党支部", category="other", description="未建立党费台账", measure="建账"
        ),
    ]
    result = plan(world, inspection, rows)
    assert [s.row for s in result.skipped] == [3]
    assert [(f.row, f.sequence, f.source_sequence) for f in result.findings] == [(4, 3, 1), (5, 2, None)]
    assert "序号 1 已被占用，导入为 3" in [w.message for w in result.warnings]


def test_category_names_codes_and_synonyms_are_ours(world, inspection):
    base = {"organization": "机关第一党支部", "measure": "整改"}
    rows = [
        source_row(3, **base, category="党费收缴不规范、欠缴", description="甲"),
        source_row(4, **base, category="“三会一课”落实不到位", description="乙"),
        source_row(5, **base, category="theory_study", description="丙"),
        source_row(6, **base, category="发展党员工作", description="丁"),
    ]
    codes = [(f.category.code, f.category_exact) for f in plan(world, inspection, rows).findings]
    assert codes == [
        ("dues_arrears", True),
        ("meeting_lapses", True),
        ("theory_study", True),
        ("member_recruitment", True),
    ]


def test_the_preview_can_change_a_category(world, inspection):
    rows = [source_row(3, organization="机关第一党支部", category="meeting_lapses", description="甲", measure="整改")]
    first = plan(world, inspection, rows)
    changed = plan(world, inspection, rows, choices=Choices(categories={first.findings[0].key: "integrity"}))
    assert changed.findings[0].category.code == "integrity"


def test_every_error_is_reported_at_once_with_row_column_and_reason(world, inspection):
    rows = [
        source_row(3, organization="生产第一党支部", category="other", description="甲", measure="整改"),
        source_row(4, organization="不存在的支部", category="other", description="乙", measure="整改"),
        source_row(
            5, organization="机关第一党支部", category="other", description="丙", measure="", due_date="2027-01-01"
        ),
        source_row(
            6, organization="机关第一党支部", category="other", description="丁", measure="整改", due_date="2026-01-01"
        ),
        source_row(7, organization="机关第一党支部", category="other", measure="只有措施"),
    ]
    result = plan(world, inspection, rows, actor=world.gina)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "党组织"),
        (4, "党组织"),
        (5, "整改措施"),
        (6, "整改时限"),
    ]
    assert result.errors[3].message == "整改时限 2026-01-01 早于发现日期 2026-10-15"
    assert "找不到党组织“生产第一党支部”" in result.errors[0].message
    # Row 7 gives a measure but no problem: it continues row 6's problem (already in error).
    assert result.findings == []


def test_the_plan_as_json_has_the_shape_of_the_issue(world, inspection):
    rows = [
        source_row(
            3,
            organization="机关第一党支部",
            category="other",
            description="甲",
            measure="乙",
            due_date="每季度末",
            assignee="王五",
        )
    ]
    data = plan(world, inspection, rows).as_json()
    assert data == {
        "findings": [
            {
                "row": 3,
                "organization": "机关第一党支部",
                "category": "other",
                "description": "甲",
                "measures": [
                    {
                        "measure": "乙",
                        "due_date": (
                            FEEDBACK + datetime.timedelta(days=world.category("other").default_days)
                        ).isoformat(),
                        "kind": "long_term",
                        "assignee": None,
                        "department": "",
                        "cadence": "quarterly",
                    }
                ],
            }
        ],
        "errors": [],
        "warnings": [],
    }


def test_a_broad_area_or_missing_category_is_suggested_from_the_problem_with_a_reason(world, inspection):
    base = {"organization": "机关第一党支部", "measure": "整改"}
    rows = [
        source_row(
            3, **base, category="党的组织建设", description="支部委员会长期缺额，书记由行政负责人兼任，无暇抓党建"
        ),
        source_row(4, **base, description="部分党员连续六个月未交纳党费，未建立党费收缴台账"),
        source_row(5, **base, category="纪律建设", description="廉政风险点排查不到位，廉政谈话未开展"),
    ]
    result = plan(world, inspection, rows)
    assert result.errors == []
    suggested = [(f.category.code, f.category_exact) for f in result.findings]
    assert suggested == [("weak_leadership", False), ("dues_arrears", False), ("integrity", False)]
    assert "党的组织建设" in result.findings[0].category_reason
    assert "按问题描述建议" in result.findings[1].category_reason
