"""Feedback typed with Word's list button: the numbers ("一、", "（一）", "1.") are rules of the numbering
part, no characters of the text. Read as a person sees the page, the problems come apart as numbered,
and a document numbered by hand reads the same as one numbered by Word."""

import io

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from partyreview.intake.documents import read_feedback_file
from partyreview.intake.fields import Field

# Three levels as offices set them up: 一、 / （一） / 1.
OFFICE_LEVELS = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]


def _define(document, abstract_id: int, levels, num_id: int, start_overrides: dict[int, int] | None = None) -> None:
    numbering = document.part.numbering_part.element
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    # The schema puts every abstractNum before the first num.
    abstract = f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'
    numbering.insert(0, parse_xml(abstract))
    overrides = "".join(
        f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        for level, start in (start_overrides or {}).items()
    )
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'
        )
    )


def _numbered(document, text: str, num_id: int, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _feedback(numbered: bool) -> bytes:
    document = docx.Document()
    if numbered:
        _define(document, 90, OFFICE_LEVELS, 91)

    def line(text: str, level: int, typed: str) -> None:
        if numbered:
            _numbered(document, text, 91, level)
        else:
            document.add_paragraph(typed + text)

    document.add_paragraph("关于对机关党支部巡察情况的反馈意见")
    document.add_paragraph("机关党支部：")
    document.add_paragraph("现将巡察发现的问题反馈如下：")
    line("巡察发现的主要问题", 0, "一、")
    line("党的组织建设方面", 1, "（一）")
    line("支委会未按月召开，全年仅召开5次。", 2, "1.")
    line("发展党员程序不规范，2名预备党员转正材料缺失。", 2, "2.")
    line("作风建设方面", 1, "（二）")
    line("基层报表过多，填表报数负担重。", 2, "1.")
    line("整改意见建议", 0, "二、")
    document.add_paragraph("请在2个月内报送整改情况报告。")
    document.add_paragraph("党委第一巡察组")
    document.add_paragraph("2026年11月20日")
    return _save(document)


def test_the_list_buttons_numbers_are_read_as_the_page_shows_them():
    document = read_feedback_file(_feedback(numbered=True))
    texts = [p.text for p in document.paragraphs]
    assert "一、巡察发现的主要问题" in texts
    assert "（一）党的组织建设方面" in texts
    assert "1.支委会未按月召开，全年仅召开5次。" in texts
    assert "2.发展党员程序不规范，2名预备党员转正材料缺失。" in texts
    # A deeper level starts again under the next heading.
    assert "（二）作风建设方面" in texts
    assert "1.基层报表过多，填表报数负担重。" in texts
    assert "二、整改意见建议" in texts


def test_a_document_numbered_by_word_splits_into_the_same_problems_as_one_numbered_by_hand():
    by_word = read_feedback_file(_feedback(numbered=True)).segments()
    by_hand = read_feedback_file(_feedback(numbered=False)).segments()
    problems = [row.values[Field.DESCRIPTION] for row in by_word.rows]
    assert problems == [row.values[Field.DESCRIPTION] for row in by_hand.rows]
    assert problems == [
        "支委会未按月召开，全年仅召开5次",
        "发展党员程序不规范，2名预备党员转正材料缺失",
        "基层报表过多，填表报数负担重",
    ]


def test_a_list_continues_across_instances_unless_one_restarts_it():
    document = docx.Document()
    _define(document, 80, [("decimalEnclosedCircle", "%1")], 81)
    numbering = document.part.numbering_part.element
    # A second instance of the same list continues it; a third restarts at 1.
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="82"><w:abstractNumId w:val="80"/></w:num>'))
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="83"><w:abstractNumId w:val="80"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )
    for num_id, text in ((81, "甲"), (81, "乙"), (82, "丙"), (83, "丁")):
        _numbered(document, text, num_id, 0)
    texts = [p.text for p in read_feedback_file(_save(document)).paragraphs]
    assert texts == ["①甲", "②乙", "③丙", "①丁"]


def test_the_numbering_of_a_style_and_other_formats():
    document = docx.Document()
    # python-docx's template: "List Number" numbers through its style ("%1.").
    document.add_paragraph("按样式编号的第一项", style="List Number")
    document.add_paragraph("按样式编号的第二项", style="List Number")
    _define(document, 70, [("upperRoman", "%1."), ("lowerLetter", "%2)")], 71)
    _numbered(document, "罗马数字", 71, 0)
    _numbered(document, "字母", 71, 1)
    _numbered(document, "字母二", 71, 1)
    _define(document, 60, [("bullet", "•")], 61)
    _numbered(document, "项目符号不是编号", 61, 0)
    _define(document, 50, [("chineseCounting", "第%1条")], 51, start_overrides={0: 10})
    _numbered(document, "从第十条起", 51, 0)
    _numbered(document, "接着第十一条", 51, 0)
    _define(document, 40, [("decimal", "%1")], 41)
    _numbered(document, "编号后只有制表符", 41, 0)
    _numbered(document, "", 41, 0)  # an empty numbered paragraph: nothing to read

    texts = [p.text for p in read_feedback_file(_save(document)).paragraphs]
    assert texts == [
        "1.按样式编号的第一项",
        "2.按样式编号的第二项",
        "I.罗马数字",
        "a)字母",
        "b)字母二",
        "项目符号不是编号",
        "第十条从第十条起",
        "第十一条接着第十一条",
        "1.编号后只有制表符",
    ]


def test_a_damaged_numbering_part_costs_the_numbers_not_the_text():
    document = docx.Document()
    _define(document, 30, [("decimal", "%1.")], 31)
    # A paragraph naming a list that does not exist, and a level the list does not define.
    _numbered(document, "没有这个编号列表", 99, 0)
    _numbered(document, "没有这一级", 31, 5)
    _numbered(document, "正常的一项", 31, 0)
    texts = [p.text for p in read_feedback_file(_save(document)).paragraphs]
    assert texts == ["没有这个编号列表", "没有这一级", "1.正常的一项"]
