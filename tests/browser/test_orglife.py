"""A secretary records this month's 支委会 with minutes, and the compliance view turns green for it; staff
confirm a suggestion of the nightly check into a finding."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Locator, Page

from partyreview.orglife.models import Breach, BreachStatus, MeetingRecord

# Like every browser test: the live server's data is flushed after each test and the migrated rows
# restored, so tests of either kind may follow each other in any order.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def committee_cell(page: Page) -> Locator:
    return page.locator('td[data-rule="committee_meeting"]')


def test_secretary_records_a_committee_meeting_and_the_light_turns_green(
    live_server, page, phone_page, login, screenshot
):
    call_command("seed_demo", force=True)
    login(page, live_server, "secretary")
    page.get_by_role("link", name="组织生活").first.click()
    page.wait_for_load_state("networkidle")
    assert "本月还需：" in page.locator(".orglife-branch-card").inner_text()
    assert "支委会" in page.locator(".orglife-needed").first.inner_text()
    assert committee_cell(page).get_attribute("data-light") != "1"
    screenshot(page, "orglife-compliance-before")

    page.get_by_role("link", name="记录组织生活").click()
    page.wait_for_load_state("networkidle")
    # A few minutes ago, Beijing time, and never before this month began.
    now = timezone.localtime()
    when = max(now - datetime.timedelta(minutes=10), now.replace(day=1, hour=0, minute=1, second=0, microsecond=0))
    page.get_by_label("支委会").check()
    page.get_by_label("召开时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("会议主题").fill("研究本月发展党员和党费收缴工作")
    page.get_by_label("应到人数").fill("7")
    page.get_by_label("实到人数").fill("6")
    page.get_by_label("会议记录").fill("一、通报上月工作；二、研究发展对象考察安排；三、督促按时交纳党费。")
    screenshot(page, "orglife-meeting-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "已记录：支委会" in page.content()
    meeting = MeetingRecord.objects.get(topic="研究本月发展党员和党费收缴工作")
    assert meeting.type_codes == ["committee_meeting"]
    assert meeting.minutes.startswith("一、通报上月工作")

    page.goto(live_server.url + "/orglife/")
    assert committee_cell(page).get_attribute("data-light") == "1"
    assert "支委会" not in page.locator(".orglife-needed").first.inner_text()
    screenshot(page, "orglife-compliance-after")
    assert page.console_errors == []

    # The same branch page on the secretary's phone.
    login(phone_page, live_server, "secretary")
    phone_page.goto(live_server.url + f"/orglife/branches/{meeting.organization_id}/")
    assert phone_page.locator('[data-rule="committee_meeting"]').get_attribute("data-light") == "1"
    screenshot(phone_page, "orglife-branch-phone", full_page=False)
    assert phone_page.console_errors == []

    # Staff confirm one of the night's suggestions: it becomes a finding with a measure.
    page.context.clear_cookies()
    login(page, live_server, "staff")
    page.goto(live_server.url + "/orglife/suggestions/")
    page.locator("[data-breach]").first.click()
    page.wait_for_load_state("networkidle")
    breach = Breach.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    page.get_by_label("责任人").select_option(index=1)
    screenshot(page, "orglife-suggestion")
    with page.expect_navigation():
        page.get_by_role("button", name="确认并制定整改措施").click()
    assert "已确认为问题" in page.content()
    breach.refresh_from_db()
    assert breach.status == BreachStatus.CONFIRMED
    assert breach.finding.inspection.title.startswith("组织生活自动检查")
    assert page.console_errors == []
