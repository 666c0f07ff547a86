"""The one safe cell writer: text a spreadsheet would evaluate is written as quote-prefixed text, in both
writers the app uses (openpyxl for small workbooks, XlsxWriter for the register)."""

import datetime
import io

import openpyxl
import pytest
import xlsxwriter
from openpyxl import Workbook

from partyreview.common import xlsx
from tests.hostile_cells import HOSTILE, formulas_in


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_trigger_is_recognised(text):
    assert xlsx.looks_like_formula(text)


@pytest.mark.parametrize("text", ["支部未按期召开党员大会", "2026年巡察", "a=b", "(+1)", "整改-完成", ""])
def test_ordinary_text_is_left_alone(text):
    assert not xlsx.looks_like_formula(text)


def _openpyxl_bytes(values: list) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(xlsx.row(sheet, values))
    xlsx.put(sheet, row=2, column=1, value=values[0])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_openpyxl_cells_keep_hostile_text_as_quote_prefixed_text():
    data = _openpyxl_bytes([*HOSTILE, 7, datetime.date(2026, 3, 31), None])

    assert formulas_in(data) == []
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    first = [cell for cell in sheet[1]]
    assert [c.value for c in first[: len(HOSTILE)]] == list(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in first[: len(HOSTILE)])
    assert first[len(HOSTILE)].value == 7
    assert first[len(HOSTILE) + 1].is_date
    assert sheet["A2"].value == HOSTILE[0] and sheet["A2"].quotePrefix


def test_openpyxl_cells_drop_characters_a_workbook_cannot_hold():
    data = _openpyxl_bytes(["换行\x0b和\x01控制字符"])

    assert openpyxl.load_workbook(io.BytesIO(data)).active["A1"].value == "换行和控制字符"


def test_xlsxwriter_sheet_keeps_hostile_text_as_quote_prefixed_text():
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = xlsx.SafeSheet(book, book.add_worksheet("表"))
    fmt = sheet.add_format({"text_wrap": True})
    for column, text in enumerate(HOSTILE):
        sheet.write_text(0, column, text, fmt)
    sheet.write_value(1, 0, "普通文字", fmt)
    sheet.write_value(1, 1, 3, fmt)
    sheet.write_value(1, 2, datetime.date(2026, 3, 31), sheet.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_value(1, 3, "\x01", fmt)
    book.close()
    data = out.getvalue()

    assert formulas_in(data) == []
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows())
    # XlsxWriter stores a carriage return as Excel does, escaped (_x000D_), which openpyxl leaves as it is.
    assert [c.value.replace("_x000D_", "\r") for c in rows[0]] == list(HOSTILE)
    assert all(c.quotePrefix for c in rows[0])
    assert [rows[1][0].value, rows[1][0].quotePrefix, rows[1][1].value] == ["普通文字", False, 3]
    assert rows[1][2].is_date and rows[1][3].value is None
