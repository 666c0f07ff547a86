"""A person who follows a dead link sees the Chinese 404 in the app's layout, with their menu, and the
page loads everything it needs (the favicon included) without an error."""

import pytest
from django.core.management import call_command

# Like every browser test: the live server's data is flushed after each test and the migrated rows
# restored, so tests of either kind may follow each other in any order.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_missing_page_shows_the_chinese_404_in_the_apps_layout(live_server, page, login, screenshot):
    call_command("seed_demo", force=True)
    login(page, live_server, "secretary")
    missing = live_server.url + "/rectifications/no-such-page/"
    response = page.goto(missing)
    page.wait_for_load_state("networkidle")

    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    assert page.locator("nav.navbar").get_by_text("本支部整改").is_visible()
    assert page.get_by_role("link", name="返回首页").is_visible()
    assert "Not Found" not in page.content() and "URLconf" not in page.content()
    screenshot(page, "error-404")
    # Chromium reports the 404 of the page itself; nothing else may fail (a missing favicon would).
    assert [e for e in page.console_errors if "404" not in e or "favicon" in e] == []
    assert len(page.console_errors) <= 1
