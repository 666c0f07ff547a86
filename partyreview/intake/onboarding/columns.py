"""What the two imports say about the columns they found (the table itself is found by
``intake.tables.find_table``, the same finder as the problem lists')."""

from typing import Any

from openpyxl.utils.cell import get_column_letter

from partyreview.intake.columns import Vocabulary
from partyreview.intake.tables import TableFound


def describe(table: TableFound[Any], vocabulary: Vocabulary[Any]) -> list[str]:
    """Column messages for the preview: where the header is, what each column was taken for, what is left."""
    rows = "、".join(str(n) for n in table.header_rows)
    found = "、".join(
        f"{get_column_letter(c.column)}列“{c.header}”→{vocabulary.label(c.field)}" for c in table.columns if c.field
    )
    notes = [f"工作表“{table.sheet}”第{rows}行为表头；{found}。"]
    if table.unrecognised:
        listed = "、".join(f"{get_column_letter(c)}列“{h}”" for c, h in table.unrecognised)
        notes.append(f"以下列未识别，不导入：{listed}。")
    return notes
