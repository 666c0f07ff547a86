"""Staff (login "staff") bring an inspection team's feedback (反馈意见) in by pasting its text: the preview
shows the problems as the document numbers them, what was left out, suggested categories and measures;
they choose the organisation, fix one category, import, and find the problems in the problem list.
Screenshots: feedback-import-paste.png, feedback-import-preview.png, feedback-import-result.png."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partyreview.inspections.models import Finding, Inspection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEEDBACK = """关于对办公室党支部巡察情况的反馈意见
办公室党支部：
根据党委巡察工作安排，巡察组对你支部进行了巡察。现将巡察发现的问题反馈如下：
（一）党的组织建设方面
1.反馈导入测试：支部委员会不健全，组织委员空缺一年多未补选。
2.反馈导入测试：支部党员大会未按季度召开，2026年上半年仅召开1次。
（二）作风建设方面　一是反馈导入测试：基层报表过多，填表报数负担重；二是反馈导入测试：调查研究走马观花。
二、整改意见建议
请支部在2个月内报送整改情况报告。
党委第二巡察组
2026年11月20日
"""


def test_staff_paste_a_feedback_fix_a_category_and_import(live_server, page, login, screenshot):
    call_command("seed_demo", force=True)
    inspection = Inspection.objects.get(title="2026年第二轮党委巡察")
    login(page, live_server, "staff")

    page.goto(f"{live_server.url}/intake/?inspection={inspection.pk}")
    form = page.locator("form#import-upload")
    form.locator("textarea[name=text]").fill(FEEDBACK)
    screenshot(page, "feedback-import-paste", full_page=False)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # The problems as the document numbers them; the organisation is asked (the inspection names none).
    findings = page.locator(".import-finding")
    expect(findings).to_have_count(4)
    expect(page.locator("#import-errors")).to_contain_text("请在预览上方选择这些问题所属的党组织")
    select = page.locator("#organization-all-select")
    value = select.locator("option", has_text="办公室党支部").first.get_attribute("value")
    select.select_option(value)
    with page.expect_navigation():
        page.locator("#organization-all button[type=submit]").click()
    expect(page.locator("#import-errors")).to_have_count(0)
    assert "未导入的部分 7 段" in page.locator("#import-left-out summary").inner_text()
    expect(findings.nth(1)).to_contain_text("支部党员大会未按季度召开")
    expect(findings.nth(1).locator("select[name=category]")).to_have_value("meeting_lapses")

    # Fix one category: the second problem is put under 党内政治生活 instead.
    findings.nth(1).locator("select[name=category]").select_option("political_life")
    with page.expect_navigation():
        findings.nth(1).locator(".category-choice button[type=submit]").click()
    expect(page.locator(".import-finding").nth(1).locator("select[name=category]")).to_have_value("political_life")
    screenshot(page, "feedback-import-preview")

    with page.expect_navigation():
        page.click("#confirm-import")
    expect(page.locator("#import-result")).to_contain_text("新建问题 4 个")
    screenshot(page, "feedback-import-result", full_page=False)

    with page.expect_navigation():
        page.click("#to-finding-list")
    page.goto(f"{page.url}&q=反馈导入测试")
    listed = page.locator("table.finding-table tbody").inner_text()
    assert "支部委员会不健全" in listed
    assert "调查研究走马观花" in listed
    imported = Finding.objects.filter(inspection=inspection, description__startswith="反馈导入测试")
    assert imported.count() == 4
    assert imported.get(description__contains="党员大会").category.code == "political_life"
    assert {f.organization.name for f in imported} == {"办公室党支部"}
    assert page.console_errors == []
