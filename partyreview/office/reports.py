"""整改情况报告 (.docx) for one inspection, laid out as a committee would submit it and ready to edit
in Word or WPS: title, numbered sections, headline figures, tables, and a closing signature block.

Chinese text needs its East Asian font set explicitly (w:eastAsia); otherwise Word falls back to a
Latin font for the style and WPS shows a mixture. Body in 仿宋, headings in 黑体, the title in 宋体.
"""

import io
import re
from collections.abc import Sequence

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from partyreview.office.selectors import ProgressLine, ReportData

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
# XML 1.0 forbids most control characters; a stray one pasted into a note must not break the file.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CHINESE_NUMBERS = "一二三四五六七八九十"


def _clean(value: object) -> str:
    return CONTROL_CHARS.sub("", "" if value is None else str(value))


def _set_font(element: object, name: str, size: float | None = None, *, bold: bool | None = None) -> None:
    """Set the Latin and East Asian font of a style or run; theme fonts would otherwise win."""
    font = element.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    r_pr = element.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _date(value: object) -> str:
    return f"{value:%Y年%m月%d日}" if value else "—"


def _short_date(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


class _Report:
    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        # A4 portrait with the margins of official documents (GB/T 9704 rounded).
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        normal = self.doc.styles["Normal"]
        _set_font(normal, BODY_FONT, 14)
        normal.paragraph_format.line_spacing = Pt(28)
        normal.paragraph_format.space_after = Pt(0)
        for level, size in ((1, 16), (2, 14)):
            style = self.doc.styles[f"Heading {level}"]
            _set_font(style, HEADING_FONT, size, bold=False)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.space_before = Pt(12)
            style.paragraph_format.space_after = Pt(6)
        self.sections = 0

    def title(self, text: str, subtitle: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(_clean(text)), TITLE_FONT, 22, bold=True)
        sub = self.doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(sub.add_run(_clean(subtitle)), BODY_FONT, 14)

    def heading(self, text: str) -> None:
        number = CHINESE_NUMBERS[self.sections] if self.sections < len(CHINESE_NUMBERS) else str(self.sections + 1)
        self.sections += 1
        self.doc.add_heading(f"{number}、{text}", level=1)

    def paragraph(self, text: str, *, indent: bool = True) -> None:
        p = self.doc.add_paragraph(_clean(text))
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> Table:
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        head = table.rows[0]
        # Repeat the header row on every page a long table runs over.
        tr_pr = head._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(head.cells, headers, strict=True):
            self._cell(cell, text, bold=True, center=True)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                self._cell(cell, value)
        # Word reads the cell widths, LibreOffice and WPS the grid: set both, and keep autofit off.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
        return table

    def _cell(self, cell: object, value: object, *, bold: bool = False, center: bool = False) -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.line_spacing = 1.0
        p.paragraph_format.first_line_indent = None
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(_clean(value)), BODY_FONT, 10.5, bold=bold)

    def signature(self, organisation: str, date_text: str) -> None:
        self.doc.add_paragraph()
        for text in (organisation, date_text):
            p = self.doc.add_paragraph(_clean(text))
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _progress_rows(lines: Sequence[ProgressLine]) -> list[list[object]]:
    rows: list[list[object]] = [
        [line.name, line.findings, line.measures, line.closed, _percent(line.rate), line.overdue] for line in lines
    ]
    if lines:
        measures = sum(line.measures for line in lines)
        closed = sum(line.closed for line in lines)
        rows.append(
            [
                "合计",
                sum(line.findings for line in lines),
                measures,
                closed,
                _percent(closed / measures if measures else 0.0),
                sum(line.overdue for line in lines),
            ]
        )
    return rows


def _reason(r: object) -> str:
    """Why a measure is not finished yet, in the words staff and branches wrote down."""
    if r.status == "returned" and r.return_reason:
        return f"退回：{r.return_reason}"
    if getattr(r, "extension_reason", None):
        return f"延期：{r.extension_reason}"
    if r.status == "submitted":
        return "已申请销号，待审核"
    return r.latest_progress or "尚未填报进展"


