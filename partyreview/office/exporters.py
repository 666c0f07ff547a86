"""整改台账 export (.xlsx): the standard columns of domain.md, written row by row with bounded memory.

Written with XlsxWriter in its constant-memory mode: each row goes to a temporary file as soon as the next
one starts, so memory stays flat whatever the number of rows, and it writes about twice as fast as
openpyxl's write-only mode with the same formats (docs/performance.md has the profile and the numbers).
Rows arrive as plain tuples (``selectors.register_values``), not model instances: building five related
objects per row cost more than writing the row. Every text goes through ``common.xlsx``, so nothing a
user typed becomes a formula.
"""

import math
from collections.abc import Iterable
from typing import IO, NamedTuple

import xlsxwriter

from partyreview.common.xlsx import SafeSheet
from partyreview.rectifications.models import Light, Rectification

REGISTER_SHEET = "整改台账"
# (header, width in characters). The first twelve are the register of domain.md; the light follows.
REGISTER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("检查名称", 22),
    ("党组织", 16),
    ("问题类别", 18),
    ("问题描述", 40),
    ("整改措施", 40),
    ("责任领导", 10),
    ("责任人", 10),
    ("整改时限", 12),
    ("整改进展", 40),
    ("状态", 9),
    ("销号日期", 12),
    ("红黄绿灯", 9),
    # A department a ledger named that is not a party organisation (imported ledgers, docs/decisions/ledger-import.md).
    ("责任部门", 14),
)
# Columns whose text wraps (and so sets the row's height): 检查名称, 党组织, 问题类别, 问题描述, 整改措施, 整改进展,
# 责任部门.
WRAPPED_COLUMNS = frozenset({1, 2, 3, 4, 5, 9, 13})
LIGHT_COLOURS = {Light.GREEN: "#C6EFCE", Light.YELLOW: "#FFEB9C", Light.RED: "#FFC7CE"}
LIGHT_LABELS = dict(Light.choices)
DATE_FORMAT = "yyyy-mm-dd"
A4 = 9  # XlsxWriter's paper code


class RegisterRow(NamedTuple):
    """One measure as the register shows it: text already resolved, dates as dates."""

    inspection: str
    organization: str
    category: str
    description: str
    measure: str
    leader: str
    assignee: str
    due_date: object  # datetime.date
    progress: str | None
    status: str  # with how a closed measure met its deadline: 已销号（延期后按期完成）
    closed_on: object  # datetime.date | None
    light: int
    department: str
    overdue: bool  # open past its deadline (``overdue_q``): the printed register marks it 已逾期


def assignee_text(r: Rectification) -> str:
    """责任人 as a ledger reader needs it: a 待指派 measure names who holds it and whom the ledger named."""
    return assignee_label(r.assignee.display_name, r.named_assignee)


def assignee_label(name: str, named: str) -> str:
    return f"{name}（待指派，台账所列：{named}）" if named else name


# Write-only sheets cannot autofit, and LibreOffice keeps a row's default height on opening, so wrapped
# text would hide behind one line. Estimate the lines instead.
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0


def _display_units(line: str) -> int:
    # A CJK character (three bytes in UTF-8) is about two units of column width, an ASCII one one unit;
    # counting bytes keeps this in C rather than a Python loop per character.
    return (len(line) + len(line.encode())) // 2


def _row_height(texts: Iterable[str], usable_widths: Iterable[int]) -> float | None:
    """The height that shows every line of the row's wrapped cells, or None for one line."""
    lines = 1
    for text, usable in zip(texts, usable_widths, strict=True):
        if "\n" in text:
            needed = sum(max(1, math.ceil(_display_units(line) / usable)) for line in text.split("\n"))
        elif len(text) * 2 <= usable:
            continue  # even all CJK it fits on one line: the common short cell needs no counting
        else:
            needed = math.ceil(_display_units(text) / usable)
        lines = max(lines, needed)
    return min(LINE_HEIGHT * lines + 3, MAX_ROW_HEIGHT) if lines > 1 else None


def write_register(rows: Iterable[RegisterRow], target: IO[bytes]) -> int:
    """Write the register to ``target`` (a binary file); returns the number of data rows."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    ws = book.add_worksheet(REGISTER_SHEET)
    sheet = SafeSheet(book, ws)
    top = {"valign": "top"}
    header = sheet.add_format(
        {"bold": True, "bg_color": "#D9D9D9", "pattern": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    text = sheet.add_format(top)
    wrapped = sheet.add_format({**top, "text_wrap": True})
    date = sheet.add_format({**top, "num_format": DATE_FORMAT})
    lights = {
        light: sheet.add_format({**top, "bg_color": colour, "pattern": 1}) for light, colour in LIGHT_COLOURS.items()
    }
    widths = [width for _title, width in REGISTER_COLUMNS]
    usable = [max(widths[index] - 1, 1) for index in sorted(WRAPPED_COLUMNS)]
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
    ws.freeze_panes(1, 0)
    # Printed as a ledger is: landscape A4, every column on the page width, the header on every page.
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)

    for index, (title, _width) in enumerate(REGISTER_COLUMNS):
        sheet.write_text(0, index, title, header)

    count = 0
    for count, r in enumerate(rows, start=1):
        texts = (r.inspection, r.organization, r.category, r.description, r.measure, r.progress or "", r.department)
        height = _row_height(texts, usable)
        if height:
            # Before the row's first cell: in constant-memory mode a row is final once the next begins.
            ws.set_row(count, height)
        sheet.write_number(count, 0, count, text)
        sheet.write_text(count, 1, texts[0], wrapped)
        sheet.write_text(count, 2, texts[1], wrapped)
        sheet.write_text(count, 3, texts[2], wrapped)
        sheet.write_text(count, 4, texts[3], wrapped)
        sheet.write_text(count, 5, texts[4], wrapped)
        sheet.write_text(count, 6, r.leader, text)
        sheet.write_text(count, 7, r.assignee, text)
        sheet.write_date(count, 8, r.due_date, date)
        sheet.write_text(count, 9, texts[5], wrapped)
        sheet.write_text(count, 10, r.status, text)
        sheet.write_date(count, 11, r.closed_on, date)
        sheet.write_text(count, 12, LIGHT_LABELS.get(r.light, ""), lights.get(r.light, lights[Light.GREEN]))
        sheet.write_text(count, 13, texts[6], wrapped)
    ws.autofilter(0, 0, count, len(REGISTER_COLUMNS) - 1)
    book.close()
    return count
