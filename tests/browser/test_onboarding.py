"""An administrator sets up a committee from its two files: the organisation sheet, then the people
sheet, each previewed and confirmed; the initial passwords are shown once; a first-time user must change
theirs; then a branch is moved on its page. The screenshots illustrate docs/user-guide/admin.md."""

import re

import pytest
from playwright.sync_api import expect

from partyreview.accounts.models import User
from partyreview.organizations.models import Organization
from tests.factories import UserFactory
from tests.organizations.workbooks import people_file, tree_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ADMIN_PASSWORD = "Guanliyuan-2026-Mima"


def test_an_administrator_sets_up_a_committee_from_its_two_files(live_server, page, login, screenshot, tmp_path):
    UserFactory(username="admin", full_name="系统管理员", is_superuser=True, is_staff=True, password=ADMIN_PASSWORD)
    trees, people = tmp_path / "党组织信息表.xlsx", tmp_path / "人员名单.xlsx"
    trees.write_bytes(tree_file())
    people.write_bytes(people_file())
    login(page, live_server, "admin", ADMIN_PASSWORD)

    # 1. The organisations: upload, preview, confirm.
    page.goto(f"{live_server.url}/organizations/")
    page.get_by_role("link", name="导入党组织").click()
    page.locator("input[type=file]").set_input_files(str(trees))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".import-preview tbody tr")).to_have_count(6)
    screenshot(page, "admin-import-tree-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("新增 6")
    assert Organization.objects.filter(code__startswith="D").count() == 6

    # 2. The people: the initial passwords are shown once.
    page.goto(f"{live_server.url}/organizations/import/people/")
    page.locator("input[type=file]").set_input_files(str(people))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    screenshot(page, "admin-import-people-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".initial-passwords tbody tr")).to_have_count(6)
    screenshot(page, "admin-initial-passwords")
    row = page.locator(".initial-passwords tbody tr", has_text="E003")
    password = row.locator("code").inner_text()

    # 3. A branch moves to the other general branch.
    page.goto(f"{live_server.url}/organizations/")
    page.locator("tr", has_text="机关第二党支部").get_by_role("link", name="调整").click()
    move = page.locator("form", has=page.locator("input[name=action][value=move]"))
    value = move.locator("select[name=parent] option", has_text="生产党总支").get_attribute("value")
    move.locator("select[name=parent]").select_option(value)
    with page.expect_navigation():
        move.get_by_role("button", name="调整").click()
    expect(page.locator(".alert-success")).to_contain_text("已调整隶属关系")
    screenshot(page, "admin-organization-change")
    assert Organization.objects.get(code="D-A-2").parent.code == "D-B"

    # 4. 张伟 signs in for the first time and must choose a password of his own.
    page.get_by_role("button", name="系统管理员").click()
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()
    login(page, live_server, "E003", password)
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.locator(".alert-warning")).to_contain_text("第一次登录")
    screenshot(page, "admin-first-login")
    assert User.objects.get(username="E003").must_change_password
    assert page.console_errors == []
