"""Names a hostile user gives things so that a spreadsheet would run them, and a check that a written
.xlsx holds not one formula: every writer's test uses both (partyreview/common/xlsx.py)."""

import io
import re
import zipfile

HOSTILE = (
    '=HYPERLINK("http://evil.example/","点此查看")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    '＝HYPERLINK("http://evil.example/")',
    "＋1",
    "－1",
    "＠SUM(A1)",
)
# A formula in the sheet XML is an <f> element; a quote-prefixed text cell's style has quotePrefix="1".
FORMULA = re.compile(rb"<f[ >/]")


def formulas_in(data: bytes) -> list[str]:
    """The worksheets of the .xlsx ``data`` that hold a formula (none, for a safe file)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and FORMULA.search(archive.read(name))
        ]


def texts_in(data: bytes) -> set[str]:
    """Every string value of every sheet, as openpyxl reads them back."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = (cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    return {cell.value for cell in cells if isinstance(cell.value, str)}
