"""整改看板汇总 as an .xlsx workbook: the dashboard's tables, one sheet each, ready for a report.

Built from the same ``Dashboard`` the page shows, so the file and the screen never disagree. Opens in
Excel and LibreOffice: a bold frozen header row, readable widths, percentages and dates as real numbers.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from partyreview.common import xlsx
from partyreview.dashboards.selectors import Dashboard

LIGHT_NAMES = {1: "绿灯", 2: "黄灯", 3: "红灯"}
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
PERCENT = "0.0%"


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], widths: list[int]) -> Worksheet:
    sheet = book.create_sheet(title)
    # Names come from users (inspections, organisations, categories): through the safe cell writer.
    sheet.append(xlsx.row(sheet, headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(xlsx.row(sheet, row))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _ratio(percent: float | None) -> float | None:
    # Stored as a fraction with a percent format, so Excel can compute with it.
    return None if percent is None else round(percent / 100, 4)


def _lifecycle_rows(d: object) -> list[list[object]]:
    lc = d.lifecycle
    if lc is None:
        return []
    return [
        ["立行立改完成率（已销号 / 立行立改措施）", _fraction(lc.immediate_closed, lc.immediate)],
        ["长期坚持中（含阶段性销号）", lc.kept_up],
        ["其中阶段性销号", lc.stage_closed],
        ["长期坚持定期报告未报", lc.report_missing],
        ["整改成效：实质整改", lc.substantive],
        ["整改成效：需持续跟进", lc.follow_up],
    ]


def _fraction(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percent_columns(sheet: Worksheet, *columns: int) -> None:
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = PERCENT


def dashboard_workbook(dashboard: Dashboard) -> bytes:
    d, h, f = dashboard, dashboard.headline, dashboard.filters
    book = Workbook()
    book.remove(book.active)

    scope = "、".join(o.name for o in d.scope) or "全部党组织"
    period = (
        f"{f.date_from or '…'} 至 {f.date_to or '…'}（问题按发现日期、整改措施按创建日期）" if f.has_period else "全部"
    )
    summary = _sheet(
        book,
        "汇总",
        ["指标", "数值"],
        [
            ["统计范围", scope],
            ["检查", f.inspection.title if f.inspection else "全部检查"],
            ["时间段", period],
            ["统计日期", d.today],
            ["问题数", h.findings],
            ["其中反复出现的问题", h.recurring_findings],
            ["整改措施数", h.rectifications],
            ["已销号", h.closed],
            ["整改完成率（已销号 / 全部整改措施）", _fraction(h.closed, h.rectifications)],
            ["按期完成率（按原定时限销号 / 已销号）", _fraction(h.on_time, h.closed)],
            ["当前逾期", h.overdue],
            ["待审核（已申请销号）", h.submitted],
            ["平均销号用时（天）", h.average_days_to_close],
            ["红灯", h.red],
            ["黄灯", h.yellow],
            ["绿灯（未销号）", h.green],
            *_lifecycle_rows(d),
        ],
        [40, 50],
    )
    summary["B5"].number_format = "yyyy-mm-dd"
    summary["B10"].number_format = PERCENT
    summary["B11"].number_format = PERCENT

    branches = _sheet(
        book,
        "党组织",
        ["党组织", "预警灯", "问题数", "整改措施数", "已销号", "整改完成率", "逾期", "待审核", "红灯", "黄灯"],
        [
            [
                b.name,
                LIGHT_NAMES[b.light],
                b.findings_total,
                b.rect_total,
                b.closed,
                _ratio(b.completion),
                b.overdue,
                b.submitted,
                b.red,
                b.yellow,
            ]
            for b in d.branches
        ],
        [24, 8, 8, 11, 8, 11, 8, 8, 8, 8],
    )
    _percent_columns(branches, 6)

    _sheet(
        book,
        "问题类别",
        ["问题类别", "问题数", "其中反复出现", "未销号整改措施", "逾期整改措施"],
        [[c.name, c.findings_total, c.recurring, c.open_total, c.overdue] for c in d.categories],
        [36, 8, 12, 14, 12],
    )

    _sheet(
        book,
        "党组织×问题类别",
        ["党组织", *(c.name for c in d.categories)],
        [[row.organization.name, *(count for _c, count in row.cells)] for row in d.heat_rows],
        [24, *(14 for _c in d.categories)],
    )

    _sheet(
        book,
        "反复出现",
        ["党组织", "问题类别", "本次统计中再次发现", "累计发现次数", "涉及检查次数"],
        [
            [r["organization__name"], r["category__name"], r["recurring"], r["times_found"], r["inspections"]]
            for r in d.recurrences
        ],
        [24, 36, 16, 12, 12],
    )

    pairs = _sheet(
        book,
        "前后相似的问题",
        ["党组织", "问题类别", "本次问题", "本次问题描述", "此前相似问题", "此前问题描述", "相似度"],
        [
            [
                p.finding.organization_name,
                p.finding.category_name,
                f"{p.finding.inspection_title}第{p.finding.sequence}项",
                p.finding.description,
                f"{p.earlier.inspection_title}第{p.earlier.sequence}项",
                p.earlier.description,
                round(p.score, 4),
            ]
            for p in d.recurrence_pairs
        ],
        [24, 36, 24, 40, 24, 40, 8],
    )
    _percent_columns(pairs, 7)

    _sheet(
        book,
        "月度趋势",
        ["月份", "新发现问题", "销号整改措施"],
        [[f"{p.month:%Y-%m}", p.new_findings, p.closed_rectifications] for p in d.trend],
        [10, 12, 14],
    )

    inspections = _sheet(
        book,
        "检查整改进度",
        ["检查", "反馈日期", "整改报告期限", "问题数", "整改措施数", "已销号", "整改完成率", "时间进度", "逾期"],
        [
            [
                i.title,
                i.feedback_date,
                i.report_due_date,
                i.findings_total,
                i.rect_total,
                i.closed,
                _ratio(i.completion),
                _ratio(i.time_share),
                i.overdue,
            ]
            for i in d.inspections
        ],
        [30, 12, 13, 8, 11, 8, 11, 10, 8],
    )
    _percent_columns(inspections, 7, 8)
    for row in inspections.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"

    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = BytesIO()
    book.save(out)
    return out.getvalue()
