"""反馈意见切分：feedback documents of our own, in the shapes inspection teams write them, become problems.

Each text under tests/intake/data/feedback/ is one shape (nested numbering, 一是/二是 inside paragraphs,
half-width and full-width punctuation, 第一/其一, ①, plain numbered items with detail paragraphs, mixed
levels); the tests assert the problems in order, their groups, what was skipped and the suggested
categories.
"""

from pathlib import Path

import pytest

from partyreview.intake.classify import suggest_category
from partyreview.intake.documents import read_feedback_file, read_pasted
from partyreview.intake.feedback import REASON_CLOSING, REASON_CONTAINER, REASON_PREAMBLE, segment_text, tidy
from partyreview.intake.fields import Field

DATA = Path(__file__).parent / "data" / "feedback"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def problems(segments) -> list[str]:
    return [row.values[Field.DESCRIPTION] for row in segments.rows]


def categories(segments) -> list[str]:
    return [
        suggest_category(f"{row.values[Field.DESCRIPTION]}。{row.values[Field.DETAIL]}", heading=row.group).code
        for row in segments.rows
    ]


def skipped(segments) -> list[tuple[int, str]]:
    return [(part.number, part.reason) for part in segments.skipped]


def test_nested_numbering_with_inline_items_under_area_headings():
    segments = segment_text(read("nested.txt"))

    assert problems(segments) == [
        "党建与业务“两张皮”",
        "党内政治生活不够严肃",
        "“三会一课”落实不到位，2025年支委会仅召开7次",
        "党费收缴不规范，3名党员欠缴党费超过6个月",
        "支部委员会任期已满，未按期换届",
        "形式主义问题依然存在",
    ]
    assert [row.group for row in segments.rows] == ["（一）党的政治建设方面"] * 2 + ["（二）党的组织建设方面"] * 3 + [
        "（三）作风建设方面"
    ]
    assert [row.number for row in segments.rows] == [8, 9, 10, 10, 10, 12]
    assert [row.values[Field.SEQUENCE] for row in segments.rows] == [1, 2, 3, 4, 5, 6]
    assert segments.rows[0].values[Field.DETAIL] == "支部工作计划与科研任务分开部署，党建考核与业务考核互不关联。"
    assert segments.rows[5].values[Field.DETAIL] == (
        "部分工作只重留痕，台账材料繁多。\n具体表现为：每月报送各类报表十余份。"
    )
    assert skipped(segments) == [
        (1, REASON_PREAMBLE),
        (2, REASON_PREAMBLE),
        (3, REASON_PREAMBLE),
        (4, "非问题部分：一、巡察工作基本情况"),
        (5, "非问题部分：一、巡察工作基本情况"),
        (6, REASON_CONTAINER),
        (14, "非问题部分：三、整改意见建议"),
        (15, "非问题部分：三、整改意见建议"),
        (16, "非问题部分：三、整改意见建议"),
        (17, REASON_CLOSING),
        (18, REASON_CLOSING),
    ]
    assert categories(segments) == [
        "two_skins",
        "political_life",
        "meeting_lapses",
        "dues_arrears",
        "election_overdue",
        "work_style",
    ]


def test_yishi_erchi_inside_area_paragraphs_each_become_a_problem():
    segments = segment_text(read("areas_inline.txt"))

    assert len(segments.rows) == 9
    assert problems(segments)[4] == "所属第二党支部书记由车间主任兼任，抓党建精力不足"
    assert [row.group for row in segments.rows][::3] == [
        "（一）党的政治建设方面",
        "（二）党的思想建设方面",
        "（三）党的组织建设方面",
    ]
    assert categories(segments) == [
        "two_skins",
        "political_life",
        "theory_study",
        "theory_study",
        "weak_leadership",
        "member_management",
        "member_recruitment",
        "integrity",
        "integrity",
    ]
    assert skipped(segments) == [
        (1, REASON_PREAMBLE),
        (2, REASON_PREAMBLE),
        (3, REASON_PREAMBLE),
        (8, "非问题部分：整改要求："),
        (9, "非问题部分：整改要求："),
        (10, REASON_CLOSING),
        (11, REASON_CLOSING),
    ]


def test_half_width_punctuation_is_read_and_tidied_and_sub_items_stay_detail():
    segments = segment_text(read("halfwidth.txt"))

    assert problems(segments) == [
        "支委会召开不规律，部分月份未召开，会议记录缺失",
        "党课质量不高，照本宣科，缺乏针对性",
        "党员活动室被挪作他用，活动阵地不足",
    ]
    assert segments.rows[1].values[Field.DETAIL] == "（1）书记讲党课次数不足。\n（2）党课内容与支部实际联系不紧。"
    assert categories(segments) == ["meeting_lapses", "meeting_lapses", "carriers"]
    assert skipped(segments) == [(1, REASON_PREAMBLE), (2, REASON_PREAMBLE), (8, REASON_CLOSING)]


def test_full_width_digits_and_ideographic_spaces():
    segments = segment_text(read("fullwidth.txt"))

    assert problems(segments) == ["党费收缴不规范", "支部委员会任期届满未换届", "形式主义、官僚主义问题仍然存在"]
    assert segments.rows[0].values[Field.DETAIL] == "部分党员交纳基数核定不准，2025年有4名党员少交党费。"
    assert segments.rows[2].values[Field.DETAIL] == "部分工作只重留痕，基层反映填表报数负担重。"
    assert categories(segments) == ["dues_arrears", "election_overdue", "work_style"]
    assert skipped(segments) == [
        (1, REASON_PREAMBLE),
        (2, REASON_CONTAINER),
        (9, "非问题部分：二、整改建议"),
        (10, "非问题部分：二、整改建议"),
        (11, "非问题部分：二、整改建议"),
    ]


