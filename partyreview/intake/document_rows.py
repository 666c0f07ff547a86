"""From a feedback document's bytes to the planner's rows: the seam between ``documents`` and the plan.

A 反馈意见 gives problems but no measures, organisations or deadlines. Its rows get here what the preview
lets the user decide, kept in ``ImportBatch.choices`` and applied on every planning of the same bytes, so
the worker imports exactly what was shown:

- ``merge``: problems joined to the one before them (the document split one problem in two);
- ``split``: problems whose detail sentences become problems of their own;
- ``organization`` (for all) and ``organizations`` (per problem): the organisation's code — by default the
  planner takes the inspection's inspected organisation when there is exactly one;
- ``measures`` (per problem): the measure library's texts chosen; by default the first suggestion.

A problem's key is ``r<paragraph>-<sequence>``: several problems may stand in one paragraph (一是/二是).
The finding's description is the problem with its detail, so nothing the inspection team wrote is lost.
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any

from partyreview.accounts.models import User
from partyreview.intake.documents import read_feedback_file
from partyreview.intake.feedback import Skipped
from partyreview.intake.fields import Field, SourceRow
from partyreview.intake.suggestions import suggest_for_rows
from partyreview.rectifications.models import RectificationKind

_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")


@dataclass
class DocumentRead:
    """A feedback document's problems as rows, and the parts of it that are not problems."""

    rows: list[SourceRow]
    skipped: list[Skipped] = field(default_factory=list)


def row_key(row: SourceRow) -> str:
    return f"r{row.number}-{row.values.get(Field.SEQUENCE)}"


def read_document_rows(data: bytes, *, actor: User, choices: dict[str, Any] | None = None) -> DocumentRead:
    """The rows of an uploaded or pasted feedback document, with the preview's choices applied.
    Refuses the whole document (``FeedbackRefused``) only when it cannot be read at all."""
    choices = choices or {}
    segments = read_feedback_file(data).segments()
    rows = _split(segments.rows, set(choices.get("split", ())))
    rows = _merge(rows, set(choices.get("merge", ())))
    rows = [_whole_description(row) for row in rows]
    everyone = str(choices.get("organization") or "")
    per_problem: dict[str, str] = choices.get("organizations", {})
    chosen_measures: dict[str, list[str]] = choices.get("measures", {})

    planned: list[SourceRow] = []
    picked: dict[str, str] = choices.get("categories", {})
    chosen = [picked.get(row_key(row)) for row in rows]
    for row, suggestion in zip(rows, suggest_for_rows(rows, user=actor, chosen=chosen), strict=True):
        key = row_key(row)
        values = dict(row.values)
        organization = per_problem.get(key) or everyone
        if organization and not values.get(Field.ORGANIZATION):
            values[Field.ORGANIZATION] = organization
        if values.get(Field.MEASURE):  # a table row in the document: its measure is its own
            planned.append(replace(row, values=values))
            continue
        kinds = {s.text: s.kind for s in suggestion.measures}
        texts = [t for t in chosen_measures.get(key, []) if t.strip()] or [s.text for s in suggestion.measures[:1]]
        for text in texts or [""]:
            measure_values = {**values, Field.MEASURE: text}
            if text in kinds:
                measure_values[Field.KIND] = RectificationKind(kinds[text]).label
            planned.append(replace(row, values=measure_values))
    return DocumentRead(rows=planned, skipped=segments.skipped)


def _whole_description(row: SourceRow) -> SourceRow:
    description = str(row.values.get(Field.DESCRIPTION) or "")
    detail = str(row.values.get(Field.DETAIL) or "").strip()
    if not detail:
        return row
    whole = f"{description.rstrip('。；')}。{detail}"
    return replace(row, values={**row.values, Field.DESCRIPTION: whole})


def _split(rows: list[SourceRow], keys: set[str]) -> list[SourceRow]:
    """A problem whose detail sentences are problems of their own: the first stays, each sentence follows."""
    out = []
    for row in rows:
        if row_key(row) not in keys:
            out.append(row)
            continue
        sentences = [s.strip() for s in _SENTENCE.findall(str(row.values.get(Field.DETAIL) or "").replace("\n", ""))]
        sentences = [s.rstrip("。；！？") for s in sentences if s.strip("。；！？ ")]
        out.append(replace(row, values={**row.values, Field.DETAIL: ""}))
        sequence = int(row.values.get(Field.SEQUENCE) or 0)
        for index, sentence in enumerate(sentences, start=1):
            out.append(
                replace(
                    row,
                    values={
                        **row.values,
                        Field.DESCRIPTION: sentence,
                        Field.DETAIL: "",
                        Field.SEQUENCE: sequence * 1000 + index,
                    },
                )
            )
    return out


def _merge(rows: list[SourceRow], keys: set[str]) -> list[SourceRow]:
    """A problem joined to the one before it: its words become the earlier problem's detail."""
    out: list[SourceRow] = []
    for row in rows:
        if row_key(row) in keys and out:
            earlier = out[-1]
            words = str(row.values.get(Field.DESCRIPTION) or "")
            detail = str(row.values.get(Field.DETAIL) or "")
            joined = "\n".join(
                part
                for part in (str(earlier.values.get(Field.DETAIL) or ""), f"{words}。{detail}".rstrip("。") + "。")
                if part
            )
            out[-1] = replace(earlier, values={**earlier.values, Field.DETAIL: joined})
            continue
        out.append(row)
    return out
