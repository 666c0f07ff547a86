"""Word's automatic list numbers, as the reader sees them on the page.

A feedback document typed in Word often numbers its problems with the list button rather than by hand:
the "1." or "（一）" is then no character of the paragraph's text but a rule in the document's numbering
part (``numbering.xml``), and python-docx gives the text without it. Read that way a document of twelve
numbered problems is one unnumbered block. This module renders the numbers as Word draws them so that
the feedback segmenter (``feedback.py``) sees what a person sees.

What is read: a paragraph's own ``w:numPr`` or its style's (through ``basedOn``); ``w:num`` instances and
their ``w:lvlOverride/w:startOverride``; each level's ``w:start``, ``w:numFmt``, ``w:lvlText`` and
``w:isLgl``; a deeper level restarts when a shallower one advances. Counters run per abstract list, which
is how Word continues a list across ``w:num`` instances that do not override their start. Bullets and
formats without numbers give no label. Anything unreadable in the numbering part means no labels at all:
the paragraphs' own text is still there.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cn2an import an2cn
from docx.oxml.ns import qn

_PLACEHOLDER = re.compile(r"%([1-9])")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
# A label ending in a bare number (lvlText "%1" followed by a tab) reads as numbered only with a mark.
_BARE_END = re.compile(r"[0-9A-Za-z〇零一二三四五六七八九十百千甲乙丙丁戊己庚辛壬癸]$")


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word's lettered lists go a…z, aa…zz, aaa…
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _cycle(symbols: str) -> Callable[[int], str]:
    return lambda n: symbols[(n - 1) % len(symbols)]


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(d) + 0xFEE0) for d in str(n)),
    "decimalFullWidth2": lambda n: "".join(chr(ord(d) + 0xFEE0) for d in str(n)),
    "decimalHalfWidth": str,
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n),
    "decimalEnclosedParen": lambda n: f"({n})",
    "decimalEnclosedFullstop": lambda n: f"{n}.",
    "chineseCounting": lambda n: an2cn(n),
    "chineseCountingThousand": lambda n: an2cn(n),
    "chineseLegalSimplified": lambda n: an2cn(n, "up"),
    "ideographDigital": lambda n: "".join("〇一二三四五六七八九"[int(d)] for d in str(n)),
    "japaneseCounting": lambda n: an2cn(n),
    "ideographTraditional": _cycle(_HEAVENLY_STEMS),
    "ideographZodiac": _cycle(_EARTHLY_BRANCHES),
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": _roman,
}


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str
    legal: bool


@dataclass
class _Instance:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # lvlOverride/startOverride by level


def _val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class WordNumbering:
    """The labels of one document's numbered paragraphs, in reading order: call ``label`` on each
    paragraph as it comes (counters advance)."""

    def __init__(self, word) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.instances: dict[str, _Instance] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        try:
            root = word.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                ilvl = _int(lvl.get(qn("w:ilvl")), 0)
                levels[ilvl] = _Level(
                    start=_int(_val(lvl, "w:start"), 1),
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    legal=lvl.find(qn("w:isLgl")) is not None,
                )
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            instance = _Instance(abstract=_val(num, "w:abstractNumId") or "")
            for override in num.findall(qn("w:lvlOverride")):
                start = _val(override, "w:startOverride")
                if start is not None:
                    instance.starts[_int(override.get(qn("w:ilvl")), 0)] = _int(start, 1)
            self.instances[num.get(qn("w:numId"))] = instance

    def label(self, paragraph) -> str:
        """The number Word draws before ``paragraph`` ("1.", "（一）", "①"), '' when none."""
        found = _numbering_of(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        instance = self.instances.get(num_id)
        if instance is None or num_id == "0":
            return ""
        levels = self.levels.get(instance.abstract, {})
        level = levels.get(ilvl)
        if level is None or level.fmt in ("bullet", "none") or not level.text:
            return ""
        counters = self.counters.setdefault(instance.abstract, {})
        if num_id not in self.started:
            # A list instance that overrides its start begins afresh there.
            self.started.add(num_id)
            for overridden, start in instance.starts.items():
                counters[overridden] = start - 1
        start = instance.starts.get(ilvl, level.start)
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def render(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            shown = levels.get(index)
            value = counters.get(index, shown.start if shown else 1)
            fmt = "decimal" if level.legal or shown is None else shown.fmt
            return _FORMATS.get(fmt, str)(value)

        label = _PLACEHOLDER.sub(render, level.text).strip()
        if label and _BARE_END.search(label):
            label += "、" if re.search(r"[〇-龥]$", label) else "."
        return label


def _numbering_of(paragraph) -> tuple[str, int] | None:
    """(numId, ilvl) of the paragraph, from its own properties or its style chain."""
    ppr = paragraph._p.pPr
    num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
    num_id, ilvl = (_val(num_pr, "w:numId"), _val(num_pr, "w:ilvl")) if num_pr is not None else (None, None)
    style = paragraph.style if num_id is None or ilvl is None else None
    seen = 0
    while style is not None and (num_id is None or ilvl is None) and seen < 20:
        style_ppr = style.element.pPr
        style_num = style_ppr.find(qn("w:numPr")) if style_ppr is not None else None
        if style_num is not None:
            num_id = num_id or _val(style_num, "w:numId")
            ilvl = ilvl or _val(style_num, "w:ilvl")
        style = style.base_style
        seen += 1
    if num_id is None:
        return None
    return num_id, _int(ilvl, 0)
