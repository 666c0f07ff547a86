"""旧版 Excel（.xls）: offices' ledgers of earlier rounds and WPS's default format are read like .xlsx.

Each workbook is written as .xlsx, then saved as .xls by LibreOffice (as an office would), and the two are
read: the same sheets, cells, dates and merges; and every real-shaped ledger of tests/intake/workbooks.py
plans the same problems and measures from either file."""

import datetime
import io
import random
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partyreview.common.spreadsheets import SpreadsheetRefused, read_spreadsheet
from partyreview.inspections.models import Finding
from partyreview.intake import services
from partyreview.intake.models import ImportBatch
from tests.intake import workbooks
from tests.intake.ledger_world import build_ledger_world
from tests.office.libreoffice import convert_all


def _xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _varied(wb) -> None:
    ws = wb.active
    ws.title = "整改台账"
    ws["A1"] = "某某党委巡察反馈问题整改台账"
    ws.merge_cells("A1:F1")
    ws.append(["序号", "问题", "数量", "比例", "完成时限", "是否完成"])
    ws.append([1, "支委会未按月召开", 5, 0.25, datetime.date(2027, 3, 31), True])
    ws.append([2, "党费少交", 3, 1.5, datetime.datetime(2027, 6, 30, 14, 30), False])
    ws["B4"].number_format = "@"
    ws.merge_cells("A5:A6")
    ws["A5"] = 3
    ws["B5"] = "发展党员程序不规范"
    ws["B6"] = "（续）材料缺失"
    ws["C5"] = "=1/0"
    ws["B30"] = "间隔后的一行"
    hidden = wb.create_sheet("说明")
    hidden["A1"] = "填表说明"
    hidden.sheet_state = "hidden"


def _long(wb) -> None:
    wb.active.append(["序号", "问题"])
    for number in range(1, 61):
        wb.active.append([number, f"第{number}个问题"])


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Every workbook of this module and every real-shaped ledger, as .xlsx and as LibreOffice's .xls."""
    folder = tmp_path_factory.mktemp("xls")
    named = {"varied": _xlsx(_varied), "long": _xlsx(_long)}
    named |= {name: build() for name, build in workbooks.LEDGERS.items()}
    paths = []
    for index, data in enumerate(named.values()):
        path = folder / f"book{index}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    xls = convert_all(paths, "xls", folder)
    return {name: (data, path.read_bytes()) for (name, data), path in zip(named.items(), xls, strict=True)}


def _cells(book):
    return {
        sheet.name: (
            sheet.hidden,
            {(c.row, c.column): (c.value, c.error) for row in sheet.rows for c in row.cells.values()},
            sorted(m.ref for m in sheet.merged),
        )
        for sheet in book.sheets
    }


def test_an_xls_reads_as_the_same_workbook_saved_as_xlsx(db, converted):
    xlsx, xls = converted["varied"]
    assert xls.startswith(b"\xd0\xcf\x11\xe0")
    old = read_spreadsheet(xls)
    assert _cells(old) == {
        "整改台账": (
            False,
            {
                (1, 1): ("某某党委巡察反馈问题整改台账", False),
                (2, 1): ("序号", False),
                (2, 2): ("问题", False),
                (2, 3): ("数量", False),
                (2, 4): ("比例", False),
                (2, 5): ("完成时限", False),
                (2, 6): ("是否完成", False),
                (3, 1): (1, False),
                (3, 2): ("支委会未按月召开", False),
                (3, 3): (5, False),
                (3, 4): (0.25, False),
                (3, 5): (datetime.date(2027, 3, 31), False),
                (3, 6): (True, False),
                (4, 1): (2, False),
                (4, 2): ("党费少交", False),
                (4, 3): (3, False),
                (4, 4): (1.5, False),
                (4, 5): (datetime.datetime(2027, 6, 30, 14, 30), False),
                (4, 6): (False, False),
                (5, 1): (3, False),
                (5, 2): ("发展党员程序不规范", False),
                (5, 3): ("#DIV/0!", True),
                (6, 2): ("（续）材料缺失", False),
                (30, 2): ("间隔后的一行", False),
            },
            ["A1:F1", "A5:A6"],
        ),
        "说明": (True, {(1, 1): ("填表说明", False)}, []),
    }
    sheet = old.sheets[0]
    assert sheet.value(6, 1) == 3  # a merge shows its value in every cell it covers, as in .xlsx
    new = read_spreadsheet(xlsx)
    assert _cells(new)["整改台账"][1].keys() == _cells(old)["整改台账"][1].keys()


def test_an_xls_keeps_to_the_row_limit_of_an_xlsx(db, converted):
    # 61 rows: within 50 of a 20-row limit (titles, headers, footers), not of a 10-row one.
    for data in converted["long"]:
        assert len(read_spreadsheet(data, max_rows=20).sheets[0].rows) == 61
        with pytest.raises(SpreadsheetRefused) as refused:
            read_spreadsheet(data, max_rows=10)
        assert refused.value.message == "数据超过 10 行，请分成多个文件导入。"


def _summary(plan):
    findings = [
        (
            f.sequence,
            f.organization.name,
            f.category.code,
            f.description,
            f.found_on,
            f.severity,
            [
                (m.measure, m.kind, m.due_date, m.assignee.pk, m.department, m.named_assignee, m.cadence, m.status)
                for m in f.measures
            ],
        )
        for f in plan.findings
    ]
    return findings, [(e.row, e.column, e.message) for e in plan.errors]


@pytest.mark.parametrize("name", list(workbooks.LEDGERS))
def test_every_real_shaped_ledger_saved_as_xls_plans_as_its_xlsx(db, converted, name):
    world = build_ledger_world()
    xlsx, xls = converted[name]

    def plan(data):
        return services.findings_plan_file(actor=world.staff, inspection=world.inspection, data=data)

    from_xls = _summary(plan(xls))
    assert from_xls == _summary(plan(xlsx))
    assert from_xls[0], "the ledger has problems"


def test_staff_upload_an_xls_ledger_preview_it_and_import_it(db, client, converted, django_capture_on_commit_callbacks):
    world = build_ledger_world()
    _, xls = converted["committee ledger"]
    client.force_login(world.staff)
    upload = SimpleUploadedFile("2025年巡察整改台账.xls", xls, content_type="application/vnd.ms-excel")
    response = client.post(reverse("intake:start"), {"inspection": world.inspection.pk, "file": upload})
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("intake:preview", args=[batch.pk])
    assert "将新建问题 3 个、整改措施 6 项" in client.get(response["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:confirm", args=[batch.pk]))
    assert Finding.objects.filter(inspection=world.inspection).count() == 3


def test_a_damaged_xls_is_refused_in_chinese_never_an_error(db, converted):
    # Bytes flipped, runs zeroed, the file cut short: each read gives the workbook or a Chinese refusal.
    _, xls = converted["committee ledger"]
    rng = random.Random(20261203)
    refused_count = 0
    for trial in range(150):
        data = bytearray(xls)
        if trial % 3 == 0:
            data = data[: rng.randrange(600, len(data))]
        for _ in range(rng.randrange(1, 40)):
            at = rng.randrange(512, len(data))
            if trial % 3 == 1:
                data[at : at + 16] = bytes(min(16, len(data) - at))
            else:
                data[at] = rng.randrange(256)
        try:
            read_spreadsheet(bytes(data))
        except SpreadsheetRefused as refused:
            assert re.search("[\u4e00-\u9fff]", refused.message), refused.message
            refused_count += 1
    assert refused_count > 30, "the damage reached the workbook's records"
