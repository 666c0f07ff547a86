"""列名识别：a column vocabulary (field → the header words offices use for it) and the matching of a sheet's
header texts against it.

Generic on purpose: the ledger import uses ``LEDGER_COLUMNS`` (fields of ``intake.fields.Field``); the
organisation and people imports build their own ``Vocabulary`` over their own fields and reuse
``tables.find_table`` unchanged.

Matching, in order, on headers normalised by ``normalise_header`` (full-width → half-width, whitespace and
line breaks removed, parenthesised notes such as "整改时限（完成时间）" and marks such as "*" dropped,
lower case):

1. exact: the header is one of a field's synonyms ("存在问题" → description);
2. contained: a synonym of three or more characters stands inside a short header ("具体整改措施" →
   measure); when several fields' synonyms do, the one ending the header wins (Chinese puts the head noun
   last: "整改措施完成情况" is a progress column), then the longest.

Synonyms are listed in order of preference: when two columns match one field ("牵头单位" and "配合单位"),
the column whose synonym comes first keeps the field and the other is offered as an unrecognised column
(``Match.rank`` says which). Two columns matching one field at the same rank are a header problem the
caller reports.
"""

import re
import unicodedata
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from partyreview.intake.fields import Field

F = TypeVar("F", bound=Hashable)

# Notes in brackets: "整改时限（完成时间）", "责任人(签字)", "【必填】".
BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>|〈[^〈〉]*〉|《[^《》]*》")
MARKS = re.compile(r"[\s*＊※★☆:：、,，.。;；/／\\_\-—–·•'\"“”‘’!！?？]+")
MIN_CONTAINED = 3
# A header longer than this is a title or a sentence, never matched by containment.
MAX_HEADER = 14


def normalise_header(text: object) -> str:
    """The form headers are compared in: NFKC (full-width letters, digits and brackets to half-width),
    bracketed notes and punctuation dropped, whitespace and line breaks removed, lower case."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = BRACKETED.sub("", value)
    return MARKS.sub("", value).lower()


@dataclass(frozen=True)
class Match(Generic[F]):
    field: F
    rank: int  # the synonym's place in the field's list: lower is preferred
    exact: bool
    synonym: str


@dataclass(frozen=True)
class Vocabulary(Generic[F]):
    """The header words of one kind of sheet. ``synonyms`` lists each field's names, preferred first;
    ``required`` are the fields without which a sheet cannot be this kind of table; ``core`` are the fields
    that make a row a header at all (at least one must be matched)."""

    synonyms: Mapping[F, Sequence[str]]
    required: frozenset[F] = frozenset()
    core: frozenset[F] = frozenset()
    labels: Mapping[F, str] = field(default_factory=dict)
    _exact: dict[str, tuple[F, int]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, words in self.synonyms.items():
            for rank, word in enumerate(words):
                self._exact.setdefault(normalise_header(word), (name, rank))

    def label(self, name: F) -> str:
        return self.labels.get(name) or str(getattr(name, "label", name))

    def match(self, header: object) -> Match[F] | None:
        text = normalise_header(header)
        if not text:
            return None
        found = self._exact.get(text)
        if found is not None:
            return Match(found[0], found[1], True, text)
        if len(text) > MAX_HEADER:
            return None
        best: tuple[tuple[int, int, int], Match[F]] | None = None
        for key, (name, rank) in self._exact.items():
            if len(key) < MIN_CONTAINED or key not in text:
                continue
            # Prefer the synonym that ends the header, then the longest, then the preferred one.
            score = (int(text.endswith(key)), len(key), -rank)
            if best is None or score > best[0]:
                best = (score, Match(name, rank, False, key))
        return None if best is None else best[1]

    def synonyms_text(self, name: F, limit: int = 4) -> str:
        words = [w for w in self.synonyms.get(name, ())[1:] if not w.isascii()][:limit]
        return "、".join(words)


# ---- the ledger's vocabulary ------------------------------------------------------------------------
# Written from real 整改台账 / 问题清单 layouts and other systems' exports; preferred names first.

LEDGER_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.SEQUENCE: ("序号", "编号", "问题序号", "问题编号", "序", "No.", "No", "Num", "Number", "ID", "#"),
    Field.ORGANIZATION: (
        "党组织",
        "党组织名称",
        "被检查单位",
        "被检查党组织",
        "被巡察单位",
        "被巡察党组织",
        "被巡视单位",
        "所在党组织",
        "党支部",
        "支部名称",
        "所属支部",
        "单位名称",
        "OrgName",
        "Organization",
        "Org",
    ),
    Field.CATEGORY: (
        "问题类别",
        "问题类型",
        "问题分类",
        "问题领域",
        "问题方面",
        "所属方面",
        "类别",
        "类型",
        "分类",
        "方面",
        "IssueType",
        "Category",
        "Type",
    ),
    Field.SEVERITY: ("严重程度", "问题等级", "问题程度", "程度", "Severity", "Level"),
    Field.DESCRIPTION: (
        "问题描述",
        "存在问题",
        "存在的问题",
        "问题内容",
        "具体问题",
        "问题表现",
        "问题表现形式",
        "主要问题",
        "反馈问题",
        "反馈意见",
        "巡察反馈问题",
        "巡视反馈问题",
        "检查发现问题",
        "发现问题",
        "问题清单",
        "问题",
        "IssueDesc",
        "Issue",
        "Description",
        "Problem",
    ),
    Field.BASIS: ("依据", "问题依据", "违反规定", "违反条款", "制度依据", "政策依据", "Basis"),
    Field.FOUND_ON: ("发现日期", "发现时间", "反馈日期", "反馈时间", "检查日期", "巡察日期", "FoundDate", "FoundOn"),
    Field.MEASURE: (
        "整改措施",
        "整改任务",
        "具体措施",
        "整改举措",
        "主要措施",
        "具体整改措施",
        "整改目标及措施",
        "整改要求",
        "任务清单",
        "措施",
        "Measure",
        "Measures",
        "Action",
        "Task",
    ),
    Field.KIND: ("整改类型", "整改方式", "整改类别", "整改性质", "Kind"),
    Field.LEADER: ("责任领导", "分管领导", "牵头领导", "责任校领导", "领导", "Leader"),
    Field.ASSIGNEE: ("责任人", "具体责任人", "直接责任人", "经办人", "承办人", "Owner", "Assignee", "Responsible"),
    Field.DEPARTMENT: (
        "责任单位",
        "责任部门",
        "牵头单位",
        "牵头部门",
        "主责单位",
        "主责部门",
        "责任科室",
        "承办单位",
        "配合单位",
        "配合部门",
        "协办单位",
        "Department",
        "Dept",
    ),
    Field.DUE_DATE: (
        "整改时限",
        "完成时限",
        "整改期限",
        "截止日期",
        "完成时间",
        "整改时间",
        "完成期限",
        "办结时限",
        "计划完成时间",
        "时限",
        "DueDate",
        "Deadline",
        "Due",
    ),
    Field.PROGRESS: (
        "整改进展",
        "整改进度",
        "整改情况",
        "完成情况",
        "整改完成情况",
        "整改落实情况",
        "进展情况",
        "推进情况",
        "落实情况",
        "整改状态",
        "目前进展",
        "备注",
        "Status",
        "Progress",
        "Remarks",
        "Remark",
    ),
}

LEDGER_COLUMNS: Vocabulary[Field] = Vocabulary(
    synonyms=LEDGER_SYNONYMS,
    required=frozenset({Field.DESCRIPTION}),
    core=frozenset({Field.DESCRIPTION, Field.MEASURE}),
    labels={f: f.label for f in Field},
)
