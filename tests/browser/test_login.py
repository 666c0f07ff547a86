"""Each demo user logs in through the real login page and lands on a page meant for their role."""

import pytest
from django.core.management import call_command

# Like every browser test: the live server's data is flushed after each test and the migrated rows
# restored, so tests of either kind may follow each other in any order.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANDINGS = [
    ("staff", "/inspections/workbench/", "staff-home"),
    ("leader", "/dashboard/", "leader-home"),
    ("secretary", "/rectifications/my-branch/", "secretary-home"),
    ("secretary2", "/rectifications/my-branch/", "secretary2-home"),
    ("admin", "/admin/", "admin-home"),
]


@pytest.mark.parametrize(("username", "landing", "shot"), LANDINGS)
def test_each_demo_user_lands_on_the_page_for_their_role(live_server, page, login, screenshot, username, landing, shot):
    call_command("seed_demo", force=True)
    page.goto(live_server.url + "/accounts/login/")
    assert "登录" in page.content()
    login(page, live_server, username)
    page.wait_for_load_state("networkidle")
    assert page.url == live_server.url + landing, f"{username} landed on {page.url}"
    assert page.locator("body").inner_text().strip()
    screenshot(page, f"login-{shot}")
    assert page.console_errors == []


def test_a_wrong_password_is_refused_in_chinese(live_server, page, login):
    call_command("seed_demo", force=True)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.content()
