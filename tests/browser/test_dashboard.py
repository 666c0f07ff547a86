"""The committee lead (leader) logs in, lands on the dashboard, sees every chart drawn, follows a heat-map
cell to the problem list behind it, and presses a lagging branch (督办)."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command

from partyreview.accounts.models import Notification
from partyreview.rectifications.models import Escalation

# The live server needs a transactional database, whose flush between tests would also drop the
# categories a data migration seeds; serialized rollback puts them back for the next test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHARTS = ["lights", "overdue", "completion", "categories", "heatmap", "trend", "inspections"]


@pytest.fixture
def demo(live_server) -> None:
    call_command("seed_demo", force=True)


def test_leader_reads_the_dashboard_and_follows_a_heat_map_cell(live_server, page, login, screenshot, demo):
    base = live_server.url
    login(page, live_server, "leader")
    assert page.url == f"{base}/dashboard/"

    for name in CHARTS:
        page.wait_for_selector(f"[data-chart='{name}'] canvas")
    # Seven figures of progress, then 立行立改完成率, 长期坚持 and 整改成效 (docs/user-guide/leader.md).
    assert page.locator(".figure-card").count() == 10
    assert page.locator("#table-branches tbody tr").count() == 12  # the demo committee's twelve branches
    screenshot(page, "dashboard", full_page=False)
    page.locator("#h-heatmap").scroll_into_view_if_needed()
    screenshot(page, "dashboard-heatmap", full_page=False)

    cell = page.locator("#table-heatmap a").first
    organization, category, count = (
        cell.get_attribute("data-organization"),
        cell.get_attribute("data-category"),
        int(cell.inner_text()),
    )
    with page.expect_navigation():
        cell.click()

    url = urlparse(page.url)
    assert url.path == "/inspections/findings/"
    assert parse_qs(url.query) == {"organization": [organization], "category": [category]}
    assert page.locator("table.finding-table tbody tr").count() == count
    assert page.console_errors == []


def test_leader_presses_a_lagging_branch(live_server, page, login, screenshot, demo):
    login(page, live_server, "leader")
    row = page.locator("#table-branches tbody tr").filter(has=page.locator("a.btn", has_text="督办")).first
    branch = row.locator("th a").inner_text()
    with page.expect_navigation():
        row.locator("a.btn", has_text="督办").click()

    overdue = page.locator(".list-group-item").count()
    page.locator("textarea[name=instruction]").fill("请支部书记亲自抓，月底前全部销号。")
    screenshot(page, "dashboard-escalate", full_page=False)
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="督办").click()

    assert page.url.endswith("/dashboard/")
    assert f"已督办“{branch}”的 {overdue} 项逾期整改措施" in page.locator(".alert-success").inner_text()
    assert "请支部书记亲自抓" in page.locator(".escalation-list").inner_text()
    assert Escalation.objects.filter(organization__name=branch).count() == overdue
    assert Notification.objects.filter(kind="escalation").exists()
    assert page.console_errors == []
