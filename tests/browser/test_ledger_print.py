"""Staff print the register: a titled, dated, bordered landscape table whose header row repeats on every
page and whose type stays readable. Chromium renders the print to PDF (var/screenshots/register-print.pdf)."""

import re

import pytest
from django.core.management import call_command

from tests.browser.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A4 landscape in PDF points (1/72 inch): 297 mm × 210 mm.
A4_LANDSCAPE = (842, 595)
A3_LANDSCAPE = (1191, 842)


def media_boxes(pdf: bytes) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def test_staff_print_the_register_in_landscape_with_a_title_and_a_header_on_every_page(
    live_server, page, login, screenshot
):
    call_command("seed_demo", force=True)
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/rectifications/")
    with page.expect_navigation():
        page.get_by_role("link", name="打印台账").click()
    assert page.url.startswith(f"{live_server.url}/office/register/print/")
    screenshot(page, "register-print-screen", full_page=False)

    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.locator(".print-toolbar").is_hidden()
    assert page.locator("h1.register-title").inner_text() == "整改台账"
    assert "打印日期" in page.locator(".register-meta").inner_text()
    cell = page.locator("table.register-print tbody td").nth(4)
    style = cell.evaluate(
        "td => { const s = getComputedStyle(td); return [s.fontSize, s.borderTopStyle, s.borderTopWidth]; }"
    )
    assert float(style[0].removesuffix("px")) >= 12  # 9 pt
    assert style[1:] == ["solid", "1px"]
    assert page.locator("table.register-print thead").evaluate("h => getComputedStyle(h).display") == (
        "table-header-group"
    )
    header_cells = page.locator("table.register-print thead th").all_inner_texts()
    assert header_cells[:6] == ["序号", "检查名称", "党组织", "问题类别", "问题描述", "整改措施"]

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOT_DIR / "register-print.pdf"), prefer_css_page_size=True, print_background=True)
    boxes = media_boxes(pdf)
    assert len(boxes) >= 2, "the demo register fills more than one page"
    assert set(boxes) == {A4_LANDSCAPE}

    page.goto(page.url + "?paper=a3" if "?" not in page.url else page.url + "&paper=a3")
    pdf = page.pdf(path=str(SCREENSHOT_DIR / "register-print-a3.pdf"), prefer_css_page_size=True)
    assert set(media_boxes(pdf)) == {A3_LANDSCAPE}
    assert page.console_errors == []
