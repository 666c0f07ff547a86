"""整改台账 export (.xlsx): the standard columns of domain.md, written row by row with bounded memory.

openpyxl's write-only mode streams each row to a temporary file as it is appended, so memory stays flat
whatever the number of rows; the caller iterates the queryset in chunks (``.iterator()``).
"""

import math
from collections.abc import Iterable
from typing import IO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from partyreview.rectifications.models import Light, Rectification

REGISTER_SHEET = "整改台账"
# (header, width in characters). The first twelve are the register of domain.md; the light follows, then
# 责任部门 (a department a ledger named that is no party organisation: see intake's ledger import).
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
    ("责任部门", 14),
)
LIGHT_COLOURS = {Light.GREEN: "C6EFCE", Light.YELLOW: "FFEB9C", Light.RED: "FFC7CE"}
LIGHT_LABELS = dict(Light.choices)
DATE_FORMAT = "yyyy-mm-dd"
# A cell a spreadsheet would read as a formula (or as DDE in older ones). Written as text, never evaluated.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Named styles: a cell takes one by name, far cheaper per cell than assigning fonts and alignments (which
# openpyxl hashes each time), and people editing the file see them under Excel's cell styles.
HEADER, TEXT, WRAPPED, DATE = "台账表头", "台账文本", "台账换行", "台账日期"
LIGHT_STYLES = {light: f"台账{label}" for light, label in LIGHT_LABELS.items()}


def _add_styles(wb: Workbook) -> None:
    top = Alignment(vertical="top")
    for style in (
        NamedStyle(
            HEADER,
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="D9D9D9"),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(TEXT, alignment=top),
        NamedStyle(WRAPPED, alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle(DATE, alignment=top, number_format=DATE_FORMAT),
        *(
            NamedStyle(LIGHT_STYLES[light], alignment=top, fill=PatternFill("solid", fgColor=colour))
            for light, colour in LIGHT_COLOURS.items()
        ),
    ):
        wb.add_named_style(style)


def _cell(ws: Worksheet, value: object, style: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.style = style
    return cell


def _text_cell(ws: Worksheet, value: str | None, *, wrap: bool = False) -> WriteOnlyCell:
    text = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    cell = _cell(ws, text, WRAPPED if wrap else TEXT)
    if text.startswith(FORMULA_PREFIXES):
        # openpyxl took the leading "=" as a formula; store a plain string, and the quote prefix makes Excel
        # keep it as text even when someone edits the cell later.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


# Write-only sheets cannot autofit, and LibreOffice keeps a row's default height on opening, so wrapped
# text would hide behind one line. Estimate the lines instead.
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0


def _display_units(line: str) -> int:
    # A CJK character (three bytes in UTF-8) is about two units of column width, an ASCII one one unit;
    # counting bytes keeps this in C rather than a Python loop per character.
    return (len(line) + len(line.encode())) // 2


def _row_height(cells: Iterable[tuple[str, int]]) -> float | None:
    lines = 1
    for text, width in cells:
        usable = max(width - 1, 1)
        needed = sum(max(1, math.ceil(_display_units(line) / usable)) for line in text.split("\n"))
        lines = max(lines, needed)
    return min(LINE_HEIGHT * lines + 3, MAX_ROW_HEIGHT) if lines > 1 else None


def assignee_text(r: Rectification) -> str:
    """责任人 as a ledger reader needs it: a 待指派 measure names who holds it and whom the ledger named."""
    if r.named_assignee:
        return f"{r.assignee.display_name}（待指派，台账所列：{r.named_assignee}）"
    return r.assignee.display_name


def _status_text(r: Rectification) -> str:
    """状态, with how a closed measure met its deadline: 已销号（延期后按期完成）."""
    timeliness = r.timeliness
    return f"{r.get_status_display()}（{timeliness.label}）" if timeliness else r.get_status_display()


def write_register(rows: Iterable[Rectification], target: IO[bytes]) -> int:
    """Write the register to ``target`` (a binary file); returns the number of data rows.

    ``rows`` come from ``selectors.register_rows`` (``light`` and ``latest_progress`` annotated).
    """
    wb = Workbook(write_only=True)
    _add_styles(wb)
    ws = wb.create_sheet(REGISTER_SHEET)
    for index, (_header, width) in enumerate(REGISTER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    # Printed as a ledger is: landscape A4, every column on the page width, the header on every page.
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    ws.append([_cell(ws, title, HEADER) for title, _width in REGISTER_COLUMNS])

    count = 0
    for count, r in enumerate(rows, start=1):
        finding = r.finding
        closed_on = timezone.localtime(r.closed_at).date() if r.closed_at else None
        cells = [
            _cell(ws, count, TEXT),
            _text_cell(ws, finding.inspection.title, wrap=True),
            _text_cell(ws, finding.organization.name, wrap=True),
            _text_cell(ws, finding.category.name, wrap=True),
            _text_cell(ws, finding.description, wrap=True),
            _text_cell(ws, r.measure, wrap=True),
            _text_cell(ws, r.responsible_leader.display_name if r.responsible_leader else ""),
            _text_cell(ws, assignee_text(r)),
            _cell(ws, r.due_date, DATE),
            _text_cell(ws, r.latest_progress, wrap=True),
            _text_cell(ws, _status_text(r)),
            _cell(ws, closed_on, DATE),
            _cell(ws, LIGHT_LABELS.get(r.light, ""), LIGHT_STYLES.get(r.light, LIGHT_STYLES[Light.GREEN])),
            _text_cell(ws, r.department, wrap=True),
        ]
        height = _row_height(
            (cell.value, REGISTER_COLUMNS[index][1]) for index, cell in enumerate(cells) if cell.style == WRAPPED
        )
        if height:
            # Set just before the row is written and dropped after, so the dimensions never pile up.
            ws.row_dimensions[count + 1].height = height
        ws.append(cells)
        ws.row_dimensions.pop(count + 1, None)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(REGISTER_COLUMNS))}{count + 1}"
    wb.save(target)
    return count
