"""反馈意见读取：.docx (prose and tables, in document order), .txt in any encoding offices use, pasted text,
and every hostile file refused with a Chinese reason."""

import io
import random
import zipfile

import docx
import pytest

from partyreview.intake.documents import FeedbackRefused, read_feedback_file, read_pasted
from partyreview.intake.feedback import REASON_CLOSING, REASON_PREAMBLE, REASON_TABLE
from partyreview.intake.fields import Field


def word_file(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def prose_and_table(document) -> None:
    document.add_paragraph("关于对后勤党支部巡察情况的反馈意见")
    document.add_paragraph("后勤党支部：")
    document.add_paragraph("现将巡察发现的问题反馈如下：")
    document.add_paragraph("一、党的组织建设方面")
    document.add_paragraph("（一）支委会未按月召开。2025年全年仅召开支委会5次，且无会议记录。")
    document.add_paragraph("（二）党员活动室长期被占用，支部活动只能借用会议室。")
    document.add_paragraph("二、问题清单")
    table = document.add_table(rows=3, cols=4)
    for row, cells in enumerate(
        [
            ["序号", "存在问题", "整改措施", "完成时限"],
            ["1", "3名党员连续6个月未交纳党费", "逐一谈话，限期补交", "2027年3月底前"],
            ["2", "廉政风险点排查不全面", "全面排查岗位风险并建立台账", "立行立改"],
        ]
    ):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "联系人"
    table.cell(0, 1).text = "电话"
    table.cell(1, 0).text = "王明"
    table.cell(1, 1).text = "1234"
    document.add_paragraph("党委第一巡察组")
    document.add_paragraph("2026年10月9日")


def test_a_docx_gives_its_prose_problems_and_its_table_rows_in_document_order():
    segments = read_feedback_file(word_file(prose_and_table)).segments()

    assert [row.values[Field.DESCRIPTION] for row in segments.rows] == [
        "支委会未按月召开",
        "党员活动室长期被占用，支部活动只能借用会议室",
        "3名党员连续6个月未交纳党费",
        "廉政风险点排查不全面",
    ]
    assert segments.rows[0].values[Field.DETAIL] == "2025年全年仅召开支委会5次，且无会议记录。"
    assert segments.rows[0].group == "一、党的组织建设方面"
    table_row = segments.rows[2]
    assert table_row.values[Field.MEASURE] == "逐一谈话，限期补交"
    assert table_row.values[Field.DUE_DATE] == "2027年3月底前"
    assert table_row.number == 8  # the table stands as the 8th block of the document
    assert [row.values[Field.SEQUENCE] for row in segments.rows] == [1, 2, 3, 4]
    reasons = [(part.number, part.reason) for part in segments.skipped]
    assert reasons[:3] == [(1, REASON_PREAMBLE), (2, REASON_PREAMBLE), (3, REASON_PREAMBLE)]
    assert (9, REASON_TABLE) in reasons
    assert reasons[-2:] == [(10, REASON_CLOSING), (11, REASON_CLOSING)]


def test_a_docx_line_break_inside_a_paragraph_separates_items():
    def build(document) -> None:
        document.add_paragraph("现将问题反馈如下：")
        paragraph = document.add_paragraph("1.党费收缴不规范。")
        paragraph.add_run().add_break()
        paragraph.add_run("2.支部书记由行政负责人兼任，抓党建精力不足。")

    segments = read_feedback_file(word_file(build)).segments()
    assert [row.values[Field.DESCRIPTION] for row in segments.rows] == [
        "党费收缴不规范",
        "支部书记由行政负责人兼任，抓党建精力不足",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_files_in_every_encoding_offices_use(encoding):
    text = "现将问题反馈如下：\n1、党费收缴不规范。\n2、支委会长期缺额。\n"
    document = read_feedback_file(text.encode(encoding))
    assert [row.values[Field.DESCRIPTION] for row in document.segments().rows] == ["党费收缴不规范", "支委会长期缺额"]


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb() -> bytes:
    # 60 MB of zeros deflate to about 60 KB: a small file that would unpack past the limit.
    return zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (60 * 1024 * 1024)})


def junk(size: int) -> bytes:
    return random.Random(19).randbytes(size)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Word（.doc）"),
        (zip_of({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), "这是 Excel 工作簿"),
        (zip_of({"readme.txt": b"hello"}), "不是有效的 Word 文档"),
        (b"PK\x03\x04 not really a zip", "不是有效的 Word 文档"),
        (zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<oops"}), "Word 文档已损坏"),
        (
            zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>", "word/vbaProject.bin": b"1"}),
            "含有宏",
        ),
        (junk(4096), "不是文本文件"),
        (b"\x01\x02\x03\x04\x05\x06" * 100 + "党费".encode(), "不是文本文件"),
    ],
    ids=["empty", "doc", "xlsx", "zip", "fake-zip", "damaged", "macros", "junk", "controls"],
)
def test_hostile_or_wrong_files_are_refused_in_chinese(data, message):
    with pytest.raises(FeedbackRefused, match=message):
        read_feedback_file(data)


def test_a_zip_bomb_is_refused_before_it_unpacks():
    with pytest.raises(FeedbackRefused, match="解压后过大"):
        read_feedback_file(bomb())


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.OFFICE_IMPORT_MAX_BYTES = 1024
    with pytest.raises(FeedbackRefused, match="文件过大"):
        read_feedback_file(("党费收缴不规范。" * 200).encode())


def test_huge_pasted_text_is_refused():
    with pytest.raises(FeedbackRefused, match="文本过长"):
        read_pasted("党费收缴不规范。\n" * 100_000)


def test_a_word_table_merged_down_over_two_measures_keeps_one_problem_number():
    def build(document) -> None:
        document.add_paragraph("现将问题反馈如下：")
        document.add_paragraph("1.支委会未按月召开。")
        table = document.add_table(rows=4, cols=3)
        cells = [
            ["中共测试党委巡察反馈问题整改台账", "", ""],
            ["问题描述", "整改措施", "整改时限"],
            ["党费收缴不规范", "逐一谈话提醒，限期补交", "2027年3月底前"],
            ["", "建立党费台账", "立行立改"],
        ]
        for row, texts in enumerate(cells):
            for column, text in enumerate(texts):
                table.cell(row, column).text = text
        table.cell(0, 0).merge(table.cell(0, 2))
        table.cell(2, 0).merge(table.cell(3, 0))

    segments = read_feedback_file(word_file(build)).segments()

    table_rows = segments.rows[1:]
    assert [row.values[Field.MEASURE] for row in table_rows] == ["逐一谈话提醒，限期补交", "建立党费台账"]
    assert [row.values[Field.DESCRIPTION] for row in table_rows] == ["党费收缴不规范", "党费收缴不规范"]
    assert {row.values[Field.SEQUENCE] for row in table_rows} == {2}
