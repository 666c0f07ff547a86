"""From an uploaded ledger's bytes to the planner's rows: the one reader, the table finder, the mapping.

``read_ledger`` opens the file with ``common.spreadsheets`` (every protection against hostile files), finds
the table with ``tables.find_ledger`` (sheet, header rows, titles and footers, merges filled down) and
applies the column mapping a person chose in the preview — or, for a file whose header has the shape of
one mapped before, the mapping remembered then (``LedgerMapping``). The import template is one ledger
among others: its example row is left out here.

The upload, the preview, the confirm request and the worker all read the same stored bytes, and opening a
workbook of 5,000 rows and finding its table is most of what each of them does. What the finder saw
depends on the bytes, the sheet and the columns mapped, nothing else; so it is kept in the shared cache
under those (the file by its SHA-256) and the workbook is opened only when it is not there. The mapping
remembered in the database is looked up every time.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from partyreview.common import generations
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
        if str(column).isascii() and str(column).isdigit() and (value is None or value in Field.values):
            chosen[int(column)] = Field(value) if value else None
    return chosen


# A change to the reader or the finder changes what they see in a file: a new number leaves older keeps
# unread. Kept as long as a preview may wait for its confirmation's first steps.
READER_VERSION = 1
KEPT_SECONDS = 60 * 60


@dataclass
class _Found:
    table: TableFound[Field]
    cell_errors: list[Issue]


class _Ledger:
    """An upload's bytes, opened as a workbook only when a table must be found afresh."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.digest = hashlib.sha256(data).hexdigest()
        self._book: Spreadsheet | None = None

    def found(self, sheet: str | None, overrides: Mapping[int, Field | None]) -> _Found:
        limit = settings.OFFICE_IMPORT_MAX_ROWS
        columns = sorted((n, f.value if f else None) for n, f in overrides.items())
        what = json.dumps([READER_VERSION, self.digest, limit, sheet, columns], ensure_ascii=True)
        key = f"intake:ledger:{hashlib.sha256(what.encode()).hexdigest()}"
        return generations.remembered(key, lambda: self._find(sheet, overrides), timeout=KEPT_SECONDS)

    def _find(self, sheet: str | None, overrides: Mapping[int, Field | None]) -> _Found:
        if self._book is None:
            self._book = read_spreadsheet(self.data, max_rows=settings.OFFICE_IMPORT_MAX_ROWS)
        table = find_ledger(self._book, sheet=sheet, overrides=overrides)
        return _Found(table=table, cell_errors=_cell_errors(self._book, table))


def read_ledger(data: bytes, *, choices: dict[str, Any] | None = None) -> LedgerRead:
    """The rows of an uploaded ledger. Refuses the whole file (``SpreadsheetRefused`` / ``ImportRefused``)
    only for what no mapping can mend: not a workbook, hostile, too large, no table in any sheet."""
    choices = choices or {}
    ledger = _Ledger(data)
    sheet = choices.get("sheet") or None
    overrides = overrides_from(choices)
    found = ledger.found(sheet, overrides)
    remembered = False
    if not overrides and found.table.signature:
        stored = LedgerMapping.objects.filter(signature=found.table.signature).first()
        if stored is not None:
            found = ledger.found(sheet, overrides_from({"columns": stored.columns}))
            remembered = True
    table = found.table
    if not table.header_rows:
        raise ImportRefused("；".join(table.problems) or "找不到表头。")
    read = LedgerRead(rows=[], table=table, remembered=remembered)
    header_row = table.header_rows[-1]
    for problem in table.problems:
        read.errors.append(Issue(header_row, "表头", problem))
    read.errors.extend(found.cell_errors)
    for row in table.rows:
        if cell_text(row.values.get(Field.SEQUENCE)) == EXAMPLE_MARK:
            continue  # the template's example row
        read.rows.append(row)
    if len(read.rows) > settings.OFFICE_IMPORT_MAX_ROWS:
        too_many_rows(settings.OFFICE_IMPORT_MAX_ROWS)
    return read


def _cell_errors(book: Spreadsheet, table: TableFound[Field]) -> list[Issue]:
    """Formulas and error values in the mapped columns: the importer takes what a person typed, never what
    a formula computed (a cached result may be stale, and a formula is how hostile content travels)."""
    errors: list[Issue] = []
    sheet = book.sheet(table.sheet)
    if sheet is None:
        return errors
    columns = {number: Field(f).label for f, number in table.mapping.items()}
    for row in table.rows:
        for number, label in columns.items():
            cell = sheet.cell(row.number, number)
            if cell is None:
                continue
            if cell.is_formula:
                errors.append(Issue(row.number, label, f"单元格 {cell.coordinate} 含有公式，请改为直接填写内容"))
            elif cell.error:
                errors.append(Issue(row.number, label, f"单元格 {cell.coordinate} 的值有误（{cell.value}）"))
    return errors
