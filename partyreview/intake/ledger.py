"""From an uploaded file's bytes to the planner's rows: the seam between the readers and the plan.

Today a workbook in the import template's layout is read by ``importers.read_workbook`` and its headers
mapped onto ``Field``; ledgers in other layouts come in through the table finder and column mapping.
"""

import io
from dataclasses import dataclass, field
from typing import Any

from partyreview.intake import importers
from partyreview.intake.fields import Field, SourceRow
from partyreview.intake.plan import Issue

TEMPLATE_FIELDS: dict[str, Field] = {
    "序号": Field.SEQUENCE,
    "党组织": Field.ORGANIZATION,
    "问题类别": Field.CATEGORY,
    "严重程度": Field.SEVERITY,
    "问题描述": Field.DESCRIPTION,
    "依据": Field.BASIS,
    "发现日期": Field.FOUND_ON,
    "整改措施": Field.MEASURE,
    "整改类型": Field.KIND,
    "责任领导": Field.LEADER,
    "责任人": Field.ASSIGNEE,
    "整改时限": Field.DUE_DATE,
}


@dataclass
class LedgerRead:
    """A ledger's rows, and what is wrong in its cells that no reading can mend (formulas, error values)."""

    rows: list[SourceRow]
    errors: list[Issue] = field(default_factory=list)


def read_ledger(data: bytes, *, choices: dict[str, Any] | None = None) -> LedgerRead:
    """The rows of an uploaded ledger. Refuses the whole file (``ImportRefused``) only for what no
    mapping can mend: not a workbook, hostile, too large, no table."""
    sheet_rows = importers.read_workbook(io.BytesIO(data))
    read = LedgerRead(rows=[])
    for row in sheet_rows:
        values = {}
        for header, cell in row.cells.items():
            if cell.data_type == "f":
                read.errors.append(Issue(row.number, header, f"单元格 {cell.coordinate} 含有公式，请改为直接填写内容"))
            elif cell.data_type == "e":
                read.errors.append(Issue(row.number, header, f"单元格 {cell.coordinate} 的值有误（{cell.value}）"))
            elif header in TEMPLATE_FIELDS:
                values[TEMPLATE_FIELDS[header]] = cell.value
        read.rows.append(SourceRow(number=row.number, values=values))
    return read
