"""Reading what a ledger's cells say in words: deadlines, 序号, numbered measures, people, units, progress.

Pure functions, no database: each takes a raw cell value (text, number, date) and returns what it means,
together with the words a person reads in the preview ("2027年3月底前 → 2027-03-31"). Nothing here
refuses a row: a reading that cannot be made says so (``None`` and a reason), and the planner decides
what follows (docs/decisions/import-format.md).
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field
from typing import Any

import cn2an

from partyreview.rectifications.models import RectificationKind, ReportCadence

# ---- small text helpers -----------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees: whole floats without ".0", datetimes as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if not value.time() else value
    return str(value).strip()


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．／－：　", "0123456789./-: ")


def _normalise(text: str) -> str:
    return text.translate(_FULL_WIDTH).strip()


# ---- deadlines (整改时限) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineReading:
    """What a 整改时限 cell says: a date, a kind, a reporting cadence, or nothing readable.

    ``note`` is what the preview shows beside the raw text ("2027年3月底前 → 2027-03-31"); ``problem`` is
    set when the text could not be read at all (the planner then assumes the category's default).
    """

    raw: str
    due_date: datetime.date | None = None
    kind: str | None = None
    cadence: str | None = None
    problem: str = ""

    @property
    def note(self) -> str:
        parts = []
        if self.due_date:
            parts.append(f"{self.due_date:%Y-%m-%d}")
        if self.kind:
            parts.append(RectificationKind(self.kind).label)
        if self.cadence:
            parts.append(f"{ReportCadence(self.cadence).label}报告")
        if not parts:
            return f"{self.raw} → 无法识别" if self.raw else ""
        return f"{self.raw} → {'，'.join(parts)}"


# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in); serials in this range are
# plausible deadlines (1982–2173), anything else in a date column is more likely a stray number.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_RANGE = (30000, 100000)

_FULL_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YEAR_MONTH_END = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:底|末|份|中旬|上旬|下旬)?")
_YEAR_MONTH_DOTTED = re.compile(r"^(\d{4})\s*[-./]\s*(\d{1,2})$")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|年底|末|年末|内|12月底)")
_YEAR_HALF = re.compile(r"(\d{4})\s*年\s*(上半年|下半年)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_END = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(?:底|末|份|中旬|上旬|下旬)?")
_CN_MONTH = re.compile(r"([一二三四五六七八九十]{1,3})\s*月")
_QUARTER = re.compile(r"(\d{4})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度")

_IMMEDIATE_WORDS = ("立行立改", "立即整改", "即知即改", "立查立改", "马上就改")
_LONG_TERM_WORDS = ("长期坚持", "长期推进", "持续推进", "常态化", "长期", "持续整改")
_CADENCE_WORDS = (
    ("每月", ReportCadence.MONTHLY),
    ("按月", ReportCadence.MONTHLY),
    ("每季度", ReportCadence.QUARTERLY),
    ("每季", ReportCadence.QUARTERLY),
    ("按季度", ReportCadence.QUARTERLY),
    ("每半年", ReportCadence.HALF_YEARLY),
    ("每年", ReportCadence.YEARLY),
    ("每年度", ReportCadence.YEARLY),
)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _next_month_end_after(month: int, after: datetime.date) -> datetime.date:
    """ "3月底前" in a ledger written after a feedback date: the first end of March after that date."""
    candidate = _month_end(after.year, month)
    return candidate if candidate >= after else _month_end(after.year + 1, month)


def _next_day_after(month: int, day: int, after: datetime.date) -> datetime.date | None:
    for year in (after.year, after.year + 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            return None
        if candidate >= after:
            return candidate
    return None


def _date_from_text(text: str, reference: datetime.date) -> datetime.date | None:
    """The first date a text names, in any of the ways ledgers write one; ``reference`` (the feedback date)
    places a month or day given without a year."""
    if match := _FULL_DATE.search(text):
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    if match := _QUARTER.search(text):
        quarter = int(cn2an.cn2an(match.group(2), "smart")) if not match.group(2).isdigit() else int(match.group(2))
        return _month_end(int(match.group(1)), quarter * 3)
    if match := _YEAR_HALF.search(text):
        return _month_end(int(match.group(1)), 6 if match.group(2) == "上半年" else 12)
    if match := _YEAR_END.search(text):
        return datetime.date(int(match.group(1)), 12, 31)
    if match := _YEAR_MONTH_END.search(text):
        year, month = int(match.group(1)), int(match.group(2))
        return _month_end(year, month) if 1 <= month <= 12 else None
    if match := _YEAR_MONTH_DOTTED.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        return _month_end(year, month) if 1 <= month <= 12 else None
    if match := _MONTH_DAY.search(text):
        month, day = int(match.group(1)), int(match.group(2))
        return _next_day_after(month, day, reference) if 1 <= month <= 12 else None
    if match := _MONTH_END.search(text):
        month = int(match.group(1))
        return _next_month_end_after(month, reference) if 1 <= month <= 12 else None
    if match := _CN_MONTH.search(text):
        try:
            month = int(cn2an.cn2an(match.group(1), "strict"))
        except ValueError:
            return None
        return _next_month_end_after(month, reference) if 1 <= month <= 12 else None
    return None


def read_deadline(value: Any, *, reference: datetime.date) -> DeadlineReading:
    """Read a 整改时限 cell. ``reference`` is the feedback date: "3月底前" means the next end of March
    after it. Kinds come from the words (立行立改, 长期坚持); a recurring check ("每季度末") is 长期坚持
    reported at that cadence."""
    if isinstance(value, datetime.datetime):
        return DeadlineReading(raw=f"{value:%Y-%m-%d}", due_date=value.date())
    if isinstance(value, datetime.date):
        return DeadlineReading(raw=f"{value:%Y-%m-%d}", due_date=value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = cell_text(value)
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            due = _EXCEL_EPOCH + datetime.timedelta(days=int(value))
            return DeadlineReading(raw=raw, due_date=due)
        return DeadlineReading(raw=raw, problem=f"“{raw}”不是日期")
    raw = cell_text(value)
    if not raw:
        return DeadlineReading(raw="")
    text = _normalise(raw)
    kind = None
    if any(word in text for word in _IMMEDIATE_WORDS):
        kind = RectificationKind.IMMEDIATE
    cadence = next((c for word, c in _CADENCE_WORDS if word in text), None)
    if any(word in text for word in _LONG_TERM_WORDS) or cadence:
        # "立行立改，长期坚持": put right at once and then kept up. The lasting part decides the kind;
        # the immediate part is its first stage (planner: a short stage deadline).
        kind = RectificationKind.LONG_TERM
    if text.isascii() and text.isdigit() and _SERIAL_RANGE[0] <= int(text) <= _SERIAL_RANGE[1]:
        return DeadlineReading(raw=raw, due_date=_EXCEL_EPOCH + datetime.timedelta(days=int(text)))
    due = _date_from_text(text, reference)
    if due is None and kind is None:
        return DeadlineReading(raw=raw, problem=f"无法识别整改时限“{raw}”")
    return DeadlineReading(raw=raw, due_date=due, kind=kind, cadence=cadence)


# ---- 序号 ---------------------------------------------------------------------------------------------

_SEQUENCE = re.compile(
    r"^[（(]?\s*(?:第)?\s*([0-9]+|[一二三四五六七八九十百零〇两]+)\s*[)）]?\s*[、.．,，:：]?\s*(?:项|条)?$"
)


def read_sequence(value: Any) -> int | None:
    """1 / "1" / "1." / "一、" / "（一）" / "(3)" / "第十二项" as a positive number; anything else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    match = _SEQUENCE.match(_normalise(str(value)))
    if not match:
        return None
    digits = match.group(1)
    if digits.isdigit():
        number = int(digits)
    else:
        try:
            number = int(cn2an.cn2an(digits, "smart"))
        except ValueError:
            return None
    return number if number > 0 else None


# ---- numbered measures inside one cell ------------------------------------------------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# A marker opens an item at the start of the text or after a line break or an item-ending punctuation.
_ITEM_MARK = re.compile(
    # "（1）" and "①" open an item wherever they stand; "1." / "一、" / "一是" only at the start or after
    # a line break or an item-ending punctuation, so "2026.3版" or "补记1次" stay inside their item.
    r"\s*(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|[" + _CIRCLED + r"])\s*"
    r"|(?:(?<=^)|(?<=[\n；;。]))\s*(?:\d{1,2}\s*[.．、](?!\d)|[一二三四五六七八九十]{1,3}是|[一二三四五六七八九十]{1,3}、)\s*"
)


def split_measures(text: str) -> list[str]:
    """The measures a cell numbers ("1.……；2.……", "（1）……（2）……", "①……②……", one per line); a cell
    that numbers nothing is one measure. Each item keeps its words without its number."""
    text = (text or "").strip()
    if not text:
        return []
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    marks = list(_ITEM_MARK.finditer(normalised))
    if len(marks) >= 2 and not normalised[: marks[0].start()].strip():
        items = []
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(normalised)
            item = normalised[mark.end() : end].strip().rstrip("；;。").strip()
            if item:
                items.append(item)
        if len(items) >= 2:
            return items
    lines = [line.strip() for line in normalised.split("\n") if line.strip()]
    if len(lines) >= 2:
        return lines
    return [text]


# ---- people (责任人 / 责任领导) ----------------------------------------------------------------------------

_TITLES = (
    "组织部长",
    "宣传部长",
    "统战部长",
    "分管领导",
    "分管副总",
    "总法律顾问",
    "总会计师",
    "总经济师",
    "党委书记",
    "党委副书记",
    "党总支书记",
    "党支部书记",
    "支部书记",
    "纪委书记",
    "副书记",
    "书记",
    "组织委员",
    "宣传委员",
    "纪检委员",
    "委员",
    "党委委员",
    "董事长",
    "总经理",
    "副总经理",
    "院长",
    "副院长",
    "校长",
    "副校长",
    "局长",
    "副局长",
    "主任",
    "副主任",
    "部长",
    "副部长",
    "处长",
    "副处长",
    "科长",
    "副科长",
    "经理",
    "同志",
    "主席",
    "副主席",
)
_PEOPLE_SPLIT = re.compile(r"[、，,；;/\n]+|\s{2,}|和(?=[\u4e00-\u9fff]{2,3}(?:$|[、，,]))")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


_TITLES_LONGEST_FIRST = sorted(_TITLES, key=len, reverse=True)


def _strip_titles(word: str) -> str:
    """ "纪委书记赵刚" → 赵刚, "王强同志" → 王强; a word that is only a title → ""."""
    changed = True
    while changed and word:
        changed = False
        for title in _TITLES_LONGEST_FIRST:
            if word == title:
                return ""
            if word.startswith(title):
                word, changed = word[len(title) :].strip("：: "), True
                break
            if word.endswith(title):
                word, changed = word[: -len(title)].strip("：: "), True
                break
    return word


def read_people(value: Any) -> list[str]:
    """The names a 责任人 / 责任领导 cell gives, titles and roles stripped: "李建国（党委副书记）" → 李建国,
    "纪委书记 赵刚" → 赵刚, "张伟、王芳" → both."""
    text = cell_text(value)
    if not text:
        return []
    names = []
    for part in _PEOPLE_SPLIT.split(_BRACKETS.sub(" ", text)):
        words = [w for w in part.split() if w]
        kept = []
        for word in words:
            word = _strip_titles(word.strip("：: "))
            if word:
                kept.append(word)
        name = "".join(kept) if all(re.fullmatch(r"[\u4e00-\u9fff·]+", w) for w in kept) else " ".join(kept)
        if name and name not in names:
            names.append(name)
    return names


# ---- units (责任单位 / 责任部门) ------------------------------------------------------------------------

_UNIT_SPLIT = re.compile(r"[、，,；;/\n]+|\s+")
_ROLE_PREFIX = re.compile(r"^(?:牵头单位|牵头|配合单位|配合|责任单位|责任部门)[:：]?")


def read_units(value: Any) -> list[str]:
    """The units a 责任单位 cell names: "党委组织部、办公室党支部" → both, "牵头：财务部" → 财务部."""
    text = cell_text(value)
    units = []
    for part in _UNIT_SPLIT.split(text):
        part = _ROLE_PREFIX.sub("", part.strip()).strip()
        if part and part not in units:
            units.append(part)
    return units


_ORG_SUFFIXES = ("党委", "党总支", "党支部", "联合党支部", "支部", "总支", "党组")


def unit_stem(name: str) -> str:
    """A unit's name without its party suffix and its 党委/党 prefix, to match 办公室 with 办公室党支部."""
    stem = name.strip()
    for suffix in sorted(_ORG_SUFFIXES, key=len, reverse=True):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    for prefix in ("机关", "党委"):
        if stem.startswith(prefix) and len(stem) > len(prefix) + 1:
            stem = stem[len(prefix) :]
    return stem


# ---- progress (整改进展) -------------------------------------------------------------------------------


class ProgressState:
    DONE = "done"
    ONGOING = "ongoing"
    NOT_DONE = "not_done"
    KEPT_UP = "kept_up"

    LABELS = {DONE: "已完成", ONGOING: "正在推进", NOT_DONE: "未完成", KEPT_UP: "长期坚持"}


@dataclass(frozen=True)
class ProgressReading:
    """What a 整改进展 cell says: the note to keep and whether it reports the measure done."""

    note: str
    state: str | None = None
    details: list[str] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        return self.state == ProgressState.DONE


_NOT_DONE = ("未完成", "尚未完成", "没有完成", "未整改", "未开始", "尚未")
_DONE = ("已完成", "完成整改", "已整改", "已落实", "已办结", "整改完毕", "已经完成", "完成")
_KEPT_UP = ("长期坚持", "持续整改", "持续推进", "常态化")
_ONGOING = ("正在推进", "推进中", "整改中", "按序时进度", "正在整改", "阶段性成果", "部分完成", "进行中")


def read_progress(value: Any) -> ProgressReading:
    """Classify a 整改进展 cell. "取得阶段性成果并持续整改" is under way, not done; "已完成" and
    "已完成整改" are done (the planner makes them 待审核, never closed); blank says nothing."""
    note = cell_text(value)
    if not note:
        return ProgressReading(note="")
    text = _normalise(note)
    if any(word in text for word in _NOT_DONE):
        return ProgressReading(note=note, state=ProgressState.NOT_DONE)
    if any(word in text for word in _KEPT_UP) and not text.startswith("已完成"):
        return ProgressReading(note=note, state=ProgressState.KEPT_UP)
    if any(word in text for word in _ONGOING):
        return ProgressReading(note=note, state=ProgressState.ONGOING)
    if any(word in text for word in _DONE):
        return ProgressReading(note=note, state=ProgressState.DONE)
    return ProgressReading(note=note, state=ProgressState.ONGOING)
