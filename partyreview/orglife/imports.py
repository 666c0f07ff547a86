"""党员名册和党费台账的 Excel 模板与读取。

Nothing here writes to the database: ``read_sheet`` turns an uploaded .xlsx into rows keyed by header
through the one spreadsheet reader (``common.spreadsheets``), or refuses the whole file with a Chinese
message; services.py validates the rows against the branch and
saves them all or none.
"""

import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from partyreview.common import xlsx
from partyreview.common.errors import ActionRefused
from partyreview.common.spreadsheets import cell_date, cell_text, read_spreadsheet, too_many_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MEMBER_COLUMNS = ("姓名", "类别", "入党日期", "状态", "党费起算月份", "免交党费", "备注")
MEMBER_REQUIRED = ("姓名", "入党日期")
MEMBER_EXAMPLE = ("张三", "正式党员", "2015-07-01", "在支部", "", "否", "")
DUES_COLUMNS = ("姓名", "起始月份", "截止月份", "金额", "交纳日期")
DUES_REQUIRED = ("姓名", "起始月份", "金额", "交纳日期")
DUES_EXAMPLE = ("张三", "2026-01", "2026-03", "60.00", "2026-01-10")
HELP = {
    "members": [
        "每行一名党员；姓名在本支部内不能重复，已在名册中的按姓名更新。",
        "类别：正式党员或预备党员，不填按正式党员。",
        "入党日期：预备党员填支部大会接收为预备党员的日期。",
        "状态：在支部、已转出、离退休或流动党员，不填按在支部。",
        "党费起算月份：从该月起按月交纳党费，如 2026-01；不填时按入党当月与今年1月中较晚的一个。",
        "免交党费：经批准免交的填“是”。",
    ],
    "dues": [
        "每行一次交纳；几个月一起交的，填起始月份和截止月份，金额为这几个月的合计。",
        "提前交纳以后月份的，同样按所属月份填写。",
        "月份如 2026-01；日期如 2026-01-10。已登记的月份会跳过，不会重复记录。",
    ],
}

MONTH_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class Row:
    number: int  # the row number as Excel shows it
    values: dict[str, Any]


def template_workbook(kind: str) -> bytes:
    """An empty import template with one example row and a help sheet."""
    columns, example = (MEMBER_COLUMNS, MEMBER_EXAMPLE) if kind == "members" else (DUES_COLUMNS, DUES_EXAMPLE)
    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册" if kind == "members" else "党费台账"
    ws.append(xlsx.row(ws, columns))
    ws.append(xlsx.row(ws, example))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for index in range(1, len(columns) + 1):
        ws.column_dimensions[chr(64 + index)].width = 16
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet("填写说明")
    help_sheet.append(xlsx.row(help_sheet, ["说明（第2行为示例，导入前请删除）"]))
    for line in HELP[kind]:
        help_sheet.append(xlsx.row(help_sheet, [line]))
    help_sheet.column_dimensions["A"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_sheet(upload: UploadedFile, columns: Sequence[str], required: Sequence[str]) -> list[Row]:
    """The first sheet's rows as dicts keyed by header, read by the one spreadsheet reader (which refuses
    hostile and damaged files). Refuses a sheet missing a required column. A formula cell gives the
    result Excel last calculated."""
    book = read_spreadsheet(upload)
    sheet = book.sheets[0]
    if not sheet.rows:
        raise ActionRefused("文件是空的。")
    first, *rest = sheet.rows
    width = first.last_column
    header = [cell_text(first.value(column)) for column in range(1, width + 1)]
    missing = [c for c in required if c not in header]
    if missing:
        raise ActionRefused(f"第{first.number}行缺少列：{'、'.join(missing)}。请使用下载的模板。")
    max_rows = settings.OFFICE_IMPORT_MAX_ROWS
    if len(rest) > max_rows:
        too_many_rows(max_rows)
    rows: list[Row] = []
    for row in rest:
        record = {name: row.value(i) for i, name in enumerate(header, start=1) if name in columns}
        if all(text(v) == "" for v in record.values()):
            continue
        rows.append(Row(number=row.number, values=record))
    return rows


def refuse_with(errors: list[str]) -> None:
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"（另有 {len(errors) - len(shown)} 处错误）" if len(errors) > len(shown) else ""
        raise ActionRefused("导入未执行，请修改后重新上传：" + "；".join(shown) + more)


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_date(value: Any) -> datetime.date | None:
    """None for a blank cell; ValueError for one that holds no date (the one date reader for cells)."""
    return cell_date(value)


def parse_month(value: Any) -> datetime.date | None:
    """A month as its first day: 2026-01, 2026年1月, or any date in the month."""
    if value is None or text(value) == "":
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return datetime.date(value.year, value.month, 1)
    raw = text(value)
    match = MONTH_PATTERN.match(raw)
    if match:
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    day = cell_date(raw)
    return day.replace(day=1) if day else None


def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(text(value).replace("元", "").replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError from exc
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError
    return amount
