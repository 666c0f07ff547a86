"""整改情况报告 (.docx) for one inspection, in the layout of an official document (GB/T 9704-2012) and
ready to edit in Word or WPS: the report a committee owes upward two months after the feedback
(巡视工作条例 art. 27).

Layout: title in 方正小标宋简体 二号, body in 仿宋_GB2312 三号 at a fixed 28.95 pt line pitch (22 lines of
28 characters on A4 with the standard margins), first-level headings "一、" in 黑体, second-level "（一）" in
楷体_GB2312, page numbers "— 1 —" in 宋体 四号 outside (odd pages right, even pages left), and the issuing
organisation (发文机关署名) with the date (成文日期) under the text. Chinese text needs its East Asian font
named explicitly (``w:eastAsia``), or Word falls back to a Latin font and WPS shows a mixture; digits and
Latin letters take Times New Roman, as official documents do. Machines without the official fonts show a
substitute; the names stay in the file for the machines that have them.

Sections: 一、整改工作总体情况 (figures and progress tables), 二、逐项整改落实情况 (each problem of the
inspection in the order of the problem list: the problem, its measures with what was done, the result;
长期坚持 items said to be such), 三、下一步工作打算, and a summary table (附表) with one row group per problem.
"""

import io
import re
from collections.abc import Sequence

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from partyreview.office.exporters import assignee_text
from partyreview.office.selectors import ProgressLine, ReportData
from partyreview.rectifications.models import Rectification, RectificationStatus

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = 16  # 三号
TITLE_SIZE = 22  # 二号
PAGE_NUMBER_SIZE = 14  # 四号
TABLE_SIZE = 10.5  # 五号
LINE_PITCH = Pt(28.95)
# XML 1.0 forbids most control characters; a stray one pasted into a note must not break the file.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (section numbers of official documents)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    if n >= 100:
        return str(n)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def _clean(value: object) -> str:
    return CONTROL_CHARS.sub("", "" if value is None else str(value))


def _set_font(element: object, east_asian: str, size: float | None = None, *, bold: bool | None = None) -> None:
    """East Asian font by name (w:eastAsia), Latin and digits in Times New Roman; theme fonts removed so they
    cannot win over the names in Word or WPS."""
    font = element.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    r_pr = element.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), LATIN_FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _date(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _table_date(value: object) -> str:
    # A non-breaking hyphen (U+2011): Word and LibreOffice may break a line at "-", which split
    # "2026-12-20" into "2026-/12-20" in a narrow column.
    return f"{value:%Y\u2011%m\u2011%d}" if value else "—"


def _local_date(moment: object) -> object:
    return timezone.localtime(moment).date() if moment else None


class _Report:
    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        # A4 portrait with the margins of GB/T 9704 (天头 37 mm, 订口 28 mm, version area 156 × 225 mm).
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.footer_distance = Cm(2.8)
        normal = self.doc.styles["Normal"]
        _set_font(normal, BODY_FONT, BODY_SIZE)
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = LINE_PITCH
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(0)
        for level, font in ((1, HEADING_FONT), (2, SUBHEADING_FONT)):
            style = self.doc.styles[f"Heading {level}"]
            _set_font(style, font, BODY_SIZE, bold=False)
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            fmt = style.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = LINE_PITCH
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(0)
            fmt.first_line_indent = Pt(BODY_SIZE * 2)
            fmt.keep_with_next = True
        self._page_numbers()
        self.sections = 0
        self.subsections = 0

    def _page_numbers(self) -> None:
        """ "— 1 —" in 宋体 四号: odd pages on the right, even pages on the left, one character in."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, alignment, indent in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = alignment
            setattr(p.paragraph_format, indent, Pt(PAGE_NUMBER_SIZE))
            _set_font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
            self._field(p, "PAGE")
            _set_font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)

    @staticmethod
    def _field(paragraph: object, instruction: str) -> None:
        run = paragraph.add_run()
        _set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
            if kind == "instr":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = f" {text} "
            elif kind == "text":
                element = OxmlElement("w:t")
                element.text = text
            else:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            run._r.append(element)

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(35)
        _set_font(p.add_run(_clean(text)), TITLE_FONT, TITLE_SIZE)
        self.doc.add_paragraph()

    def heading(self, text: str) -> None:
        self.sections += 1
        self.subsections = 0
        self.doc.add_heading(f"{chinese_number(self.sections)}、{_clean(text)}", level=1)

    def subheading(self, text: str) -> None:
        self.subsections += 1
        self.doc.add_heading(f"（{chinese_number(self.subsections)}）{_clean(text)}", level=2)

    def paragraph(self, text: str, *, lead: str = "") -> None:
        """A body paragraph, indented two characters; ``lead`` starts it in bold (a third-level heading)."""
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
        if lead:
            _set_font(p.add_run(_clean(lead)), BODY_FONT, bold=True)
        _set_font(p.add_run(_clean(text)), BODY_FONT)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        merge_first: int = 0,
    ) -> Table:
        """A table with its header repeated on every page. ``merge_first`` columns are merged down over
        consecutive rows with the same key (a problem over its measures), so a problem is written once."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        head = table.rows[0]
        tr_pr = head._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(head.cells, headers, strict=True):
            self._cell(cell, text, bold=True, center=True)
        previous_key = None
        start_row = None
        for values in rows:
            key, values = (values[0], values[1:]) if merge_first else (None, values)
            row = table.add_row()
            for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                if merge_first and index < merge_first and key == previous_key:
                    continue
                self._cell(cell, value)
            if merge_first and key == previous_key and start_row is not None:
                for index in range(merge_first):
                    table.cell(start_row, index).merge(row.cells[index])
            elif merge_first:
                start_row = len(table.rows) - 1
            previous_key = key
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
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = None
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(_clean(value)), BODY_FONT, TABLE_SIZE, bold=bold)

    def signature(self, organisation: str, date_text: str) -> None:
        """发文机关署名 over 成文日期, right-aligned four characters in (GB/T 9704 7.3.5.2 for a text without seal)."""
        self.doc.add_paragraph()
        self.doc.add_paragraph()
        for text in (organisation, date_text):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(BODY_SIZE * 4)
            _set_font(p.add_run(_clean(text)), BODY_FONT)

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


