"""反馈意见切分：an inspection team's feedback in prose becomes one source row per problem.

A 反馈意见 numbers its problems the way Chinese official documents do, nested and mixed:
"一、" / "（一）" / "1." "1、" / "（1）" / "①", and inside one paragraph "一是……二是……", "第一，……第二，……",
"其一……其二……". Headings that name an area ("（一）党的组织建设方面", "一、贯彻落实党中央决策部署方面")
group the problems under them; a numbered item that is not a heading is a problem, its first sentence the
problem itself (``Field.DESCRIPTION``) and the rest of the item, with the unnumbered paragraphs after it,
its detail (``Field.DETAIL``). What is not a problem — the title, the salutation and "现将……反馈如下",
sections such as "三、整改意见建议" or "下一步工作", the signature and the date — is left out and listed
in ``FeedbackSegments.skipped`` with the reason, so the preview can show what was not imported.

The level of a numbering style is not fixed: it is the order in which styles first appear (a document
that starts at "（一）" nests "1." under it; one that starts at "1." does not), as a reader would take it.

Pure text work: the readers (``documents``) turn .docx, .txt and pasted text into paragraphs; the planner
turns the rows into findings. For the planner: every row carries ``DESCRIPTION`` and ``DETAIL`` (the
problem's following sentences, possibly ""), ``SEQUENCE`` (1, 2, 3 … in document order) and ``group``
(the headings above it, outermost first, joined by "／"); ``number`` is the paragraph number.
"""

import re
from dataclasses import dataclass, field

from partyreview.common.spreadsheets import Cell, MergedRange, Row, Sheet, Spreadsheet
from partyreview.intake.fields import Field, SourceRow
from partyreview.intake.tables import find_ledger

# ---- normalising --------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_WIDE = f"{_CJK}\u3000-\u303f\uff00-\uffef“”‘’"
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_SPACE_LIKE = {code: " " for code in (0x3000, 0x00A0, 0x2002, 0x2003, 0x2009, 0x200B, 0xFEFF, 0x0009)}
_WIDEN = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def tidy(text: str) -> str:
    """One line of Chinese text with its punctuation and spaces made regular.

    Full-width letters and digits become half-width ("２０２５" → "2025"), ASCII punctuation next to Chinese
    becomes Chinese ("不到位,存在" → "不到位，存在"; "(一)" → "（一）"), a full stop after Chinese becomes
    "。", and spaces between Chinese characters (Word's indents, the ideographic space) go.
    """
    text = text.translate(_FULLWIDTH_TO_ASCII).translate(_SPACE_LIKE)
    text = re.sub(
        rf"(?<=[{_WIDE}])([,;:?!])|([,;:?!])(?=[{_WIDE}])",
        lambda m: _WIDEN[m.group(1) or m.group(2)],
        text,
    )
    text = re.sub(r"\(([^()\n]{1,60})\)", _widen_parentheses, text)
    text = re.sub(rf"(?<=[{_CJK}])\.(?![\d.])", "。", text)
    text = re.sub(rf"(?<=[{_WIDE}]) +(?=[{_WIDE}\d(（])|(?<=[{_WIDE}\d]) +(?=[{_WIDE}])", "", text)
    return re.sub(r" {2,}", " ", text).strip()


def _widen_parentheses(match: re.Match[str]) -> str:
    inner = match.group(1)
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    chinese_around = any(re.match(f"[{_WIDE}]", c) for c in (before, after) if c)
    if re.search(f"[{_CJK}]", inner) or re.fullmatch(r"\d{1,3}", inner) or chinese_around:
        return f"（{inner}）"
    return match.group(0)


# ---- numbering ----------------------------------------------------------------------------------------