def test_di_yi_and_qi_yi_ordinals():
    segments = segment_text(read("ordinals.txt"))

    assert problems(segments) == [
        "党建与科研业务“两张皮”，支部活动与课题攻关脱节",
        "部分党员先锋模范作用发挥不充分，在重大科研任务面前不带头",
        "支部纪检委员未发挥监督作用，对党员的日常监督缺失",
        "学习计划中半数专题未开展",
        "理论学习以读文件为主，研讨不深入",
    ]
    assert segments.rows[3].group == "此外，支部的学习计划执行情况也需改进"
    assert categories(segments) == ["two_skins", "vanguard_role", "supervision", "theory_study", "theory_study"]
    assert skipped(segments) == [
        (1, REASON_PREAMBLE),
        (2, REASON_PREAMBLE),
        (7, "非问题部分：下一步工作"),
        (8, "非问题部分：下一步工作"),
    ]


def test_circled_numbers_under_numbered_headings():
    segments = segment_text(read("circled.txt"))

    assert problems(segments) == [
        "部分支部委员会不健全，组织委员空缺",
        "个别党支部被确定为软弱涣散党组织后整顿不力",
        "发展党员把关不严，入党积极分子培养考察流于形式",
        "离退休党员教育管理松懈，长期不参加组织生活",
    ]
    assert [row.group for row in segments.rows] == ["1、支部建设方面"] * 2 + ["2、党员队伍方面"] * 2
    assert categories(segments) == ["weak_leadership", "weak_leadership", "member_recruitment", "member_management"]
    assert (2, "非问题部分：一、总体评价") in skipped(segments)
    assert (11, "非问题部分：三、工作要求") in skipped(segments)


def test_plain_numbered_items_take_the_paragraphs_after_them_as_detail():
    segments = segment_text(read("plain.txt"))

    assert problems(segments) == ["全面从严治党主体责任落实不到位", "廉洁风险防控薄弱", "文山会海问题突出"]
    assert segments.rows[0].values[Field.DETAIL].count("\n") == 1
    assert "以上问题" not in segments.rows[2].values[Field.DETAIL]
    assert categories(segments) == ["responsibility", "integrity", "work_style"]
    assert skipped(segments) == [(1, REASON_PREAMBLE), (2, REASON_PREAMBLE), (10, REASON_CLOSING)]


def test_problem_headings_nest_under_area_headings():
    segments = segment_text(read("mixed_levels.txt"))

    assert [row.group for row in segments.rows] == [
        "一、贯彻落实党中央决策部署方面／（一）学习贯彻党的创新理论不够深入",
        "一、贯彻落实党中央决策部署方面／（一）学习贯彻党的创新理论不够深入",
        "一、贯彻落实党中央决策部署方面／（二）党建工作与中心工作融合不够",
        "二、落实全面从严治党责任方面／（一）监督责任落实不到位",
        "二、落实全面从严治党责任方面／（一）监督责任落实不到位",
    ]
    assert categories(segments) == ["theory_study", "theory_study", "two_skins", "supervision", "supervision"]
    assert [reason for _, reason in skipped(segments)][1:] == ["非问题部分：三、巡察整改要求"] * 3


def test_a_gbk_file_reads_like_its_utf8_twin():
    text = read("nested.txt")

    from_gbk = read_feedback_file(text.encode("gbk")).segments()
    from_utf8_bom = read_feedback_file(b"\xef\xbb\xbf" + text.encode("utf-8")).segments()

    assert problems(from_gbk) == problems(segment_text(text)) == problems(from_utf8_bom)
    assert skipped(from_gbk) == skipped(segment_text(text))


def test_pasted_text_with_windows_line_ends():
    pasted = read("areas_inline.txt").replace("\n", "\r\n")
    assert problems(read_pasted(pasted).segments()) == problems(segment_text(read("areas_inline.txt")))


@pytest.mark.parametrize(
    ("raw", "tidied"),
    [
        ("１．党费收缴不规范", "1.党费收缴不规范"),
        ("(一)党的政治建设方面", "（一）党的政治建设方面"),
        ("(1)书记讲党课次数不足.", "（1）书记讲党课次数不足。"),
        ("存在问题,一是党费 欠缴;二是会议少", "存在问题，一是党费欠缴；二是会议少"),
        ("　　2025年3月召开2.5小时", "2025年3月召开2.5小时"),
    ],
)
def test_tidy_makes_punctuation_and_spaces_regular(raw, tidied):
    assert tidy(raw) == tidied


def test_a_text_without_numbering_after_a_preamble_keeps_each_problem_with_its_detail():
    segments = segment_text("现将有关问题反馈如下：\n支部党员大会未按季度召开。\n2025年仅召开2次。")
    assert problems(segments) == ["支部党员大会未按季度召开"]
    assert segments.rows[0].values[Field.DETAIL] == "2025年仅召开2次。"
    assert skipped(segments) == [(1, REASON_PREAMBLE)]


def test_unrelated_first_shi_words_are_not_numbering():
    segments = segment_text("1.思想统一是前提，但支部学习计划未落实。")
    assert problems(segments) == ["思想统一是前提，但支部学习计划未落实"]
