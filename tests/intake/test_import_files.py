"""Whole files the importer refuses, each with a clear Chinese message, before anything is stored; and
the layouts it no longer refuses (the table finder reads them)."""

import io
import zipfile

import openpyxl
import pytest

from partyreview.common.errors import ActionRefused
from partyreview.common.spreadsheets import OLE_MAGIC
from partyreview.intake import importers, services
from partyreview.intake.ledger import read_ledger
from tests.intake.template_workbooks import row, to_bytes, workbook, xlsx


def refusal(data: bytes) -> str:
    with pytest.raises(ActionRefused) as refused:
        read_ledger(data)
    return refused.value.message


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def ole_file(*streams: str) -> bytes:
    """Enough of an OLE compound file to be recognised: the magic number and directory entry names."""
    names = b"".join(s.encode("utf-16-le") + b"\0\0" for s in streams)
    return OLE_MAGIC + b"\0" * 504 + names + b"\0" * 512


def test_a_text_file_named_xlsx_is_refused(world):
    assert refusal("序号,党组织\n1,机关第一党支部\n".encode()) == (
        "文件不是有效的 Excel 工作簿（.xlsx），请在 Excel 中另存为 .xlsx 文件后再导入。"
    )


def test_a_word_document_is_refused_though_it_is_a_zip(world):
    data = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})

    assert refusal(data) == "文件不是有效的 Excel 工作簿（.xlsx），请在 Excel 中另存为 .xlsx 文件后再导入。"


def test_a_password_protected_workbook_is_refused(world):
    data = ole_file("Root Entry", "EncryptionInfo", "EncryptedPackage")

    assert refusal(data) == "文件设置了密码保护，无法读取。请在 Excel 中取消密码后另存为 .xlsx 文件再导入。"


def test_a_damaged_old_xls_file_is_refused(world):
    # A readable .xls imports (tests/common/test_legacy_xls.py); one without a workbook behind it does not.
    assert (
        refusal(ole_file("Root Entry", "Workbook"))
        == "无法读取该工作簿，文件可能已损坏。请用 Excel 打开确认后另存为 .xlsx 再导入。"
    )


def test_an_empty_file_is_refused(world):
    assert refusal(b"") == "文件是空的，请选择填写好的 .xlsx 文件。"


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.OFFICE_IMPORT_MAX_BYTES = 1024 * 1024
    data = xlsx(row()) + b"\0" * (1024 * 1024)

    assert refusal(data) == "文件过大（1.0 MB），导入文件不能超过 1.0 MB。"


def test_a_zip_bomb_is_refused_from_the_declared_sizes_before_anything_is_inflated(world, settings):
    settings.OFFICE_IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    wb = zipfile.ZipFile(io.BytesIO(xlsx(row())))
    entries = {info.filename: wb.read(info) for info in wb.infolist()}
    entries["xl/media/padding.bin"] = b"\0" * (12 * 1024 * 1024)
    data = zip_of(entries)
    assert len(data) < 100 * 1024

    assert refusal(data).startswith("文件解压后过大（")


def test_more_rows_than_the_limit_are_refused(world, settings):
    settings.OFFICE_IMPORT_MAX_ROWS = 3

    assert refusal(xlsx(*[row(序号=n) for n in range(1, 5)])) == "数据超过 3 行，请分成多个文件导入。"


def test_rows_up_to_the_limit_are_read(world, settings):
    settings.OFFICE_IMPORT_MAX_ROWS = 3

    assert len(read_ledger(xlsx(*[row(序号=n) for n in range(1, 4)])).rows) == 3


def plan(world, data: bytes):
    return services.findings_plan_file(actor=world.alice, inspection=world.inspection, data=data)


def test_merged_header_cells_are_read(world):
    wb = workbook(row())
    wb[importers.DATA_SHEET].merge_cells("E1:F1")

    assert plan(world, to_bytes(wb)).errors == []


def test_merged_finding_cells_in_data_rows_are_read_as_one_finding(world):
    """Excel users merge a finding's cells over its measure rows; only the top cell holds the value."""
    wb = workbook(row(), row(问题描述=None, 党组织=None, 整改措施="第二项"))
    wb[importers.DATA_SHEET].merge_cells("E3:E4")

    result = plan(world, to_bytes(wb))

    assert result.errors == []
    assert [len(f.measures) for f in result.findings] == [2]


def test_an_extra_sheet_is_left_aside(world):
    wb = workbook(row())
    wb.create_sheet("我的备注").append(["随手记的备注"])

    read = read_ledger(to_bytes(wb))

    assert read.table.sheet == importers.DATA_SHEET
    assert len(read.rows) == 1


def test_a_single_sheet_of_any_name_with_the_template_header_is_accepted(world):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(list(importers.HEADERS))
    wb.active.append([row().get(h) for h in importers.HEADERS])

    assert [r.number for r in read_ledger(to_bytes(wb)).rows] == [2]


def test_a_workbook_with_macros_is_refused(world):
    archive = zipfile.ZipFile(io.BytesIO(xlsx(row())))
    entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries["xl/vbaProject.bin"] = b"macro"

    assert refusal(zip_of(entries)) == "工作簿含有宏，请在 Excel 中另存为普通的 .xlsx 文件后再导入。"


def test_a_header_it_does_not_know_is_offered_for_mapping(world):
    wb = workbook(row())
    wb[importers.DATA_SHEET]["F1"] = "附注说明"

    read = read_ledger(to_bytes(wb))

    assert (6, "附注说明") in read.table.unrecognised


def test_columns_may_be_reordered(world):
    wb = openpyxl.Workbook()
    headers = list(reversed(importers.HEADERS))
    wb.active.append(headers)
    wb.active.append([row().get(h) for h in headers])

    assert plan(world, to_bytes(wb)).errors == []


def test_a_file_with_only_the_example_row_is_refused(world):
    with pytest.raises(ActionRefused, match="表格中没有可导入的数据行"):
        plan(world, xlsx())


def test_a_damaged_workbook_is_refused(world):
    archive = zipfile.ZipFile(io.BytesIO(xlsx(row())))
    entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries["xl/workbook.xml"] = b"<not xml"

    assert refusal(zip_of(entries)) == "无法读取该工作簿，文件可能已损坏。请用 Excel 打开确认后另存为 .xlsx 再导入。"


def test_the_template_has_drop_downs_instructions_and_an_example_row(world):
    wb = openpyxl.load_workbook(
        io.BytesIO(importers.build_template(categories=[world.category()], organizations=[world.a1]))
    )

    assert wb.sheetnames == [importers.DATA_SHEET, importers.HELP_SHEET, importers.LISTS_SHEET]
    ws = wb[importers.DATA_SHEET]
    assert [c.value for c in ws[1]] == list(importers.HEADERS)
    assert ws["A2"].value == importers.EXAMPLE_MARK
    assert ws.freeze_panes == "A2"
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C"] == "'下拉选项'!$A$2:$A$2"  # 问题类别
    assert lists["D"] == "'下拉选项'!$B$2:$B$4"  # 严重程度
    assert lists["I"] == "'下拉选项'!$C$2:$C$4"  # 整改类型
    assert wb[importers.LISTS_SHEET].sheet_state == "hidden"
    assert [c.value for c in wb[importers.LISTS_SHEET]["B"][1:4]] == ["一般", "较重", "严重"]
    help_text = "\n".join(str(c.value) for c in wb[importers.HELP_SHEET]["A"] if c.value)
    assert "各行填写相同的序号" in help_text
