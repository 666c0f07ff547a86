"""Staff (staff) bring an inspection team's problem list in from Excel: download the template, fill it,
upload it, see the one bad row in the preview, fix it, upload again, import, and find the findings in
the problem list."""

import datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding, FindingSource, Inspection
from partyreview.intake.importers import DATA_SHEET, HEADERS

# The live server needs a transactional database, whose flush between tests would also drop the
# categories a data migration seeds; serialized rollback puts them back for the next test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOUND = local_today() - datetime.timedelta(days=3)


def fill(template: Path, target: Path, assignee: str) -> None:
    """What a member of staff does in Excel: two findings, the first with two measures."""
    wb = openpyxl.load_workbook(template)
    ws = wb[DATA_SHEET]
    common = {"党组织": "办公室党支部", "严重程度": "较重", "发现日期": FOUND, "整改类型": "限期整改"}
    rows = [
        {
            **common,
            "序号": 101,
            "问题类别": '"三会一课"落实不到位',
            "问题描述": "导入测试：党小组会记录缺失",
            "整改措施": "补齐党小组会记录并建立检查制度",
            "责任人": "secretary",
            "整改时限": FOUND + datetime.timedelta(days=30),
        },
        {
            "序号": 101,
            "整改措施": "每月由组织委员检查记录",
            "责任人": "secretary",
            "整改时限": FOUND + datetime.timedelta(days=60),
        },
        {
            **common,
            "序号": 102,
            "问题类别": "党费收缴不规范、欠缴",
            "问题描述": "导入测试：党费台账未按月登记",
            "整改措施": "建立按月登记的党费台账",
            "责任人": assignee,
            "整改时限": FOUND + datetime.timedelta(days=20),
        },
    ]
    for values in rows:
        ws.append([values.get(h) for h in HEADERS])
    wb.save(target)


def upload(page, path: Path) -> None:
    form = page.locator("form#import-upload")
    form.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_staff_import_a_problem_list_from_excel(live_server, page, login, screenshot, tmp_path):
    call_command("seed_demo", force=True)
    inspection = Inspection.objects.get(title="2026年第二轮党委巡察")
    before = Finding.objects.filter(inspection=inspection).count()
    login(page, live_server, "staff")

    page.goto(f"{live_server.url}/intake/?inspection={inspection.pk}")
    assert page.locator("select[name=inspection]").input_value() == str(inspection.pk)
    with page.expect_download() as download:
        page.click("#download-template")
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)
    assert download.value.suggested_filename == "问题清单导入模板.xlsx"

    bad = tmp_path / "问题清单-有误.xlsx"
    fill(template, bad, assignee="查无此人")
    upload(page, bad)

    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1
    assert errors.first.locator("td").all_inner_texts() == [
        "第5行",
        "责任人",
        "找不到用户“查无此人”，请填写用户名或姓名",
    ]
    assert page.locator("#confirm-import").count() == 0
    screenshot(page, "office-import-preview", full_page=False)
    assert Finding.objects.filter(inspection=inspection).count() == before

    good = tmp_path / "问题清单.xlsx"
    fill(template, good, assignee="张伟")
    upload(page, good)
    assert page.locator("#import-errors").count() == 0
    assert "将新建问题 2 个、整改措施 3 项" in page.locator("#import-summary").inner_text()
    with page.expect_navigation():
        page.click("#confirm-import")

    assert "新建问题 2 个、整改措施 3 项" in page.locator("#import-result").inner_text()
    screenshot(page, "office-import-result", full_page=False)
    imported = Finding.objects.filter(inspection=inspection, source=FindingSource.IMPORT).order_by("sequence")
    assert [(f.sequence, f.rectifications.count()) for f in imported] == [(101, 2), (102, 1)]

    with page.expect_navigation():
        page.click("#to-finding-list")
    assert page.url.endswith(f"/inspections/findings/?inspection={inspection.pk}")
    page.goto(f"{page.url}&q=导入测试")
    listed = page.locator("table.finding-table tbody").inner_text()
    assert "导入测试：党小组会记录缺失" in listed
    assert "导入测试：党费台账未按月登记" in listed
    assert page.console_errors == []
