"""From an uploaded ledger's bytes to the planner's rows: the one reader, the table finder, the mapping.

``read_ledger`` opens the file with ``common.spreadsheets`` (every protection against hostile files), finds
the table with ``tables.find_ledger`` (sheet, header rows, titles and footers, merges filled down) and
applies the column mapping a person chose in the preview — or, for a file whose header has the shape of
one mapped before, the mapping remembered then (``LedgerMapping``). The import template is one ledger
among others: its example row is left out here.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from partyreview.common.spreadsheets import Spreadsheet, read_spreadsheet, too_many_rows
from partyreview.intake.fields import Field, SourceRow
from partyreview.intake.importers import EXAMPLE_MARK, ImportRefused
from partyreview.intake.models import LedgerMapping
from partyreview.intake.plan import Issue
from partyreview.intake.readings import cell_text
from partyreview.intake.tables import TableFound, find_ledger


@dataclass
class LedgerRead:
    """A ledger's rows; what the finder saw (for the mapping step); what no reading can mend in its cells
    (formulas, error values) and in its header (two columns claiming one field)."""

    rows: list[SourceRow]
    table: TableFound[Field]
    errors: list[Issue] = field(default_factory=list)
    remembered: bool = False


def overrides_from(choices: dict[str, Any]) -> dict[int, Field | None]:
    """The columns a person mapped or ignored in the preview, as the finder takes them."""
    chosen = {}
    for column, value in (choices.get("columns") or {}).items():
        if str(column).isdigit() and (value is None or value in Field.values):
            chosen[int(column)] = Field(value) if value else None
    return chosen


def read_ledger(data: bytes, *, choices: dict[str, Any] | None = None) -> LedgerRead:
    """The rows of an uploaded ledger. Refuses the whole file (``SpreadsheetRefused`` / ``ImportRefused``)
    only for what no mapping can mend: not a workbook, hostile, too large, no table in any sheet."""
    choices = choices or {}
    book = read_spreadsheet(data, max_rows=settings.OFFICE_IMPORT_MAX_ROWS)
    sheet = choices.get("sheet") or None
    overrides = overrides_from(choices)
    table = find_ledger(book, sheet=sheet, overrides=overrides)
    remembered = False
    if not overrides and table.signature:
        stored = LedgerMapping.objects.filter(signature=table.signature).first()
        if stored is not None:
            table = find_ledger(book, sheet=sheet, overrides=overrides_from({"columns": stored.columns}))
            remembered = True
    if not table.header_rows:
        raise ImportRefused("；".join(table.problems) or "找不到表头。")
    read = LedgerRead(rows=[], table=table, remembered=remembered)
    header_row = table.header_rows[-1]
    for problem in table.problems:
        read.errors.append(Issue(header_row, "表头", problem))
    _cell_errors(book, table, read)
    for row in table.rows:
        if cell_text(row.values.get(Field.SEQUENCE)) == EXAMPLE_MARK:
            continue  # the template's example row
        read.rows.append(row)
    if len(read.rows) > settings.OFFICE_IMPORT_MAX_ROWS:
        too_many_rows(settings.OFFICE_IMPORT_MAX_ROWS)
    return read


def _cell_errors(book: Spreadsheet, table: TableFound[Field], read: LedgerRead) -> None:
    """Formulas and error values in the mapped columns: the importer takes what a person typed, never what
    a formula computed (a cached result may be stale, and a formula is how hostile content travels)."""
    sheet = book.sheet(table.sheet)
    if sheet is None:
        return
    columns = {number: Field(f).label for f, number in table.mapping.items()}
    for row in table.rows:
        for number, label in columns.items():
            cell = sheet.cell(row.number, number)
            if cell is None:
                continue
            if cell.is_formula:
                read.errors.append(Issue(row.number, label, f"单元格 {cell.coordinate} 含有公式，请改为直接填写内容"))
            elif cell.error:
                read.errors.append(Issue(row.number, label, f"单元格 {cell.coordinate} 的值有误（{cell.value}）"))
