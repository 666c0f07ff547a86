"""问题清单导入模板：the workbook offered for download, for offices that have no ledger of their own yet.

A ledger in any layout imports without it (``ledger.read_ledger`` finds the table); the template is one
such layout, with drop-downs, instructions and an example row that the import leaves out.
"""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from partyreview.common import xlsx
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category, Severity
from partyreview.organizations.models import Organization
from partyreview.rectifications.models import RectificationKind

DATA_SHEET = "问题清单"
HELP_SHEET = "填写说明"
LISTS_SHEET = "下拉选项"
EXAMPLE_MARK = "示例"


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    width: int
    # "finding" columns describe the problem and are read from the first row of a 序号;
    # "measure" columns describe one 整改措施 and are read from every row.
    level: str
    help: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "序号", True, 7, "key", "本次检查内的问题序号（正整数）。同一问题有多项整改措施时，每项措施占一行，序号相同。"
    ),
    Column("党组织", True, 18, "finding", "被检查党组织的名称或编码，须在本次检查范围和您的管理范围内。"),
    Column("问题类别", True, 24, "finding", "从下拉列表中选择。"),
    Column("严重程度", False, 9, "finding", "一般、较重或严重；不填按“一般”。"),
    Column("问题描述", True, 40, "finding", "问题的具体表现。"),
    Column("依据", False, 28, "finding", "违反的制度条款，可不填。"),
    Column("发现日期", True, 12, "finding", "日期，如 2026-03-31。"),
    Column("整改措施", True, 40, "measure", "一项具体的整改措施。"),
    Column("整改类型", False, 10, "measure", "立行立改、限期整改或长期坚持；不填按“限期整改”。"),
    Column("责任领导", False, 10, "measure", "用户名或姓名，可不填；须为该党组织或其上级党组织的成员。"),
    Column("责任人", True, 10, "measure", "用户名或姓名；须为该党组织或其下级党组织的成员。"),
    Column("整改时限", True, 12, "measure", "日期，不得早于发现日期。"),
)
HEADERS = tuple(c.header for c in COLUMNS)
FINDING_COLUMNS = tuple(c.header for c in COLUMNS if c.level == "finding")
SEVERITY_BY_LABEL = {label: value for value, label in Severity.choices}
KIND_BY_LABEL = {label: value for value, label in RectificationKind.choices}
DEFAULT_KIND_LABEL = RectificationKind.DEADLINE.label


class ImportRefused(ActionRefused):
    """The whole file is refused (not a workbook, encrypted, too large, wrong layout). Nothing is imported."""


# ---- the template -----------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
EXAMPLE_FONT = Font(italic=True, color="808080")
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"


def build_template(*, categories: Sequence[Category], organizations: Sequence[Organization]) -> bytes:
    """The import template: the data sheet with drop-downs and one example row, instructions, and a
    hidden sheet holding the drop-down lists (category names contain quotes and commas, which an
    inline list cannot carry)."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(xlsx.row(ws, HEADERS))
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"

    today = local_today()
    example = {
        "序号": EXAMPLE_MARK,
        "党组织": organizations[0].name if organizations else "某某党支部",
        "问题类别": categories[0].name if categories else "",
        "严重程度": "较重",
        "问题描述": "（示例行，导入时自动忽略）2025年第三季度未召开支部党员大会。",
        "依据": "《中国共产党支部工作条例（试行）》第十一条",
        "发现日期": today,
        "整改措施": "按季度制定“三会一课”计划并报党总支备案。",
        "整改类型": DEFAULT_KIND_LABEL,
        "责任领导": "",
        "责任人": "张三",
        "整改时限": today + datetime.timedelta(days=30),
    }
    ws.append(xlsx.row(ws, [example[h] for h in HEADERS]))
    for index, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=2, column=index)
        cell.font = EXAMPLE_FONT
        cell.alignment = WRAP
        if header in {"发现日期", "整改时限"}:
            cell.number_format = DATE_FORMAT

    help_sheet = wb.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 12
    help_sheet.column_dimensions["B"].width = 8
    help_sheet.column_dimensions["C"].width = 80
    for line in HELP_LINES:
        help_sheet.append(xlsx.row(help_sheet, [line]))
    help_sheet.append([])
    help_sheet.append(xlsx.row(help_sheet, ["列名", "必填", "填写要求"]))
    for column in COLUMNS:
        help_sheet.append(xlsx.row(help_sheet, [column.header, "是" if column.required else "否", column.help]))
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    lists.append(xlsx.row(lists, ["问题类别", "严重程度", "整改类型", "党组织", "党组织编码"]))
    columns = [
        [c.name for c in categories],
        list(SEVERITY_BY_LABEL),
        list(KIND_BY_LABEL),
        [o.name for o in organizations],
        [o.code for o in organizations],
    ]
    for row in range(max(len(c) for c in columns)):
        lists.append(xlsx.row(lists, [c[row] if row < len(c) else None for c in columns]))

    last = settings.OFFICE_IMPORT_MAX_ROWS + 1
    letter = {h: get_column_letter(i) for i, h in enumerate(HEADERS, start=1)}

    def choose_from(header: str, list_column: str, count: int, *, strict: bool) -> None:
        if not count:
            return
        dv = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${list_column}$2:${list_column}${count + 1}",
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle="输入有误",
            error=f"请从下拉列表中选择{header}。",
        )
        dv.add(f"{letter[header]}2:{letter[header]}{last}")
        ws.add_data_validation(dv)

    choose_from("问题类别", "A", len(categories), strict=True)
    choose_from("严重程度", "B", len(SEVERITY_BY_LABEL), strict=True)
    choose_from("整改类型", "C", len(KIND_BY_LABEL), strict=True)
    # Organisations may also be given by code, so their list only suggests.
    choose_from("党组织", "D", len(organizations), strict=False)
    for header in ("发现日期", "整改时限"):
        dv = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="DATE(2000,1,1)",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="日期有误",
            error="请填写日期，如 2026-03-31。",
        )
        dv.add(f"{letter[header]}2:{letter[header]}{last}")
        ws.add_data_validation(dv)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


HELP_LINES = (
    "问题清单导入模板填写说明",
    "1. 在“问题清单”工作表中每行填写一项整改措施；同一问题有多项措施时，各行填写相同的序号。",
    "   党组织、问题类别、严重程度、问题描述、依据、发现日期以该序号的第一行为准，其余行可留空。",
    "2. 序号为“示例”的行是填写示例，导入时自动忽略，可保留也可删除。",
    "3. 本次检查中已有的相同问题（同一党组织、相同问题描述）会被跳过，因此同一文件重复导入不会产生重复问题。",
    "4. 请勿使用公式；文件不得设置密码。",
    "5. 上传后系统先显示预览，逐行列出错误；全部无误后才能确认导入，且要么全部导入，要么都不导入。",
)


# ---- reading the file -------------------------------------------------------------------------------
