"""The 整改情况报告 (.docx): headline figures, progress by category and organisation, unfinished items with
reasons and new deadlines, closed items; Chinese fonts set; readable by LibreOffice; staff and leads only."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from partyreview.common.dates import local_today
from partyreview.rectifications import services
from tests.office.libreoffice import TEXT_UTF8, convert

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
        "已完成整改并销号1项，整改完成率20.0%，其中按期完成1项、延期后按期完成0项、逾期完成0项；正在整改4项（其中已申请销号待审核0项），逾期未完成1项；经批准延期1项。"
        in text
    )
    for heading in [
        "一、总体情况",
        "二、分类别整改进展",
        "三、分党组织整改进展",
        "四、尚未完成的整改事项",
        "五、已完成（销号）的整改事项",
        "六、下一步工作",
    ]:
        assert heading in text

    headline, by_category, by_organization, _unfinished, _closed = document.tables
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


def test_unfinished_items_carry_their_reason_and_new_deadline_and_closed_items_their_verification(progress, client_for):
    world = progress
    document = Document(io.BytesIO(download(client_for(world.alice), world.inspection)))
    _headline, _by_category, _by_organization, unfinished, closed = document.tables

    assert len(table_rows(unfinished)) == 5
    rows = {row[2]: row for row in table_rows(unfinished)[1:]}
    extended = rows["支委会缺额未增补"]
    new_due = local_today() + datetime.timedelta(days=60)
    assert extended[5] == f"{new_due:%Y-%m-%d}\n（原定{local_today() + datetime.timedelta(days=30):%Y-%m-%d}）"
    assert extended[7] == "延期：需等待党总支审批增补人选"
    overdue = rows["党费台账未按月登记"]
    assert overdue[5].endswith("已逾期") and overdue[7] == "尚未填报进展"
    reasons = sorted(row[7] for row in table_rows(unfinished)[1:])
    assert "退回：材料不全" in reasons and "已开展整改" in reasons
    assert table_rows(closed)[1][1:] == ["生产第一党支部", "整改措施1", "莫娜", f"{local_today():%Y-%m-%d}", "核查属实"]


def test_the_report_sets_chinese_fonts_and_a4_pages(progress, client_for):
    document = Document(io.BytesIO(download(client_for(progress.alice), progress.inspection)))

    normal = document.styles["Normal"].element.rPr.rFonts
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    assert heading.get(qn("w:eastAsia")) == "黑体"
    assert heading.get(qn("w:asciiTheme")) is None
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_the_report_opens_in_libreoffice_with_the_headline_figures(progress, client_for, tmp_path):
    source = tmp_path / "report.docx"
    source.write_bytes(download(client_for(progress.alice), progress.inspection))

    text = convert(source, TEXT_UTF8, tmp_path).read_text(encoding="utf-8-sig")

    assert "关于2026年巡察反馈问题整改落实情况的报告" in text
    assert "本次检查共反馈问题5个，涉及党组织2个，制定整改措施5项。" in text
    assert "整改完成率20.0%" in text
    assert "需等待党总支审批增补人选" in text


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
