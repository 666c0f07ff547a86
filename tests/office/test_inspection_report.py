"""The 整改情况报告 (.docx) in the official layout: figures and progress tables, every problem in order with its
measures and their result, the summary table, the official fonts and page numbers; LibreOffice renders it to PDF;
staff and leads only."""

import datetime
import io
import re
import subprocess

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from partyreview.common.dates import local_today
from partyreview.rectifications import services
from tests.office.libreoffice import convert

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def progress(world):
    """Five measures in five findings: in progress, closed, overdue, returned, and one extended."""
    world.rectification(world.a1, state="in_progress")
    world.rectification(world.b1, state="closed")
    world.finding(world.a1, due_in=-3, description="党费台账未按月登记", category="dues_arrears")
    world.rectification(world.a1, state="returned")
    extended = world.finding(world.a1, description="支委会缺额未增补", category="weak_leadership").rectifications.get()
    request = services.extension_request(
        actor=world.mike,
        rectification=extended,
        new_due_date=extended.due_date + datetime.timedelta(days=30),
        reason="需等待党总支审批增补人选",
    )
    services.extension_decide(actor=world.alice, extension=request, approve=True)
    return world


def download(client, inspection) -> bytes:
    response = client.get(reverse("office:inspection_report", args=[inspection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_report_states_the_headline_figures_and_progress_tables(progress, client_for):
    world = progress
    document = Document(io.BytesIO(download(client_for(world.alice), world.inspection)))
    text = text_of(document)

    assert "关于2026年巡察反馈问题整改落实情况的报告" in text
    assert "本次检查共反馈问题5个，涉及党组织2个，制定整改措施5项。" in text
    assert (
        "已完成整改并销号1项，整改完成率20.0%，其中按期完成1项、延期后按期完成0项、逾期完成0项；"
        "正在整改4项（其中已申请销号待审核0项），逾期未完成1项；经批准延期1项。" in text
    )
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、整改工作总体情况", "二、逐项整改落实情况", "三、下一步工作打算"]
    subheadings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert subheadings[:2] == ["（一）分类别整改进展", "（二）分党组织整改进展"]

    headline, by_category, by_organization, _summary = document.tables
    assert table_rows(headline)[1] == ["5", "5", "1", "20.0%", "4", "1"]
    assert table_rows(by_category) == [
        ["问题类别", "问题数", "整改措施数", "已销号", "完成率", "逾期"],
        ["班子软弱、书记履职不到位", "1", "1", "0", "0.0%", "0"],
        ['"三会一课"落实不到位', "3", "3", "1", "33.3%", "0"],
        ["党费收缴不规范、欠缴", "1", "1", "0", "0.0%", "1"],
        ["合计", "5", "5", "1", "20.0%", "1"],
    ]
    assert table_rows(by_organization)[1:] == [
        ["机关第一党支部", "4", "4", "0", "0.0%", "1"],
        ["生产第一党支部", "1", "1", "1", "100.0%", "0"],
        ["合计", "5", "5", "1", "20.0%", "1"],
    ]


def test_every_problem_comes_in_order_with_its_measures_and_their_result(progress, client_for):
    world = progress
    document = Document(io.BytesIO(download(client_for(world.alice), world.inspection)))
    text = text_of(document)
    findings = list(world.inspection.findings.order_by("sequence"))
    positions = [text.index(f"第{f.sequence}项问题（{f.organization.name} · {f.category.name}）") for f in findings]
    assert positions == sorted(positions) and len(positions) == 5
    # The extended measure: its new deadline, the original, and why it was extended.
    new_due = local_today() + datetime.timedelta(days=60)
    original = local_today() + datetime.timedelta(days=30)
    assert f"整改时限{new_due.year}年{new_due.month}月{new_due.day}日，经批准延期，原定{original.year}年" in text
    assert "延期理由：需等待党总支审批增补人选" in text
    assert "销号申请被退回：材料不全" in text
    assert "已于" in text and "完成整改并销号（按期完成）" in text and "核查意见：核查属实" in text
    assert text.count("整改结果：") == 5
    assert "特此报告。" in text


def test_the_summary_table_writes_each_problem_once_and_dates_that_do_not_break(world, client_for):
    finding = world.finding(world.a1, measures=3, description="支部未按期召开党员大会")
    document = Document(io.BytesIO(download(client_for(world.alice), world.inspection)))
    summary = document.tables[-1]
    rows = table_rows(summary)
    assert rows[0] == ["序号", "党组织", "问题", "整改措施", "责任人", "整改时限", "完成情况"]
    # Three measures, one problem: its cells are merged over the three rows, so its text is stored once.
    assert [row[3] for row in rows[1:]] == ["整改措施1", "整改措施2", "整改措施3"]
    problem_cells = {cell._tc for row in summary.rows[1:] for cell in [row.cells[2]]}
    assert len(problem_cells) == 1
    assert document.element.body.xml.count("支部未按期召开党员大会") == 2  # the item-by-item section, the table
    due = finding.rectifications.first().due_date
    assert rows[1][5] == f"{due:%Y}\u2011{due:%m}\u2011{due:%d}"
    assert round(summary.columns[5].width.cm, 1) >= 2.2


def test_the_report_sets_the_official_fonts_page_numbers_and_a4_pages(progress, client_for):
    document = Document(io.BytesIO(download(client_for(progress.alice), progress.inspection)))

    normal = document.styles["Normal"].element.rPr.rFonts
    heading = document.styles["Heading 1"].element.rPr.rFonts
    subheading = document.styles["Heading 2"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Normal"].font.size.pt == 16
    assert heading.get(qn("w:eastAsia")) == "黑体"
    assert subheading.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert heading.get(qn("w:asciiTheme")) is None
    title_run = document.paragraphs[0].runs[0]
    assert title_run.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title_run.font.size.pt == 22
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    for footer in (section.footer, section.even_page_footer):
        assert "PAGE" in footer._element.xml
    # 发文机关署名 and 成文日期 close the text.
    texts = [p.text for p in document.paragraphs if p.text]
    closing = texts[texts.index("特此报告。") + 1 :][:2]
    assert closing == ["测试党委", f"{local_today().year}年{local_today().month}月{local_today().day}日"]


def test_the_report_renders_to_pdf_in_libreoffice_with_its_sections_and_every_problem_in_order(
    progress, client_for, tmp_path
):
    source = tmp_path / "report.docx"
    source.write_bytes(download(client_for(progress.alice), progress.inspection))
    # The official fonts are named in the file (see the test above); LibreOffice substitutes what it lacks.
    assert "方正小标宋简体" in Document(io.BytesIO(source.read_bytes())).element.xml

    pdf = convert(source, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "关于2026年巡察反馈问题整改落实情况的报告" in flat
    assert "本次检查共反馈问题5个，涉及党组织2个，制定整改措施5项。" in flat
    sections = [flat.index(h) for h in ("一、整改工作总体情况", "二、逐项整改落实情况", "三、下一步工作打算")]
    assert sections == sorted(sections)
    problems = [flat.index(f"第{n}项问题") for n in range(1, 6)]
    assert problems == sorted(problems) and sections[1] < problems[0] < sections[2]
    assert "需等待党总支审批增补人选" in flat
    assert "—1—" in flat  # the page number in the footer


def test_an_inspection_without_measures_still_gives_a_report(world, client_for):
    document = Document(io.BytesIO(download(client_for(world.alice), world.inspection)))

    assert "本次检查共反馈问题0个" in text_of(document)
    assert "本次检查尚未录入整改措施。" in text_of(document)


# Staff and leads of the inspecting organisation (the committee) read the report; nobody else sees it exists.
EXPECTED = {"alice": 200, "root": 200, "leo": 200, "gina": 404, "lena": 404, "sam": 404, "mike": 404, "nobody": 404}


@pytest.mark.parametrize(("persona", "status"), EXPECTED.items())
def test_only_staff_and_leads_of_the_inspecting_organisation_get_the_report(world, client_for, persona, status):
    world.rectification(world.a1)

    response = client_for(getattr(world, persona)).get(reverse("office:inspection_report", args=[world.inspection.pk]))

    assert response.status_code == status


def test_a_missing_inspection_is_404(world, client_for):
    response = client_for(world.alice).get(reverse("office:inspection_report", args=[999999]))

    assert response.status_code == 404
