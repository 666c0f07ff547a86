"""Staff (staff) bring problems in from Excel: the template filled in (one bad row, fixed, imported), and a
ledger as an office keeps it — a title, two header rows, problems merged down over their measures, a
column nobody names — through the mapping step, the readings beside the raw text, and the import."""

import datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding, FindingSource, Inspection
from partyreview.intake.classify import suggest_category
from partyreview.intake.importers import DATA_SHEET, HEADERS

# The live server needs a transactional database, whose flush between tests would also drop the
# categories a data migration seeds; serialized rollback puts them back for the next test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOUND = local_today() - datetime.timedelta(days=3)


def fill(template: Path, target: Path, organization: str) -> None:
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
            "党组织": organization,
            "问题描述": "导入测试：党费台账未按月登记",
            "整改措施": "建立按月登记的党费台账",
            "责任人": "张伟",
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
    fill(template, bad, organization="不存在的支部")
    upload(page, bad)

    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1
    assert errors.first.locator("td").all_inner_texts() == [
        "第5行",
        "党组织",
        f"在本次检查（{inspection.inspecting_org}）和您的管理范围内找不到党组织“不存在的支部”",
    ]
    assert page.locator("#confirm-import").count() == 0
    screenshot(page, "office-import-errors", full_page=False)
    assert Finding.objects.filter(inspection=inspection).count() == before

    good = tmp_path / "问题清单.xlsx"
    fill(template, good, organization="办公室党支部")
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


def ledger(path: Path) -> None:
    """A 整改台账 as an office keeps it: a title merged across, a 填报单位 line, two header rows (问题清单 /
    任务清单 / 责任清单 over the column names), problems merged down over their measure rows, deadlines and
    people in words, a 督办意见 column the import does not know, and a signature footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws["A1"] = "中共某某公司委员会关于党委巡察反馈意见整改落实台账"
    ws.merge_cells("A1:K1")
    ws["A2"] = "填报单位：机关党委"
    ws["I2"] = "填报日期：2026年11月20日"
    groups = ["序号", "问题类别", "问题清单", None, "任务清单", None, "责任清单", None, None, "整改进展", "督办意见"]
    names = [None, None, "存在问题", "问题表现", "整改措施", "整改时限", "责任单位", "责任领导", "责任人"]
    for column, value in enumerate(groups, start=1):
        ws.cell(row=3, column=column, value=value)
    for column, value in enumerate(names, start=1):
        if value:
            ws.cell(row=4, column=column, value=value)
    for cells in ("C3:D3", "E3:F3", "G3:I3", "A3:A4", "B3:B4", "J3:J4", "K3:K4"):
        ws.merge_cells(cells)
    problems = [
        (
            "一",
            "组织建设",
            "导入演示：支部“三会一课”落实不到位",
            "部分党小组会未按月召开，记录缺失",
            [
                (
                    "1.制定党小组会年度计划；2.每月由组织委员检查记录",
                    "2027年3月底前",
                    "办公室",
                    "李建国（党委副书记）",
                    "张伟（支部书记）",
                    "已完成",
                    "按月通报",
                ),
                ("每季度末通报落实情况", "每季度末", "办公室", "李建国（党委副书记）", "张伟", "", ""),
            ],
        ),
        (
            "二",
            "党风廉政建设",
            "导入演示：公务接待审批不规范",
            "接待清单与审批单不一致",
            [
                ("修订公务接待管理办法", "立行立改", "财务部", "", "赵六", "正在推进", "限期完成"),
            ],
        ),
    ]
    row = 5
    for sequence, category, problem, detail, measures in problems:
        first = row
        for measure, due, unit, leader, owner, progress, remark in measures:
            for column, value in enumerate([measure, due, unit, leader, owner, progress, remark], start=5):
                ws.cell(row=row, column=column, value=value)
            row += 1
        for column, value in enumerate([sequence, category, problem, detail], start=1):
            ws.cell(row=first, column=column, value=value)
            if row - 1 > first:
                ws.merge_cells(start_row=first, start_column=column, end_row=row - 1, end_column=column)
    ws.cell(row=row + 1, column=1, value="填报人：王敏")
    ws.cell(row=row + 1, column=5, value="审核人：李建国")
    wb.save(path)


def test_staff_import_a_ledger_as_the_office_keeps_it(live_server, page, login, screenshot, tmp_path):
    call_command("seed_demo", force=True)
    inspection = Inspection.objects.get(title="2026年第二轮党委巡察")
    login(page, live_server, "staff")
    path = tmp_path / "整改台账.xlsx"
    ledger(path)
    # The category suggestion loads its dictionary once per process (seconds on a loaded machine); a
    # running server has done so long before, so the page's wait below need not include it.
    suggest_category("支部未按期召开党员大会")

    page.goto(f"{live_server.url}/intake/?inspection={inspection.pk}")
    upload(page, path)

    # The mapping step: the table was found under the title, over two header rows; 问题表现 (a second
    # description beside 存在问题) and 督办意见 are offered to map or ignore.
    mapping = page.locator("#import-mapping")
    assert "表头在第 3、4 行" in mapping.inner_text()
    assert page.locator("#unrecognised-columns label").all_inner_texts() == ["第4列“问题表现”", "第11列“督办意见”"]
    screenshot(page, "intake-ledger-mapping", full_page=False)
    page.select_option("#column-4", "ignore")
    page.select_option("#column-11", "ignore")
    with page.expect_navigation():
        page.click("#confirm-mapping")
    assert page.locator("#unrecognised-columns").count() == 0

    # Readings beside the raw text, the category suggested with its reason, 待指派 and 责任部门 shown.
    findings = page.locator(".import-finding")
    assert findings.count() == 2
    first = findings.nth(0).inner_text()
    assert "2027年3月底前 → 2027-03-31" in first
    assert "拆分 1/2" in first and "每季度末 → 长期坚持，每季度报告" in first
    second = findings.nth(1).inner_text()
    assert "待指派" in second and "台账所列：赵六" in second
    assert "财务部" in second
    screenshot(page, "intake-ledger-preview")

    with page.expect_navigation():
        page.click("#confirm-import")
    assert "新建问题 2 个、整改措施 4 项" in page.locator("#import-result").inner_text()
    screenshot(page, "intake-ledger-result", full_page=False)
    imported = Finding.objects.filter(inspection=inspection, description__startswith="导入演示").order_by("sequence")
    assert [f.rectifications.count() for f in imported] == [3, 1]
    done = imported[0].rectifications.order_by("number").first()
    assert done.get_status_display() == "待审核"
