"""导入党组织: trees of two and three levels, parents by name or by code, column names as exported,
an updated file that renames, moves and drops branches, and a repeated import that changes nothing.

Root (an administrator) imports; the persona world is not needed except where scope is checked.
"""

import datetime

import pytest
from django.core.management import CommandError, call_command

from partyreview.common.errors import ActionRefused
from partyreview.intake.onboarding.tree import apply_tree, plan_tree
from partyreview.organizations.models import Organization
from tests.factories import UserFactory
from tests.organizations.workbooks import TREE_HEADER, tree_file, xlsx


@pytest.fixture
def root(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def _import(data: bytes, root, **kwargs):
    plan = plan_tree(data)
    assert plan.ok, plan.errors + plan.row_errors
    return plan, apply_tree(plan, actor=root, **kwargs)


def _tree() -> dict[str, tuple[str | None, str, bool]]:
    return {o.name: (o.parent.name if o.parent else None, o.kind, o.is_active) for o in Organization.objects.all()}


def test_a_three_level_tree_with_parents_by_code(root):
    plan, result = _import(tree_file(), root)
    assert result.created == 6
    assert _tree() == {
        "示范党委": (None, "committee", True),
        "机关党总支": ("示范党委", "general_branch", True),
        "生产党总支": ("示范党委", "general_branch", True),
        "机关第一党支部": ("机关党总支", "branch", True),
        "机关第二党支部": ("机关党总支", "branch", True),
        "生产第一党支部": ("生产党总支", "branch", True),
    }
    a1 = Organization.objects.get(code="D-A-1")
    assert a1.depth == 2 and a1.path.startswith(Organization.objects.get(code="D-A").path)
    assert (a1.term_start, a1.term_end) == (datetime.date(2024, 3, 1), datetime.date(2027, 2, 28))
    assert a1.founded_on == datetime.date(2010, 1, 1)
    assert (a1.formal_member_count, a1.has_committee) == (12, True)
    assert Organization.objects.get(code="D-A-2").has_committee is False
    assert any("书记" in note for note in plan.notes), "the 书记 column is named as not imported"


def test_a_two_level_tree_with_parents_by_name_and_the_columns_named_otherwise(root):
    data = xlsx(
        [
            ["组织名称", "组织类别", "上级组织", "换届日期", "正式党员", "预备党员", "设支委会"],
            ["第二党委", "基层党委", "", "2023-01-01", 300, 10, "是"],
            ["财务党支部", "党支部", "第二党委", "2024.3.1", "8人", "1", "否"],
            ["后勤党支部", "联合党支部", "第二党委", "2024年3月1日", 7, 0, "是"],
        ]
    )
    _import(data, root)
    assert _tree() == {
        "第二党委": (None, "committee", True),
        "财务党支部": ("第二党委", "branch", True),
        "后勤党支部": ("第二党委", "branch", True),
    }
    committee = Organization.objects.get(name="第二党委")
    finance = Organization.objects.get(name="财务党支部")
    assert committee.term_end == datetime.date(2027, 12, 31), "a committee's term is five years"
    assert finance.term_end == datetime.date(2027, 2, 28), "a branch's three"
    assert (finance.formal_member_count, finance.probationary_member_count) == (8, 1)


def test_a_parent_already_in_the_system_can_be_named_by_code_or_by_name(root):
    _import(tree_file(), root)
    data = xlsx(
        [
            ["党组织名称", "党组织类别", "上级党组织"],
            ["新建第一党支部", "党支部", "D-B"],
            ["新建第二党支部", "党支部", "生产党总支"],
        ]
    )
    _import(data, root)
    assert _tree()["新建第一党支部"][0] == "生产党总支"
    assert _tree()["新建第二党支部"][0] == "生产党总支"


def test_an_updated_file_renames_moves_and_lists_the_dropped_branch(root):
    _import(tree_file(), root)
    a2 = Organization.objects.get(code="D-A-2")
    rows = [
        TREE_HEADER,
        ["示范党委", "D", "党委", "", "", "2001-07-01", "2022-06-01至2027-05-31", 520, "是"],
        ["机关党总支", "D-A", "党总支", "D", "", "2005-03-01", "2024-03-01至2027-02-28", 60, "是"],
        ["生产党总支", "D-B", "党总支", "D", "", "2005-03-01", "2024-03-01至2027-02-28", 80, "是"],
        ["机关综合党支部", "D-A-1", "党支部", "D-A", "", "2010-01-01", "2024-03-01至2027-02-28", 12, "是"],
        ["生产第一党支部", "D-B-1", "党支部", "D-A", "", "2012-05-04", "2024-03-01至2027-02-28", 9, "是"],
    ]
    plan = plan_tree(xlsx(rows))
    assert [o.name for o in plan.missing] == ["机关第二党支部"]
    actions = {r.name: r.action for r in plan.rows}
    assert actions == {
        "示范党委": "不变",
        "机关党总支": "不变",
        "生产党总支": "不变",
        "机关综合党支部": "更新",
        "生产第一党支部": "更新",
    }
    result = apply_tree(plan, actor=root, deactivate_missing=True)
    assert (result.updated, result.deactivated) == (2, 1)
    tree = _tree()
    assert tree["机关综合党支部"] == ("机关党总支", "branch", True)
    assert tree["生产第一党支部"] == ("机关党总支", "branch", True)
    assert tree["机关第二党支部"] == ("机关党总支", "branch", False), "revoked, never deleted"
    moved = Organization.objects.get(code="D-B-1")
    assert moved.path.startswith(Organization.objects.get(code="D-A").path)
    reasons = list(Organization.objects.get(code="D-A-1").history.values_list("history_change_reason", flat=True))
    assert "导入党组织：更名（原名“机关第一党支部”）" in reasons
    assert a2.history.order_by("-history_date").first().history_change_reason == "导入：文件中已无此党组织，标记撤销"


def test_a_repeated_import_changes_nothing(root):
    _import(tree_file(), root)
    before = list(Organization.objects.order_by("pk").values())
    history = Organization.history.count()
    plan, result = _import(tree_file(), root)
    assert {r.action for r in plan.rows} == {"不变"}
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert list(Organization.objects.order_by("pk").values()) == before
    assert Organization.history.count() == history


@pytest.mark.parametrize(
    "row, message",
    [
        (["坏党支部", "X-1", "小组", "D-A"], "党组织类别“小组”无法识别"),
        (["坏党支部", "X-1", "党支部", "不存在的党总支"], "上级党组织“不存在的党总支”在文件和系统中都找不到"),
        (["坏党总支", "X-1", "党总支", "D-A"], "党总支不能设在党总支之下"),
        (["坏党支部", "X-1", "党支部", "D-A", "", "去年"], "成立日期“去年”不是日期"),
    ],
)
def test_a_file_with_a_wrong_row_is_refused_whole_with_the_row_named(root, row, message):
    rows = [
        [*TREE_HEADER[:4], "书记", "成立日期"],
        ["示范党委", "D", "党委", ""],
        ["机关党总支", "D-A", "党总支", "D"],
        row,
    ]
    plan = plan_tree(xlsx(rows))
    assert not plan.ok
    assert any(e.startswith("第4行：") and message in e for e in plan.row_errors), plan.row_errors
    with pytest.raises(ActionRefused):
        apply_tree(plan, actor=root)
    assert Organization.objects.count() == 0


def test_a_file_without_the_needed_columns_says_which(root):
    plan = plan_tree(xlsx([["名字", "备注"], ["示范党委", ""]]))
    assert plan.errors == ["在工作表“Sheet1”的前 15 行中找不到表头：表头应含有“党组织名称”等列名。"]
    plan = plan_tree(xlsx([["党组织名称", "上级党组织"], ["示范党委", ""]]))
    assert plan.errors == [
        "缺少“党组织类别”列（也可写作党组织类型、组织类别、组织类型、类别），或请在未识别的列中指定。"
    ]
    assert Organization.objects.count() == 0


def test_the_command_checks_with_dry_run_then_imports(root, tmp_path):
    path = tmp_path / "党组织.xlsx"
    path.write_bytes(tree_file())
    call_command("import_organizations", str(path), "--dry-run")
    assert Organization.objects.count() == 0
    call_command("import_organizations", str(path), "--user", "admin")
    assert Organization.objects.count() == 6
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([TREE_HEADER[:4], ["坏党支部", "X", "小组", ""]]))
    with pytest.raises(CommandError, match="第2行：党组织类别“小组”无法识别"):
        call_command("import_organizations", str(bad))


def test_a_first_load_retires_every_cached_figure_that_counts_organisations(root, settings):
    from partyreview.common import generations

    settings.CACHED_FIGURES_SECONDS = 300
    topics = ("records", "dashboard", "orglife")
    before = {t: generations.current(t) for t in topics}
    _import(tree_file(), root)
    assert all(generations.current(t) > before[t] for t in topics)
