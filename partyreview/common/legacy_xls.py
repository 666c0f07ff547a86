"""旧版 Excel（.xls）：the workbooks offices still keep in Excel 97–2003's format, read into the same
``Spreadsheet`` the .xlsx reader gives (``spreadsheets.py``), so every import takes them alike.

Committees' ledgers of earlier rounds, and what WPS saves by default on many intranet desktops, are .xls;
asking a secretary to re-save each one as .xlsx is the first hour's flaw this module removes. The format is
read by xlrd (well kept, pure Python, .xls only since 2.0), with the same bounds as the .xlsx reader: the
file's size is checked before (5 MB), then the rows (``max_rows`` + ``ROW_ALLOWANCE`` non-blank rows), the
columns in use (``MAX_COLUMNS``), the cells covered by merges (``MAX_MERGED_CELLS``), and a sheet ends after
``MAX_BLANK_ROWS`` blank rows. An .xls holds at most 65,536 rows by 256 columns, and xlrd reads it whole in
memory: at 5 MB that is bounded.

What differs from .xlsx: an .xls stores a formula's result but xlrd does not give its text, so a formula
cell reads as its value (``formula`` is empty); an error cell (#N/A) is an error as in .xlsx. Refused, each
with the .xlsx reader's message: an encrypted file (password to open), a file with a VBA project (macros),
an OLE file that is no workbook (a .doc), and anything xlrd cannot parse.
"""

import datetime
import os

import xlrd
from openpyxl.utils.cell import get_column_letter

from partyreview.common import spreadsheets as sheets
from partyreview.common.spreadsheets import Cell, CellValue, MergedRange, Row, Sheet, Spreadsheet, SpreadsheetRefused

# Directory entry names of an OLE compound file, as stored (UTF-16LE).
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_MACRO_STREAMS = ("_VBA_PROJECT_CUR".encode("utf-16-le"), "_VBA_PROJECT".encode("utf-16-le"))


def check_xls(data: bytes) -> None:
    """The container checks of an OLE file offered as a workbook (the bytes start with ``OLE_MAGIC``)."""
    if sheets.ENCRYPTION_STREAM in data:
        raise SpreadsheetRefused(sheets.ENCRYPTED)  # an .xlsx with a password is an OLE file too
    if not any(stream in data for stream in _WORKBOOK_STREAMS):
        raise SpreadsheetRefused(sheets.NOT_XLSX)  # a .doc, a .ppt, an .msg …
    if any(stream in data for stream in _MACRO_STREAMS):
        raise SpreadsheetRefused(sheets.MACROS)


def read_xls(data: bytes, *, limit: int) -> Spreadsheet:
    """Every worksheet of an .xls, or SpreadsheetRefused. ``limit`` is the caller's data-row limit."""
    check_xls(data)
    try:
        with open(os.devnull, "w") as quiet:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=quiet)
            try:
                read = [_sheet(book, index, limit) for index in range(book.nsheets)]
            finally:
                book.release_resources()
    except SpreadsheetRefused:
        raise
    except xlrd.XLRDError as error:
        if "encrypted" in str(error).lower():
            raise SpreadsheetRefused(sheets.ENCRYPTED) from None
        raise SpreadsheetRefused(sheets.UNREADABLE) from None
    except Exception:  # a damaged file provokes many kinds; all mean the same to the user
        raise SpreadsheetRefused(sheets.UNREADABLE) from None
    if not read:
        raise SpreadsheetRefused(sheets.UNREADABLE)
    return Spreadsheet(sheets=read, size=len(data))


def _sheet(book: "xlrd.Book", index: int, limit: int) -> Sheet:
    source = book.sheet_by_index(index)  # xlrd lists worksheets only: chart sheets hold no cells
    name = source.name or f"Sheet{index + 1}"
    rows: list[Row] = []
    truncated = False
    last_row = 0
    ceiling = limit + sheets.ROW_ALLOWANCE
    for r in range(source.nrows):
        number = r + 1
        cells = {}
        for c, (kind, raw) in enumerate(zip(source.row_types(r), source.row_values(r), strict=False)):
            cell = _cell(kind, raw, number, c + 1, book.datemode)
            if cell is not None:
                if cell.column > sheets.MAX_COLUMNS:
                    raise SpreadsheetRefused(
                        sheets.TOO_MANY_COLUMNS.format(sheet=name, row=number, limit=sheets.MAX_COLUMNS)
                    )
                cells[cell.column] = cell
        if not cells:
            continue
        if number - last_row - 1 > sheets.MAX_BLANK_ROWS and rows:
            truncated = True
            break
        last_row = number
        rows.append(Row(number=number, cells=cells))
        if len(rows) > ceiling:
            sheets.too_many_rows(limit)
    merged = [
        # xlrd's ranges are 0-based and end-exclusive.
        MergedRange(_ref(rlo, rhi, clo, chi), rlo + 1, clo + 1, rhi, chi)
        for rlo, rhi, clo, chi in source.merged_cells
        if rhi > rlo and chi > clo
    ]
    hidden = getattr(source, "visibility", 0) != 0
    return Sheet(name=name, index=index, hidden=hidden, rows=rows, merged=merged, truncated=truncated)


def _ref(rlo: int, rhi: int, clo: int, chi: int) -> str:
    return f"{get_column_letter(clo + 1)}{rlo + 1}:{get_column_letter(chi)}{rhi}"


def _cell(kind: int, raw: object, row: int, column: int, datemode: int) -> Cell | None:
    value: CellValue
    error = False
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_TEXT:
        value = str(raw)
        if not value.strip():
            return None
    elif kind == xlrd.XL_CELL_NUMBER:
        value = int(raw) if float(raw).is_integer() and abs(raw) < 2**53 else float(raw)
    elif kind == xlrd.XL_CELL_DATE:
        value = _date(float(raw), datemode)
    elif kind == xlrd.XL_CELL_BOOLEAN:
        value = bool(raw)
    elif kind == xlrd.XL_CELL_ERROR:
        value, error = xlrd.error_text_from_code.get(raw, "#N/A"), True
    else:
        return None
    return Cell(value=value, row=row, column=column, error=error)


def _date(raw: float, datemode: int) -> CellValue:
    """A date-formatted number as the .xlsx reader gives it: a date at midnight, a time under a day."""
    try:
        moment = xlrd.xldate.xldate_as_datetime(raw, datemode)
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return int(raw) if raw.is_integer() else raw
    if raw < 1:
        return moment.time()
    if moment.time() == datetime.time():
        return moment.date()
    return moment