def _deadline(r: Rectification) -> str:
    if r.is_long_term:
        stage = f"阶段性目标{_date(r.stage_due_date)}前，" if r.stage_due_date else ""
        return f"长期坚持，{stage}{r.get_report_cadence_display()}报告"
    moved = f"，经批准延期，原定{_date(r.original_due_date)}" if r.due_date != r.original_due_date else ""
    return f"整改时限{_date(r.due_date)}{moved}"


def _responsible(r: Rectification) -> str:
    """责任人, with the 责任部门 a ledger named and, for a 待指派 measure, the person the ledger named."""
    text = assignee_text(r)
    return f"{text}（{r.department}）" if r.department else text


def measure_result(r: Rectification) -> str:
    """What became of one measure, in the words of a report."""
    if r.is_closed:
        closed_on = _local_date(r.closed_at)
        parts = []
        if r.is_stage_closed:
            parts.append(
                f"已于{_date(closed_on)}阶段性销号，作为长期坚持事项{r.get_report_cadence_display()}报告落实情况"
            )
        elif r.is_long_term:
            parts.append(
                f"已于{_date(closed_on)}阶段性销号，长期坚持事项已于{_date(_local_date(r.long_term_ended_at))}结束"
            )
        else:
            timeliness = r.timeliness
            parts.append(f"已于{_date(closed_on)}完成整改并销号" + (f"（{timeliness.label}）" if timeliness else ""))
        if r.effect:
            parts.append(f"整改成效：{r.get_effect_display()}")
        if r.verification_note:
            parts.append(f"核查意见：{r.verification_note}")
        return "；".join(parts) + "。"
    parts = [f"正在整改（{r.get_status_display()}）"]
    if r.is_long_term:
        parts.append(f"作为长期坚持事项{r.get_report_cadence_display()}报告落实情况")
    if r.status == RectificationStatus.RETURNED and r.return_reason:
        parts.append(f"销号申请被退回：{r.return_reason}")
    elif r.status == RectificationStatus.SUBMITTED:
        parts.append("已申请销号，待审核")
    elif getattr(r, "extension_reason", None):
        parts.append(f"延期理由：{r.extension_reason}")
    if r.latest_progress:
        parts.append(f"最新进展：{r.latest_progress}")
    if r.is_overdue:
        parts.append("已超过整改时限")
    return "；".join(parts) + "。"


def finding_result(measures: Sequence[Rectification]) -> str:
    closed = sum(1 for r in measures if r.is_closed)
    if closed == len(measures):
        if any(r.is_kept_up for r in measures):
            return "阶段性整改完成，相关措施长期坚持。"
        return "已整改到位，全部整改措施已销号。"
    return f"正在整改，已完成{closed}项、共{len(measures)}项整改措施。"