def build_inspection_report(data: ReportData) -> bytes:
    inspection = data.inspection
    h = data.headline
    report = _Report()
    report.title(
        f"关于{inspection.title}反馈问题整改落实情况的报告",
        f"{inspection.inspecting_org}（截至{_date(data.today)}）",
    )
    feedback = f"（反馈日期{_date(inspection.feedback_date)}）" if inspection.feedback_date else ""
    report.paragraph(
        f"根据{inspection.title}反馈意见{feedback}，{inspection.inspecting_org}对反馈问题逐项制定整改措施、"
        "明确责任领导、责任人和整改时限，现将整改落实情况报告如下。"
    )

    report.heading("总体情况")
    report.paragraph(
        f"本次检查共反馈问题{h.findings}个，涉及党组织{h.organizations}个，制定整改措施{h.measures}项。"
        f"截至{_date(data.today)}，已完成整改并销号{h.closed}项，整改完成率{_percent(h.rate)}，"
        f"其中按期完成{h.closed_on_time}项、延期后按期完成{h.closed_extended}项、逾期完成{h.closed_late}项；正在整改{h.open}项（其中已申请销号待审核{h.submitted}项），"
        f"逾期未完成{h.overdue}项；经批准延期{h.extended}项。"
    )
    report.table(
        ["问题数", "整改措施数", "已销号", "完成率", "正在整改", "逾期未完成"],
        [[h.findings, h.measures, h.closed, _percent(h.rate), h.open, h.overdue]],
        [2.5, 2.6, 2.5, 2.5, 2.5, 2.9],
    )

    headers = ["问题数", "整改措施数", "已销号", "完成率", "逾期"]
    widths = [5.4, 1.8, 2.2, 1.8, 2.0, 1.6]
    report.heading("分类别整改进展")
    report.table(["问题类别", *headers], _progress_rows(data.by_category), widths)
    report.heading("分党组织整改进展")
    report.table(["党组织", *headers], _progress_rows(data.by_organization), widths)

    report.heading("尚未完成的整改事项")
    if data.unfinished:
        report.paragraph(f"以下{len(data.unfinished)}项整改措施尚未销号，列明原因和整改时限（延期的注明原定时限）。")
        report.table(
            ["序号", "党组织", "问题", "整改措施", "责任人", "整改时限", "状态", "原因及进展"],
            [
                [
                    f"{r.finding.sequence}-{r.number}",
                    r.finding.organization.name,
                    r.finding.description,
                    r.measure,
                    r.assignee.display_name,
                    _short_date(r.due_date)
                    + (f"\n（原定{_short_date(r.original_due_date)}）" if r.due_date != r.original_due_date else "")
                    + ("\n已逾期" if r.is_overdue else ""),
                    r.get_status_display(),
                    _reason(r),
                ]
                for r in data.unfinished
            ],
            [1.1, 1.8, 3.0, 3.2, 1.4, 1.9, 1.2, 2.0],
        )
    elif h.measures:
        report.paragraph("所有整改措施均已完成并销号。")
    else:
        report.paragraph("本次检查尚未录入整改措施。")

    report.heading("已完成（销号）的整改事项")
    if data.closed:
        report.table(
            ["序号", "党组织", "整改措施", "责任人", "销号日期", "核查意见"],
            [
                [
                    f"{r.finding.sequence}-{r.number}",
                    r.finding.organization.name,
                    r.measure,
                    r.assignee.display_name,
                    _short_date(timezone.localtime(r.closed_at).date() if r.closed_at else None),
                    r.verification_note,
                ]
                for r in data.closed
            ],
            [1.2, 2.4, 5.0, 1.6, 2.0, 3.4],
        )
    else:
        report.paragraph("暂无已销号的整改措施。")

    report.heading("下一步工作")
    report.paragraph(
        "（请在此填写下一步整改工作安排：对尚未完成的事项明确完成时限，对已完成的事项开展“回头看”，"
        "建立健全长效机制，防止问题反弹。）"
    )
    report.signature(str(inspection.inspecting_org), _date(data.today))
    return report.save()
