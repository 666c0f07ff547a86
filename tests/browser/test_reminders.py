"""Reminders in the browser: the administrator sets the policy, runs a sweep and reads the status page
with a failed robot delivery; a secretary follows the bell to her digest and switches e-mail off."""

import pytest
from django.core.management import call_command

from partyreview.organizations.models import Organization
from partyreview.reminders.models import OrgWebhook

# The live server needs a transactional database, whose flush between tests would also drop the rows a
# data migration seeds (categories, the reminder policy); serialized rollback puts them back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(live_server, settings) -> None:
    call_command("seed_demo", force=True)
    # One attempt only, so the unreachable robot below is a final failure at once.
    settings.REMINDER_SEND_MAX_ATTEMPTS = 1


def test_admin_runs_a_sweep_and_sees_what_failed(live_server, page, login, screenshot, demo):
    committee = Organization.objects.filter(kind="committee").order_by("depth").first()
    OrgWebhook.objects.create(
        organization=committee, name="机关党委整改群", kind="wecom", url="http://127.0.0.1:9/robot"
    )
    base = live_server.url
    login(page, live_server, "admin")

    page.goto(f"{base}/admin/reminders/reminderpolicy/")
    assert page.locator("input[name=days_before]").input_value() == "7,1,0"
    screenshot(page, "reminders-policy", full_page=False)

    page.goto(f"{base}/reminders/status/")
    assert "尚未执行过提醒扫描" in page.locator("#last-sweep").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="立即执行提醒扫描").click()
    assert "已提交提醒扫描" in page.locator(".messages").inner_text()
    page.reload()
    assert "完成" in page.locator("#last-sweep").inner_text()
    failed = page.locator("#failed-deliveries tbody tr")
    assert failed.count() == 1
    assert "机关党委整改群" in failed.inner_text() and "无法连接群机器人接口" in failed.inner_text()
    assert page.locator("#retry-failed").is_visible()
    screenshot(page, "reminders-status")
    assert page.console_errors == []


def test_secretary_follows_the_bell_to_her_digest_and_switches_email_off(
    live_server, phone_page, login, screenshot, demo
):
    call_command("send_reminders")
    page = phone_page
    login(page, live_server, "secretary")
    bell = page.locator("a.nav-bell")
    assert int(bell.locator(".notif-count").inner_text()) >= 1
    with page.expect_navigation():
        bell.click()
    reminder = page.locator(".list-group-item", has_text="整改").filter(
        has=page.locator("a[href*='/reminders/digest/']")
    )
    with page.expect_navigation():
        reminder.first.locator("a").first.click()
    assert "/reminders/digest/" in page.url
    assert page.locator(".digest-section .list-group-item").count() >= 1
    screenshot(page, "reminders-digest")

    page.goto(f"{live_server.url}/reminders/preferences/")
    box = page.locator("input[name=email_notifications]")
    assert box.is_checked()
    box.uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "提醒设置已保存" in page.locator(".messages").inner_text()
    assert not page.locator("input[name=email_notifications]").is_checked()
    assert page.console_errors == []