_CN = "[一二三四五六七八九十]{1,3}"
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (style, pattern at the start of a paragraph). The pattern's group 1 is the ordinal.
_LEADING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一、", re.compile(rf"^({_CN})[、.．]\s*")),
    ("（一）", re.compile(rf"^（({_CN})）[、.]?\s*")),
    ("1.", re.compile(r"^(\d{1,2})(?:\.、|[、.](?![\d.])|）)\s*")),
    ("（1）", re.compile(r"^（(\d{1,2})）[、.]?\s*")),
    ("①", re.compile(f"^([{_CIRCLED}])[、.]?\\s*")),
    ("第一", re.compile(rf"^第({_CN})[，、：,:]\s*")),
    ("其一", re.compile(rf"^其({_CN})[，、：,:是]\s*")),
    ("一是", re.compile(rf"^({_CN})是(?=[^，,])")),
)
# Numbering inside a paragraph: a marker after the start or after a pause, ordinals 1, 2, 3 … in turn.
_PAUSE = r"(?:^|(?<=[。；;！？，,：:\s]))"
_INLINE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一是", re.compile(rf"{_PAUSE}({_CN})是(?=[^，,])")),
    ("第一", re.compile(rf"{_PAUSE}第({_CN})[，、：,:]")),
    ("其一", re.compile(rf"{_PAUSE}其({_CN})[，、：,:是]")),
    ("（1）", re.compile(rf"{_PAUSE}（(\d{{1,2}})）")),
    ("①", re.compile(f"([{_CIRCLED}])")),
)


def ordinal(label: str) -> int:
    """1 for "一", "1", "①"; 12 for "十二"; 0 when it is no ordinal we know."""
    if label.isdigit() and label.isascii():
        return int(label)
    if len(label) == 1 and label in _CIRCLED:
        return _CIRCLED.index(label) + 1
    if not label or any(c not in "一二三四五六七八九十" for c in label):
        return 0
    if "十" not in label:
        return _CN_DIGITS.get(label, 0) if len(label) == 1 else 0
    tens, _, units = label.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


@dataclass(frozen=True)
class Marker:
    style: str
    value: int
    label: str
    rest: str


def leading_marker(text: str) -> Marker | None:
    for style, pattern in _LEADING:
        match = pattern.match(text)
        if match and ordinal(match.group(1)):
            return Marker(style, ordinal(match.group(1)), match.group(0).strip(), text[match.end() :].strip())
    return None


def inline_items(text: str) -> tuple[str, list[str]] | None:
    """Split "lead。一是……；二是……。" into the lead and the items, or None when the paragraph holds fewer
    than two items numbered 1, 2 … in turn by one style."""
    for _, pattern in _INLINE:
        starts: list[tuple[int, int]] = []
        expected = 1
        for match in pattern.finditer(text):
            if ordinal(match.group(1)) == expected:
                starts.append((match.start(), match.end()))
                expected += 1
        if len(starts) >= 2:
            lead = text[: starts[0][0]].strip()
            ends = [start for start, _ in starts[1:]] + [len(text)]
            items = [text[body:end].strip(" ；;，,") for (_, body), end in zip(starts, ends, strict=True)]
            return lead, [item for item in items if item]
    return None


# ---- what a paragraph is ------------------------------------------------------------------------------

# Sections that are not problems, by their heading's words.
_NOT_PROBLEMS = re.compile(
    "整改意见|意见建议|整改建议|工作建议|下一步|整改要求|工作要求|有关要求|几点要求|基本情况|总体评价|总体情况|"
    "工作开展情况|巡察工作开展|主要成效|取得的成效|取得的成绩|工作成效|值得肯定|问题线索|移交|联系方式|附件"
)
# The heading over the problems themselves: "二、巡察发现的主要问题", "存在的问题".
_PROBLEMS = re.compile(r"(发现|存在|主要|突出)(的)?(主要)?问题|问题(清单|及表现)")
_AREA = re.compile(r"方面[：:。]?$|^(在|关于)?(党的)?(政治|思想|组织|作风|纪律|廉洁|制度)建设")
_DATE_LINE = re.compile(r"^(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日$")
_SIGNATURE = re.compile(
    r"(巡察组|巡视组|检查组|督查组|考核组|指导组|工作组|委员会|党委|党组|办公室|领导小组|纪委|纪工委|组织部|宣传部|督查室)$"
)
_CLOSING = re.compile(r"^(特此反馈|特此通知|此复|此致|敬礼|抄送|抄报|以上.{0,12}(问题|意见|情况)[，,。请])")
_PREAMBLE = re.compile(r"如下[：:。]?$|反馈如下|^(各|尊敬的)|^关于.{0,60}(反馈意见|情况的反馈|的反馈)$|同志[们]?[：:]$")
_SENTENCE_END = re.compile(r"([。；！？])")
# A first sentence longer than this is no summary: the whole item is the problem.
_MAX_DESCRIPTION = 150


