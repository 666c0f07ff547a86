"""建议：a feedback document's problems arrive without category or measure; suggest both before planning.

A 反馈意见 names the problems and leaves the measures to the committee. So that the preview starts from
something importable rather than from blanks, each problem gets the category its words suggest
(``classify``, from the problem, its detail and its headings) and, as its first measure, the measure
library's first suggestion for that category (``rectifications.selectors.measure_suggestions``: the
committee's most used closed measures first). Both are marked as suggestions in the preview, where the
user changes them; nothing here writes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from partyreview.accounts.models import User
from partyreview.inspections.models import Category
from partyreview.intake.classify import OTHER, CategorySuggestion, suggest_category
from partyreview.intake.fields import Field, SourceRow
from partyreview.rectifications.models import RectificationKind
from partyreview.rectifications.selectors import MeasureSuggestion, measure_suggestions


@dataclass(frozen=True)
class ProblemSuggestion:
    """What the preview offers for one problem: the category (with why) and the library's measures."""

    category: CategorySuggestion
    measures: tuple[MeasureSuggestion, ...]


def problem_text(row: SourceRow) -> str:
    """The words a problem's category is judged by: the problem and its detail."""
    description = str(row.values.get(Field.DESCRIPTION) or "")
    detail = str(row.values.get(Field.DETAIL) or "")
    return f"{description}。{detail}" if detail else description


def suggest_for_rows(
    rows: Sequence[SourceRow], *, user: User, chosen: Sequence[str | None] = ()
) -> list[ProblemSuggestion]:
    """A suggestion per row, in order; ``chosen`` gives, per row, a category code the user picked in the
    preview, whose measures are then offered instead. Two queries for the library whatever the rows."""
    library = measure_suggestions(user)
    category_ids = dict(Category.objects.filter(is_active=True).values_list("code", "pk"))
    suggestions = []
    for index, row in enumerate(rows):
        category = suggest_category(problem_text(row), heading=row.group)
        picked = chosen[index] if index < len(chosen) else None
        category_id = category_ids.get(picked or category.code) or category_ids.get(OTHER)
        suggestions.append(ProblemSuggestion(category, tuple(library.get(category_id, []))))
    return suggestions


def with_suggested_measures(rows: Sequence[SourceRow], *, user: User) -> list[SourceRow]:
    """The rows with the library's first measure filled in where the source gave none (a prose problem);
    rows that came with a measure (a table in the document) keep theirs."""
    filled = []
    for row, suggestion in zip(rows, suggest_for_rows(rows, user=user), strict=True):
        if row.values.get(Field.MEASURE) or not suggestion.measures:
            filled.append(row)
            continue
        first = suggestion.measures[0]
        values = {**row.values, Field.MEASURE: first.text}
        # The planner reads 整改类型 as a ledger writes it: by its label (立行立改 / 限期整改 / 长期坚持).
        values.setdefault(Field.KIND, RectificationKind(first.kind).label)
        filled.append(replace(row, values=values))
    return filled
