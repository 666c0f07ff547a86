"""A member of party-affairs staff (王敏, login "staff") at a desktop: starts from the workbench, files a
finding with two measures after an inspection, finds it again through the problem-list filters and the
register, and closes (销号) a submitted measure from the review queue. Screenshots: staff-*.png."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.rectifications.models import Rectification

# The live server needs a transactional database, whose flush between tests would also drop the
# categories a data migration seeds; serialized rollback puts them back for the next test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INSPECTION = "2026年第二轮党委巡察"
BRANCH = "办公室党支部"
DESCRIPTION = "浏览器测试：支部委员会会议记录由一人事后补写，未经参会人员签字确认。"


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _choose(select, label: str) -> None:
    """Pick an option by its visible text, ignoring the indentation of the organisation tree."""
    value = select.locator("option").filter(has_text=label).first.get_attribute("value")
    select.select_option(value)


def _pick(form, name: str, typed: str, label: str) -> None:
    """Type into a person picker's search box and choose the person it finds."""
    select = form.locator(f"select[name='{name}']")
    select.locator("xpath=preceding-sibling::input[contains(@class, 'person-search')][1]").fill(typed)
    expect(select.locator("option", has_text=label)).to_have_count(1)
    _choose(select, label)


def test_staff_file_find_and_close(live_server, page, login, screenshot):
    call_command("seed_demo", force=True)
    base = live_server.url

    # 1. The workbench: what waits for review, what is overdue, which reports are due.
    login(page, live_server, "staff")
    expect(page).to_have_url(re.compile(r"/inspections/workbench/$"))
    waiting = int(page.locator("[data-count=review] .fs-3").inner_text())
    assert waiting >= 1
    screenshot(page, "staff-workbench")

    # 2. File a finding with two measures from the inspection's page.
    page.get_by_role("link", name=INSPECTION).first.click()
    page.get_by_role("link", name="录入问题").first.click()
    expect(page.get_by_role("heading", name=re.compile("录入问题"))).to_be_visible()
    form = page.locator("#finding-form")
    _choose(form.locator("select[name=organization]"), BRANCH)
    _choose(form.locator("select[name=category]"), "三会一课")
    form.locator("select[name=severity]").select_option("major")
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    # The category's time limit is shown as the default deadline.
    expect(form.locator(".due-default-hint").first).to_contain_text("按问题类别默认 30 天")

    form.locator("textarea[name='measures-0-measure']").fill("支委会记录由组织委员当场记录，会后参会委员逐一签字。")
    # The people pickers search the branch's people by name, pinyin or its initials.
    _pick(form, "measures-0-assignee", "zw", "张伟")
    _pick(form, "measures-0-responsible_leader", "lijianguo", "李建国")
    form.locator("textarea[name='measures-1-measure']").fill("党总支每季度抽查一次支委会记录，结果在党员大会上通报。")
    _pick(form, "measures-1-assignee", "办公组织", "办公组织委员")
    form.locator("select[name='measures-1-kind']").select_option("long_term")
    form.locator("select[name='measures-1-report_cadence']").select_option("quarterly")
    form.locator("input[name='measures-1-due_date']").fill(f"{local_today().year + 1}-03-31")
    screenshot(page, "staff-finding-form")
    with page.expect_navigation():
        form.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator(".alert-success")).to_contain_text("2 项整改措施")
    finding = Finding.objects.get(description=DESCRIPTION)
    measures = list(finding.rectifications.order_by("number"))
    assert measures[0].assignee.username == "secretary"
    assert (measures[0].due_date - finding.found_on).days == 30  # left blank: the category's 30 days
    assert measures[1].kind == "long_term"
    expect(page.locator(".rectification-table tbody tr")).to_have_count(2)
    screenshot(page, "staff-finding-detail")

    # 3. Find it again through the problem-list filters; the filters stay in the URL.
    page.get_by_role("navigation").get_by_role("link", name="问题清单").click()
    filters = page.locator("#finding-filter")
    _choose(filters.locator("select[name=organization]"), BRANCH)
    filters.locator("select[name=status]").select_option("open")
    filters.locator("input[name=q]").fill("浏览器测试")
    with page.expect_navigation():
        filters.get_by_role("button", name="筛选").click()
    assert "q=" in page.url and "organization=" in page.url
    rows = page.locator(".finding-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(BRANCH)
    screenshot(page, "staff-finding-list")

    # ... and its measures in the register, filtered by organisation and keyword.
    _open(page, f"{base}/rectifications/?organization={finding.organization_id}&q=签字")
    expect(page.locator(".rectification-table tbody tr", has_text="参会委员逐一签字")).to_have_count(1)
    screenshot(page, "staff-register")

    # 4. Close a submitted measure from the review queue, with a verification note.
    page.get_by_role("navigation").get_by_role("link", name="待我审核").click()
    item = page.locator(".review-item").first
    pk = int(item.get_attribute("data-rectification"))
    screenshot(page, "staff-review-queue")
    item.locator("textarea[name=text]").fill("已查阅会议记录和签到表，整改到位，同意销号。")
    with page.expect_navigation():
        item.get_by_role("button", name="核查通过，销号").click()

    expect(page.locator(".alert-success")).to_contain_text("已销号")
    expect(page.locator(f".review-item[data-rectification='{pk}']")).to_have_count(0)
    closed = Rectification.objects.get(pk=pk)
    assert (closed.status, closed.closed_by.username) == ("closed", "staff")
    assert closed.verification_note == "已查阅会议记录和签到表，整改到位，同意销号。"
    screenshot(page, "staff-review-closed", full_page=False)

    assert page.console_errors == []
