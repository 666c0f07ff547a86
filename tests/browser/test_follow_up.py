"""A member of staff (login "staff") plans a 回头看 from an inspection's page: one closed measure per branch,
checked by herself within two weeks; she previews the plan, confirms it, finds the check in 我的回头看任务,
records 问题反弹, sees the measure reopened and the dashboard counting the relapse.
Screenshots: staff-followup-plan.png, staff-followup-tasks.png, staff-followup-record.png."""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partyreview.common.dates import local_today
from partyreview.rectifications.models import FollowUpReview, Rectification, RectificationStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INSPECTION = "2026年第二轮党委巡察"


def test_staff_schedule_a_look_back_and_record_a_relapse(live_server, page, login, screenshot):
    call_command("seed_demo", force=True)
    base = live_server.url
    closed = Rectification.objects.filter(status=RectificationStatus.CLOSED, finding__inspection__title=INSPECTION)
    assert closed.exists(), "the demo has closed measures in the inspection"
    login(page, live_server, "staff")
    page.goto(f"{base}/dashboard/")
    relapsed_before = int(page.locator("[data-figure=relapsed]").first.inner_text())

    # 1. From the inspection's page: plan one closed measure per branch, preview, confirm.
    page.goto(f"{base}/inspections/")
    page.get_by_role("link", name=INSPECTION).first.click()
    page.get_by_role("link", name="安排回头看").click()
    expect(page.get_by_role("heading", name=re.compile("安排回头看"))).to_be_visible()
    plan = page.locator("#followup-plan")
    plan.locator("input[name=per_branch]").fill("1")
    plan.locator("input[name=due_date]").fill(f"{local_today() + datetime.timedelta(days=14):%Y-%m-%d}")
    plan.get_by_role("button", name="预览计划").click()
    rows = page.locator("#plan-table tbody tr")
    expect(rows.first).to_be_visible()
    planned = rows.count()
    assert planned == closed.values("responsible_org").distinct().count()
    assert not FollowUpReview.objects.exists()  # nothing before the confirmation
    screenshot(page, "staff-followup-plan")
    page.get_by_role("button", name="确认安排回头看").click()
    expect(page.locator(".alert", has_text=f"已安排 {planned} 项回头看")).to_be_visible()

    # 2. 我的回头看任务, from the workbench.
    page.goto(f"{base}/inspections/workbench/")
    page.locator("[data-count=followups]").click()
    expect(page.get_by_role("heading", name="我的回头看任务")).to_be_visible()
    expect(page.locator(".followup-row")).to_have_count(planned)
    screenshot(page, "staff-followup-tasks")

    # 3. The outcome: 问题反弹 reopens the measure.
    page.locator(".followup-row").first.get_by_role("link", name="填写结论").click()
    form = page.locator("#followup-record")
    form.get_by_label("问题反弹（重新打开该措施）").check()
    form.locator("textarea[name=note]").fill("复查发现会议记录又有缺失，问题反弹。")
    screenshot(page, "staff-followup-record")
    form.get_by_role("button", name="提交结论").click()
    expect(page.locator(".alert", has_text="已记录问题反弹")).to_be_visible()
    review = FollowUpReview.objects.get(outcome="relapsed")
    expect(page.locator(f"[data-followup='{review.pk}']")).to_contain_text("问题反弹")

    page.goto(f"{base}/rectifications/{review.rectification_id}/")
    expect(page.locator("body")).to_contain_text("整改中")
    expect(page.locator("body")).to_contain_text("问题反弹：复查发现会议记录又有缺失")

    # 4. The dashboard counts the relapse beside recurrence.
    page.goto(f"{base}/dashboard/")
    expect(page.locator("[data-figure=relapsed]").first).to_have_text(str(relapsed_before + 1))
    assert page.console_errors == []