def _is_heading_like(text: str) -> bool:
    """Short, no sentence inside, no full stop at the end: "党的组织建设方面", "巡察发现的主要问题"."""
    core = text.rstrip("：:")
    return len(core) <= 40 and not re.search("[。；！？]", core)


def _split_area_heading(text: str) -> tuple[str, str] | None:
    """ "党的政治建设方面。一是……" → ("党的政治建设方面", "一是……")."""
    match = re.match(r"^(.{2,40}?方面)[：:。，,\s]*(.+)$", text)
    if match and not re.search("[。；！？]", match.group(1)):
        return match.group(1), match.group(2)
    return None


def _describe(text: str) -> tuple[str, str]:
    """An item's text as the problem (its first sentence) and the detail (the rest)."""
    match = _SENTENCE_END.search(text)
    if not match or match.end() > _MAX_DESCRIPTION:
        return text.rstrip("。；"), ""
    return text[: match.start()].strip(), text[match.end() :].strip()


# ---- the outline --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a feedback text: its number in the document (first is 1) and its text."""

    number: int
    text: str


@dataclass(frozen=True)
class Skipped:
    """A part of the document that is not a problem, and why (in Chinese, shown in the preview)."""

    number: int
    text: str
    reason: str


@dataclass
class FeedbackSegments:
    """The problems of a feedback text as source rows, and everything left out."""

    rows: list[SourceRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


REASON_PREAMBLE = "开头（标题、称谓、引言）"
REASON_CLOSING = "落款、日期"
REASON_CONTAINER = "问题部分的标题"


@dataclass
class _Level:
    style: str
    label: str = ""
    heading: str = ""  # "" when the item at this level is a problem, not a heading
    skipping: str = ""  # the heading of a section that is not problems


class _Segmenter:
    def __init__(self) -> None:
        self.out = FeedbackSegments()
        self.levels: list[_Level] = []
        self.lead = ""  # an unnumbered lead sentence over 一是/二是 items
        self.current: SourceRow | None = None
        self.current_is_heading_like = False
        self.current_depth = 0  # how many outline levels stood above the current problem's item
        self.closing = False
        self.introduced = False
        self.sequence = 0

    def next_sequence(self) -> int:
        """序号 in document order: one per problem, whether prose or a table's (several measure rows)."""
        self.sequence += 1
        return self.sequence

    # -- helpers --
    def skip(self, paragraph: Paragraph, reason: str) -> None:
        self.out.skipped.append(Skipped(paragraph.number, paragraph.text, reason))

    def group(self) -> str:
        parts = [level.heading for level in self.levels if level.heading]
        if self.lead:
            parts.append(self.lead)
        return "／".join(parts)

    def skipping(self) -> str:
        return next((level.skipping for level in self.levels if level.skipping), "")

    def add_problem(self, number: int, text: str, *, heading_like: bool = False) -> None:
        description, detail = _describe(text)
        if not description:
            return
        row = SourceRow(
            number=number,
            values={
                Field.SEQUENCE: self.next_sequence(),
                Field.DESCRIPTION: description,
                Field.DETAIL: detail,
            },
            group=self.group(),
        )
        self.out.rows.append(row)
        self.current = row
        self.current_is_heading_like = heading_like
        self.current_depth = len(self.levels)

    def add_detail(self, text: str) -> None:
        assert self.current is not None
        detail = self.current.values.get(Field.DETAIL, "")
        self.current.values[Field.DETAIL] = f"{detail}\n{text}" if detail else text

    def enter(self, marker: Marker) -> _Level:
        """Place a numbered paragraph in the outline: back to its style's level, or one deeper."""
        for depth, level in enumerate(self.levels):
            if level.style == marker.style:
                del self.levels[depth:]
                break
        else:
            if marker.style == "一、" and self.levels:
                # "一、" is the top of official numbering wherever it first appears (a pasted excerpt may
                # start at "（一）"): it closes everything open.
                self.levels.clear()
                self.current = None
            # A deeper item under a short "problem" that has no detail yet: that was a heading after all.
            current = self.current
            if (
                current is not None
                and self.current_is_heading_like
                and self.levels
                and not current.values.get(Field.DETAIL)
                and self.out.rows
                and self.out.rows[-1] is current
            ):
                self.out.rows.pop()
                self.levels[-1].heading = f"{self.levels[-1].label}{current.values[Field.DESCRIPTION]}"
                self.current = None
        level = _Level(marker.style, marker.label)
        self.levels.append(level)
        self.lead = ""
        return level

    # -- the paragraph --
    def feed(self, paragraph: Paragraph) -> None:
        text = paragraph.text
        if self.closing or _DATE_LINE.match(text) or _CLOSING.match(text):
            self.closing = self.closing or bool(_CLOSING.match(text)) or bool(self.out.rows)
            self.skip(paragraph, REASON_CLOSING)
            return
        if _is_heading_like(text) and _SIGNATURE.search(text) and self.out.rows:
            self.skip(paragraph, REASON_CLOSING)
            self.closing = True
            return

        marker = leading_marker(text)
        if marker is None:
            self.feed_unnumbered(paragraph)
            return
        # 一是/二是 at a paragraph's start, with 二是 in the same paragraph: the items are inline.
        if marker.style == "一是" and inline_items(text):
            self.feed_unnumbered(paragraph)
            return
        current, depth = self.current, self.current_depth
        level = self.enter(marker)
        if current is not None and self.current is current and len(self.levels) > depth:
            # "（1）…（2）…" under a problem that is a sentence: its examples, not problems of their own.
            self.levels.pop()
            self.add_detail(text)
            return
        if self.skipping() and len(self.levels) > 1:
            self.skip(paragraph, f"非问题部分：{self.skipping()}")
            return
        rest = marker.rest
        if _is_heading_like(rest):
            if _NOT_PROBLEMS.search(rest) and not _AREA.search(rest):
                level.skipping = text
                self.current = None
                self.skip(paragraph, f"非问题部分：{text}")
                return
            if _PROBLEMS.search(rest):
                self.current = None
                self.skip(paragraph, REASON_CONTAINER)
                return
            if _AREA.search(rest):
                level.heading = text
                self.current = None
                return
            self.add_problem(paragraph.number, rest, heading_like=True)
            return
        split = _split_area_heading(rest)
        if split:
            heading, body = split
            level.heading = f"{marker.label}{heading}"
            self.current = None
            self.feed_body(paragraph.number, body)
            return
        self.feed_body(paragraph.number, rest, numbered=True)

    def feed_table(self, table: "DocumentTable") -> None:
        """A table in the document is a ledger: one row per problem (or per measure of one)."""
        summary = " | ".join(" ".join(cells) for cells in table.rows[:2])[:200]
        if self.skipping():
            self.skip(Paragraph(table.number, summary), f"非问题部分：{self.skipping()}")
            return
        found = find_ledger(_table_book(table))
        if not found.header_rows or Field.DESCRIPTION not in found.mapping:
            self.skip(Paragraph(table.number, summary), REASON_TABLE)
            return
        sequence = 0
        last = None
        for row in found.rows:
            values = dict(row.values)
            description = str(values.get(Field.DESCRIPTION) or "").strip()
            if not description:
                continue
            # One problem over several measure rows (merged down in Word) keeps one number.
            if (description, values.get(Field.SEQUENCE)) != last:
                sequence = self.next_sequence()
                last = (description, values.get(Field.SEQUENCE))
            values[Field.SEQUENCE] = sequence
            values.setdefault(Field.DETAIL, "")
            group = "／".join(part for part in (self.group(), row.group) if part)
            self.out.rows.append(SourceRow(number=table.number, values=values, group=group))
        self.current = None

    def feed_body(self, number: int, text: str, *, numbered: bool = False) -> None:
        """The text of an item: one problem, or a lead with 一是/二是 problems inside."""
        inline = inline_items(text)
        if inline:
            lead, items = inline
            self.lead = lead.rstrip("：:。；，,")
            for item in items:
                self.add_problem(number, item)
            return
        if numbered or self.current is None:
            self.add_problem(number, text)
        else:
            self.add_detail(text)

    def feed_unnumbered(self, paragraph: Paragraph) -> None:
        text = paragraph.text
        if self.skipping():
            self.skip(paragraph, f"非问题部分：{self.skipping()}")
            return
        inline = inline_items(text)
        started = bool(self.out.rows) or any(level.heading for level in self.levels)
        container_seen = any(s.reason == REASON_CONTAINER for s in self.out.skipped)
        if inline:
            self.feed_body(paragraph.number, text)
            return
        if _is_heading_like(text) and _NOT_PROBLEMS.search(text) and not _AREA.search(text):
            # "整改要求：" without a number: the rest of the document is not problems.
            self.levels = [_Level(style="", skipping=text)]
            self.current = None
            self.skip(paragraph, f"非问题部分：{text}")
            return
        if not started and not container_seen and not self.introduced:
            # "现将……反馈如下：" ends the preamble: what follows is the problems, numbered or not.
            self.introduced = bool(re.search(r"如下[：:。]?$", text))
            self.skip(paragraph, REASON_PREAMBLE)
            return
        if _PREAMBLE.search(text) and self.current is None:
            self.skip(paragraph, REASON_PREAMBLE)
            return
        if _is_heading_like(text) and _AREA.search(text):
            self.levels = [level for level in self.levels if level.style]
            self.levels.append(_Level(style="", heading=text.rstrip("：:")))
            self.current = None
            return
        if self.current is None:
            self.add_problem(paragraph.number, text)
        else:
            self.add_detail(text)


@dataclass(frozen=True)
class DocumentTable:
    """A table of a .docx: the paragraph number it stands at, and its cells' text row by row (a merged
    cell repeats its text in every row and column it spans, as Word shows it)."""

    number: int
    rows: list[list[str]]


REASON_TABLE = "表格中没有“问题”列"


def _table_book(table: DocumentTable) -> Spreadsheet:
    """A Word table as a one-sheet workbook for the ledger's table finder: a cell Word merged across
    columns (its text repeated by python-docx) becomes one merged cell, as Excel would hold it."""
    rows, merged = [], []
    for number, texts in enumerate(table.rows, start=1):
        cells: dict[int, Cell] = {}
        column = 1
        while column <= len(texts):
            text = texts[column - 1]
            end = column
            while end < len(texts) and text and texts[end] == text:
                end += 1
            if text:
                cells[column] = Cell(value=text, row=number, column=column)
            if end > column:
                merged.append(MergedRange(f"R{number}C{column}", number, column, number, end))
            column = end + 1
        rows.append(Row(number=number, cells=cells))
    sheet = Sheet(name=f"第{table.number}段的表格", index=0, hidden=False, rows=rows, merged=merged)
    return Spreadsheet(sheets=[sheet], size=0)


def segment(blocks: "list[Paragraph | DocumentTable]") -> FeedbackSegments:
    """The problems of a feedback text, in the document's order, and what was left out."""
    segmenter = _Segmenter()
    for block in blocks:
        if isinstance(block, DocumentTable):
            segmenter.feed_table(block)
            continue
        text = tidy(block.text)
        if text:
            segmenter.feed(Paragraph(block.number, text))
    return segmenter.out


def paragraphs_of(text: str) -> list[Paragraph]:
    """Pasted or .txt text as paragraphs: one per non-blank line, numbered from 1 in reading order."""
    lines = [tidy(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [Paragraph(number, line) for number, line in enumerate((line for line in lines if line), start=1)]


def segment_text(text: str) -> FeedbackSegments:
    return segment(paragraphs_of(text))
