"""导入人员: accounts with one-time passwords, memberships of every role, people who left deactivated,
and a repeated import that changes nothing. The tree comes from the organisation import first.
"""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from partyreview.accounts.models import Role, User
from partyreview.common.errors import ActionRefused
from partyreview.intake.onboarding.people import apply_people, plan_people
from partyreview.intake.onboarding.tree import apply_tree, plan_tree
from partyreview.organizations.models import Membership
from tests.factories import UserFactory
from tests.organizations.workbooks import PEOPLE_HEADER, people_file, people_rows, tree_file


@pytest.fixture
def root(db):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    apply_tree(plan_tree(tree_file()), actor=admin)
    return admin


def _import(data: bytes, root, **kwargs):
    plan = plan_people(data)
    assert plan.ok, plan.errors + plan.row_errors
    return plan, apply_people(plan, actor=root, **kwargs)


def _grants() -> set[tuple[str, str, str, str]]:
    return set(Membership.objects.values_list("user__username", "organization__code", "role", "title").order_by())


def test_people_of_every_role_get_accounts_and_memberships(root):
    plan, result = _import(people_file(), root)
    assert result.created == 6, "张伟's two rows are one account"
    assert _grants() == {
        ("E001", "D", Role.STAFF, "组织部干事"),
        ("E002", "D", Role.LEADER, "党委书记"),
        ("E003", "D-A-1", Role.SECRETARY, "书记"),
        ("E003", "D-A", Role.MEMBER, "组织委员"),
        ("E004", "D-B-1", Role.MEMBER, "宣传委员"),
        ("E005", "D-A-2", Role.MEMBER, ""),
        ("E006", "D", Role.ADMIN, "信息中心"),
    }
    zhang = User.objects.get(username="E003")
    assert (zhang.full_name, zhang.phone, zhang.name_key) == ("张伟", "13800000003", "zhangwei|zw")
    assert zhang.must_change_password
    assert any("登录名取自“工号”列" in note for note in plan.notes)


def test_the_initial_passwords_are_returned_once_and_stored_only_as_hashes(root):
    _plan, result = _import(people_file(), root)
    by_login = {p.login: p for p in result.passwords}
    assert sorted(by_login) == ["E001", "E002", "E003", "E004", "E005", "E006"]
    first = by_login["E003"]
    assert first.organization == "机关第一党支部" and len(first.password) == 12
    stored = User.objects.get(username="E003").password
    assert first.password not in stored and stored.startswith("pbkdf2_initial$")
    assert len({p.password for p in result.passwords}) == 6


def test_the_first_sign_in_must_change_the_password_before_anything_else(root):
    _plan, result = _import(people_file(), root)
    password = next(p.password for p in result.passwords if p.login == "E003")
    client = Client()
    assert client.post("/accounts/login/", {"username": "E003", "password": password}).status_code == 302
    held = client.get("/rectifications/my-branch/")
    assert held.status_code == 302 and held["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200
    new = "Zhangwei-Mima-2026"
    changed = client.post("/accounts/password/", {"old_password": password, "new_password1": new, "new_password2": new})
    assert changed.status_code == 302
    assert not User.objects.get(username="E003").must_change_password
    assert client.get("/accounts/notifications/").status_code == 200


def test_a_repeated_import_changes_nothing_and_hands_out_no_new_password(root):
    _import(people_file(), root)
    before = (_grants(), list(User.objects.order_by("pk").values_list("username", "password", "full_name")))
    history = Membership.history.count()
    plan, result = _import(people_file(), root)
    assert {r.action for r in plan.rows} == {"不变"}
    assert (result.created, result.updated, result.passwords) == (0, 0, [])
    assert (_grants(), list(User.objects.order_by("pk").values_list("username", "password", "full_name"))) == before
    assert Membership.history.count() == history


def test_an_updated_file_moves_a_person_renames_another_and_deactivates_who_left(root):
    _import(people_file(), root)
    rows = people_rows()
    rows[4] = [5, "赵敏", "E004", "13800000004", "机关第二党支部", "委员", "宣传委员"]  # moved branch
    rows[5] = [6, "孙丽娟", "E005", "13800000005", "机关第二党支部", "党员", ""]  # name corrected
    del rows[1]  # 李强 left
    plan = plan_people(people_file(rows))
    assert [u.username for u in plan.missing] == ["E002"]
    result = apply_people(plan, actor=root, deactivate_missing=True)
    assert (result.updated, result.deactivated) == (2, 1)
    assert ("E004", "D-A-2", Role.MEMBER, "宣传委员") in _grants()
    assert not Membership.objects.filter(user__username="E004", organization__code="D-B-1").exists()
    assert User.objects.get(username="E005").name_key == "sunlijuan|slj"
    left = User.objects.get(username="E002")
    assert left.is_active is False, "deactivated, never deleted"


@pytest.mark.parametrize(
    "row, message",
    [
        ([8, "钱进", "E008", "13800000008", "不存在的党支部", "委员", ""], "党组织“不存在的党支部”在系统中找不到"),
        ([8, "钱进", "E008", "13800000008", "机关第一党支部", "观察员", ""], "角色“观察员”无法识别"),
        ([8, "钱进", "E008", "1380000", "机关第一党支部", "委员", ""], "手机号“1380000”不是 11 位手机号码"),
        ([8, "", "E008", "13800000008", "机关第一党支部", "委员", ""], "姓名为空"),
        ([8, "钱进", "E001", "13800000008", "机关第一党支部", "委员", ""], "登录名“E001”与第4行（王芳）重复"),
    ],
)
def test_a_file_with_a_wrong_row_is_refused_whole_with_the_row_named(root, row, message):
    plan = plan_people(people_file([*people_rows(), row]))
    assert any(e.startswith("第11行：") and message in e for e in plan.row_errors), plan.row_errors
    with pytest.raises(ActionRefused):
        apply_people(plan, actor=root)
    assert not User.objects.filter(username__startswith="E").exists()


def test_without_a_staff_number_the_login_is_the_phone_number(root):
    header = ["姓名", "手机号码", "所在党支部", "系统角色"]
    _import(people_file([["吴刚", "13900000009", "机关第一党支部", "支部书记"]], header=header), root)
    assert Membership.objects.filter(user__username="13900000009", role=Role.SECRETARY).exists()


def test_the_command_writes_the_passwords_once_to_a_file_the_office_opens_in_excel(root, tmp_path):
    path = tmp_path / "人员.xlsx"
    path.write_bytes(people_file())
    call_command("import_users", str(path), "--dry-run")
    assert not User.objects.filter(username="E001").exists()
    out = tmp_path / "初始密码.csv"
    call_command("import_users", str(path), "--passwords-out", str(out))
    lines = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == ["姓名", "登录名", "所在党组织", "初始密码"] and len(lines) == 7
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="不会覆盖"):
        call_command("import_users", str(path), "--passwords-out", str(out))


def test_the_header_row_is_found_below_a_title_and_the_sequence_column_is_ignored(root):
    plan = plan_people(people_file())
    assert plan.ok and any("第3行为表头" in note for note in plan.notes)
    assert PEOPLE_HEADER[0] in " ".join(plan.notes), "序号 is named as not imported"
