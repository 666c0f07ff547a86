"""Every .xlsx the app writes puts its cells through this module, so nothing a user typed becomes a formula.

A spreadsheet reads a cell that starts with ``= + - @`` (older ones also after a tab or a carriage return)
as a formula: an inspection titled ``=HYPERLINK("http://…","点此")`` would be a live link in the ledger
staff mail upward, and ``=cmd|…`` a DDE call in old Excel. Full-width ``＝＋－＠`` are text to Excel, but
WPS and some input methods turn them into their half-width forms when a cell is edited, so they are
guarded the same way. Such text is stored as a plain string with the quote prefix (the apostrophe Excel
shows in the edit bar), so it stays text even when someone edits the cell later. Characters XML cannot
carry (control characters pasted from other systems) are dropped rather than breaking the file.

Two writers use it:

- openpyxl for the small workbooks (import templates, the dashboard summary): build each cell with
  ``cell(ws, value)`` or a whole row with ``row(ws, values)`` and ``ws.append`` it;
- XlsxWriter for the register, the one workbook large enough for speed to matter (docs/performance.md):
  ``SafeSheet`` wraps a worksheet and writes text only through ``write_text``.

tests/common/test_xlsx.py and one test per writer (hostile names in every text column) hold this.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet may start to evaluate, half- and full-width.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def clean_text(value: str) -> str:
    """``value`` without the characters an .xlsx cannot hold."""
    # isprintable() is a quick C test that passes most text untouched (CJK included); only text with a
    # control character (a newline, say) pays for the expression.
    return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


# ---- openpyxl ----------------------------------------------------------------------------------------


def cell(ws: Worksheet, value: Any, *, style: str | None = None) -> Cell:
    """A cell for ``ws.append``: text always as text, numbers and dates as themselves."""
    if isinstance(value, str):
        value = clean_text(value)
    made = Cell(ws, value=value)
    if style:
        made.style = style
    if isinstance(value, str) and looks_like_formula(value):
        # openpyxl took the leading "=" as a formula; store a plain string, quote-prefixed.
        made.data_type = "s"
        made.quotePrefix = True
    return made


def row(ws: Worksheet, values: Iterable[Any]) -> list[Cell]:
    """One row of safe cells, for ``ws.append(row(ws, [...]))``."""
    return [cell(ws, value) for value in values]


def put(ws: Worksheet, *, row: int, column: int, value: Any) -> Cell:
    """Set one cell of a normal sheet in place, as safely as ``cell``."""
    target = ws.cell(row=row, column=column)
    if isinstance(value, str):
        value = clean_text(value)
    target.value = value
    if isinstance(value, str) and looks_like_formula(value):
        target.data_type = "s"
        target.quotePrefix = True
    return target


# ---- XlsxWriter --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """An XlsxWriter format and its quote-prefixed twin, for text that must not be evaluated."""

    plain: Any
    quoted: Any


class SafeSheet:
    """An XlsxWriter worksheet whose text cells are always strings (``write_string``), never formulas.

    XlsxWriter's generic ``write`` turns a string starting with "=" into a formula; nothing here calls it.
    """

    def __init__(self, book: Any, worksheet: Any) -> None:
        self.book = book
        self.worksheet = worksheet

    def add_format(self, properties: dict[str, Any]) -> Format:
        return Format(
            plain=self.book.add_format(properties), quoted=self.book.add_format({**properties, "quote_prefix": True})
        )

    def write_text(self, row: int, column: int, value: str | None, fmt: Format) -> str:
        """Write ``value`` as text; returns the text written (cleaned)."""
        text = clean_text(value) if value else ""
        if not text:
            return text  # an empty cell is left unwritten, as a spreadsheet would keep it
        self.worksheet.write_string(row, column, text, fmt.quoted if looks_like_formula(text) else fmt.plain)
        return text

    def write_number(self, row: int, column: int, value: int | float | None, fmt: Format) -> None:
        if value is not None:
            self.worksheet.write_number(row, column, value, fmt.plain)

    def write_date(self, row: int, column: int, value: datetime.date | None, fmt: Format) -> None:
        if value is not None:
            self.worksheet.write_datetime(row, column, value, fmt.plain)

    def write_value(self, row: int, column: int, value: Any, fmt: Format) -> None:
        """Any cell value, each type through its own writer."""
        if isinstance(value, str) or value is None:
            self.write_text(row, column, value, fmt)
        elif isinstance(value, datetime.date):
            self.write_date(row, column, value, fmt)
        else:
            self.write_number(row, column, value, fmt)