def _overview(report: _Report, data: ReportData) -> None:
    h = data.headline
    report.heading("整改工作总体情况")
    report.paragraph(
        f"本次检查共反馈问题{h.findings}个，涉及党组织{h.organizations}个，制定整改措施{h.measures}项。"
        f"截至{_date(data.today)}，已完成整改并销号{h.closed}项，整改完成率{_percent(h.rate)}，"
        f"其中按期完成{h.closed_on_time}项、延期后按期完成{h.closed_extended}项、逾期完成{h.closed_late}项；"
        f"正在整改{h.open}项（其中已申请销号待审核{h.submitted}项），逾期未完成{h.overdue}项；经批准延期{h.extended}项。"
    )
    if h.kept_up or h.substantive or h.follow_up:
        report.paragraph(
            f"长期坚持事项{h.kept_up}项，其中已阶段性销号{h.stage_closed}项，均按报告周期报告落实情况；"
            f"已销号措施中经核查实质整改{h.substantive}项，需持续跟进{h.follow_up}项。"
        )
    report.table(
        ["问题数", "整改措施数", "已销号", "完成率", "正在整改", "逾期未完成"],
        [[h.findings, h.measures, h.closed, _percent(h.rate), h.open, h.overdue]],
        [2.5, 2.6, 2.5, 2.5, 2.5, 2.9],
    )
    headers = ["问题数", "整改措施数", "已销号", "完成率", "逾期"]
    widths = [5.4, 1.8, 2.2, 1.8, 2.0, 1.6]
    report.subheading("分类别整改进展")
    report.table(["问题类别", *headers], _progress_rows(data.by_category), widths)
    report.subheading("分党组织整改进展")
    report.table(["党组织", *headers], _progress_rows(data.by_organization), widths)


def _item_by_item(report: _Report, data: ReportData) -> None:
    report.heading("逐项整改落实情况")
    groups = data.by_finding
    if not groups:
        report.paragraph("本次检查尚未录入整改措施。")
        return
    for finding, measures in groups:
        report.subheading(f"第{finding.sequence}项问题（{finding.organization.name} · {finding.category.name}）")
        report.paragraph(finding.description, lead="问题：")
        for index, r in enumerate(measures, start=1):
            people = f"责任人：{_responsible(r)}" + (
                f"，责任领导：{r.responsible_leader.display_name}" if r.responsible_leader else ""
            )
            report.paragraph(f"{r.measure}（{people}；{_deadline(r)}）{measure_result(r)}", lead=f"措施{index}．")
        report.paragraph(finding_result(measures), lead="整改结果：")


def _next_steps(report: _Report, data: ReportData) -> None:
    h = data.headline
    report.heading("下一步工作打算")
    steps = []
    if h.open:
        steps.append(f"对尚未完成的{h.open}项整改措施，逐项明确完成时限和责任人，加强督促检查，确保按期整改到位")
    if h.kept_up:
        steps.append(f"对{h.kept_up}项长期坚持事项，按报告周期报告落实情况，防止问题反弹")
    steps.append("对已完成的整改事项适时开展“回头看”，巩固整改成果，建立健全长效机制")
    for index, step in enumerate(steps, start=1):
        report.paragraph(step + "。", lead=f"{chinese_number(index)}是")


def _summary_table(report: _Report, data: ReportData) -> None:
    """附表: one row per measure, the problem written once over its measures (merged cells)."""
    if not data.measures:
        return
    p = report.doc.add_paragraph()
    p.paragraph_format.page_break_before = True
    _set_font(p.add_run("附表"), HEADING_FONT)
    caption = report.doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(caption.add_run(f"{_clean(data.inspection.title)}反馈问题整改落实情况一览表"), TITLE_FONT, 18)
    rows = []
    for finding, measures in data.by_finding:
        for r in measures:
            rows.append(
                [
                    finding.pk,
                    finding.sequence,
                    finding.organization.name,
                    finding.description,
                    r.measure,
                    _responsible(r),
                    "长期坚持" if r.is_long_term and not r.stage_due_date else _table_date(r.due_date),
                    _status_text(r),
                ]
            )
    # Widths sum to 15.6 cm (the version area); the date column fits "2026‑12‑20" in 五号 on one line.
    report.table(
        ["序号", "党组织", "问题", "整改措施", "责任人", "整改时限", "完成情况"],
        rows,
        [1.1, 2.0, 3.6, 3.8, 1.5, 2.2, 1.4],
        merge_first=3,
    )


def _status_text(r: Rectification) -> str:
    if r.is_stage_closed:
        return "阶段性销号，长期坚持"
    timeliness = r.timeliness
    if r.is_closed:
        return timeliness.label if timeliness else "已销号"
    return r.get_status_display() + ("（逾期）" if r.is_overdue else "")


def build_inspection_report(data: ReportData) -> bytes:
    inspection = data.inspection
    report = _Report()
    report.title(f"关于{inspection.title}反馈问题整改落实情况的报告")
    feedback = f"（反馈日期{_date(inspection.feedback_date)}）" if inspection.feedback_date else ""
    report.paragraph(
        f"根据{inspection.title}反馈意见{feedback}，{inspection.inspecting_org}对反馈问题逐项制定整改措施、"
        "明确责任领导、责任人和整改时限，现将整改落实情况报告如下。"
    )
    _overview(report, data)
    _item_by_item(report, data)
    _next_steps(report, data)
    report.paragraph("特此报告。")
    report.signature(str(inspection.inspecting_org), _date(data.today))
    _summary_table(report, data)
    return report.save()
