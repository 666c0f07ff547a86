"""问题类别 as a ledger writes it, resolved to one of ours — never a row refused for a category name.

A cell that names one of our categories (by name or code, with either kind of quotes) or a common synonym
of one decides it. Anything else — a broad area of an inspection report (党的政治建设方面, 组织建设 …), a
category we do not keep, or nothing — is only a hint: the problem's own text decides, through the same
suggestion the feedback documents use (``intake.classify``), and the preview shows why and lets the user
change it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from partyreview.inspections.models import Category

# Words offices use for our categories. Each maps to a code of domain.md's standard list.
SYNONYMS: dict[str, str] = {
    "两张皮": "two_skins",
    "党建与业务融合不够": "two_skins",
    "党建与业务融合不紧密": "two_skins",
    "书记履职不到位": "weak_leadership",
    "班子建设薄弱": "weak_leadership",
    "软弱涣散": "weak_leadership",
    "三会一课": "meeting_lapses",
    "组织生活不规范": "meeting_lapses",
    "党费收缴": "dues_arrears",
    "党费": "dues_arrears",
    "党建责任制": "responsibility",
    "主体责任": "responsibility",
    "理论学习": "theory_study",
    "学习教育": "theory_study",
    "换届": "election_overdue",
    "组织生活会": "political_life",
    "党内政治生活": "political_life",
    "党员教育管理": "member_management",
    "党员管理": "member_management",
    "发展党员": "member_recruitment",
    "党内监督": "supervision",
    "监督执纪": "supervision",
    "党风廉政": "integrity",
    "廉政建设": "integrity",
    "作风建设": "work_style",
    "形式主义": "work_style",
    "官僚主义": "work_style",
    "先锋模范": "vanguard_role",
    "阵地建设": "carriers",
    "活动载体": "carriers",
}


@dataclass(frozen=True)
class CategoryChoice:
    """The category a finding gets, and why: ``exact`` when the cell named it, else a suggestion."""

    category: Category
    reason: str
    exact: bool
    confidence: float = 1.0
    alternatives: list[str] = field(default_factory=list)


def _normalise(text: str) -> str:
    return re.sub(r"[\"“”„‟＂'‘’\s]", "", text or "")


class CategoryResolver:
    """Resolves cells against the active categories, read once per plan."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self.categories = list(categories)
        self.by_code = {c.code: c for c in self.categories}
        self.by_name = {_normalise(c.name): c for c in self.categories}

    def named(self, text: str) -> tuple[Category, str] | None:
        """The category a cell names outright (name, code or synonym), else None."""
        wanted = _normalise(text)
        if not wanted:
            return None
        if wanted in self.by_name:
            return self.by_name[wanted], f"表中类别“{text}”"
        if wanted in self.by_code:
            return self.by_code[wanted], f"表中类别编码“{text}”"
        for word, code in sorted(SYNONYMS.items(), key=lambda item: -len(item[0])):
            if word in wanted and code in self.by_code:
                return self.by_code[code], f"表中类别“{text}”含“{word}”"
        return None

    def resolve(self, *, text: str, description: str, heading: str = "") -> CategoryChoice:
        named = self.named(text)
        if named:
            return CategoryChoice(category=named[0], reason=named[1], exact=True)
        # Local import: the suggestion module is the feedback documents' too, and heavy to load.
        from partyreview.intake.classify import suggest_category

        suggestion = suggest_category(description, heading=" ".join(p for p in (text, heading) if p))
        category = self.by_code.get(suggestion.code) or self.by_code.get("other") or self.categories[0]
        why = "、".join(str(r) for r in suggestion.reasons[:3]) or "问题描述中没有明显的关键词"
        prefix = f"表中类别“{text}”不是本系统的类别；" if text else ""
        return CategoryChoice(
            category=category,
            reason=f"{prefix}按问题描述建议：{why}",
            exact=False,
            confidence=float(suggestion.confidence),
            alternatives=[code for code, *_ in _ranked(suggestion.ranked)][:3],
        )


def _ranked(ranked: object) -> list[tuple]:
    items = []
    for item in ranked or []:
        if isinstance(item, tuple):
            items.append(item)
        elif isinstance(item, str):
            items.append((item,))
        else:
            items.append((getattr(item, "code", str(item)),))
    return items
