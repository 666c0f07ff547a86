"""Whole files the importer refuses, each with a clear Chinese message, before anything is stored."""

import io
import zipfile

import openpyxl
import pytest

from partyreview.common.errors import ActionRefused
from partyreview.common.spreadsheets import OLE_MAGIC
from partyreview.office import importers
from tests.office.workbooks import row, to_bytes, workbook, xlsx


def refusal(data: bytes) -> str:
    with pytest.raises(ActionRefused) as refused:
        importers.read_workbook(io.BytesIO(data))
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


def test_an_old_xls_file_is_refused(world):
    assert (
        refusal(ole_file("Root Entry", "Workbook"))
        == "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 文件后再导入。"
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

    assert len(importers.read_workbook(io.BytesIO(xlsx(*[row(序号=n) for n in range(1, 4)])))) == 3


def test_merged_header_cells_are_refused(world):
    wb = workbook(row())
    wb[importers.DATA_SHEET].merge_cells("E1:F1")

    assert refusal(to_bytes(wb)) == "表头含有合并单元格（E1:F1），请取消合并后再导入。"


def test_merged_finding_cells_in_data_rows_are_read_as_one_finding(world):
    """Excel users merge a finding's cells over its measure rows; only the top cell holds the value."""
    wb = workbook(row(), row(问题描述=None, 党组织=None, 整改措施="第二项"))
    wb[importers.DATA_SHEET].merge_cells("E3:E4")

    rows = importers.read_workbook(io.BytesIO(to_bytes(wb)))
    plan = importers.plan_import(actor=world.alice, inspection=world.inspection, rows=rows)

    assert plan.errors == []
    assert [len(f.measures) for f in plan.findings] == [2]


def test_an_extra_sheet_is_refused(world):
    wb = workbook(row())
    wb.create_sheet("我的备注")

    assert refusal(to_bytes(wb)) == "工作簿含有模板以外的工作表“我的备注”，请删除后再导入。"


def test_a_single_sheet_of_any_name_with_the_template_header_is_accepted(world):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(list(importers.HEADERS))
    wb.active.append([row().get(h) for h in importers.HEADERS])

    assert [r.number for r in importers.read_workbook(io.BytesIO(to_bytes(wb)))] == [2]


def test_a_workbook_with_macros_is_refused(world):
    archive = zipfile.ZipFile(io.BytesIO(xlsx(row())))
    entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries["xl/vbaProject.bin"] = b"macro"

    assert refusal(zip_of(entries)) == "工作簿含有宏，请在 Excel 中另存为普通的 .xlsx 文件后再导入。"


def test_a_changed_header_is_refused(world):
    wb = workbook(row())
    wb[importers.DATA_SHEET]["E1"] = "问题"

    assert refusal(to_bytes(wb)) == "表头第E列“问题”不是模板中的列，请使用模板中的表头。"


def test_a_missing_column_is_refused(world):
    wb = workbook(row())
    wb[importers.DATA_SHEET]["F1"] = None

    assert refusal(to_bytes(wb)) == "表头缺少“依据”列，请使用模板中的表头。"


def test_columns_may_be_reordered(world):
    wb = openpyxl.Workbook()
    headers = list(reversed(importers.HEADERS))
    wb.active.append(headers)
    wb.active.append([row().get(h) for h in headers])

    rows = importers.read_workbook(io.BytesIO(to_bytes(wb)))

    assert importers.plan_import(actor=world.alice, inspection=world.inspection, rows=rows).errors == []


def test_a_formula_in_the_header_is_refused(world):
    wb = workbook(row())
    wb[importers.DATA_SHEET]["A1"] = '="序号"'

    assert refusal(to_bytes(wb)) == "表头单元格 A1 含有公式，请使用模板中的表头。"


def test_a_file_with_only_the_example_row_is_refused(world):
    assert refusal(xlsx()) == "文件中没有可导入的数据行（示例行会被忽略）。"


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
