"""找表：finding the table in a workbook kept by hand — which sheet, which header row(s), which column is
which field — and reading its rows as they stand.

Generic: ``find_table(book, vocabulary)`` works for any ``columns.Vocabulary`` (ledgers, organisation
sheets, people sheets). Nothing here interprets a value (deadlines in words, categories, people, numbered
measures inside a cell): the rows carry the raw cell values, a date cell as a date and text as text.

What it understands, from how offices keep their ledgers:

- a title merged across the columns on row 1, subtitles, 填报单位 / 日期 lines, blank spacer rows: every
  row above the header is skipped and listed;
- the header on any of the first ``HEADER_SCAN_ROWS`` rows, chosen as the row that names the most fields;
- two header rows read as one: a row of groups merged across columns ("问题清单 / 任务清单 / 责任清单")
  above the row naming the columns, or names merged down over two rows;
- several sheets: each is scored by the fields its header names; the best is chosen and all the
  candidates are returned, so a preview can ask;
- under the header: vertical merges filled down (序号, 问题类别, 问题描述 merged over their measure rows),
  section headings ("一、党的政治建设方面", one merged cell) kept as the rows' ``group`` and not read as
  data, a repeated header row dropped, footer lines (填报人：… 审核人：… 日期：…, 合计, 备注/说明/注：…)
  dropped;
- every header problem at once (``TableFound.problems``), never one per upload.

A mapping confirmed by a person can be given back as ``overrides`` (column number → field, or ``None`` to
ignore the column); ``TableFound.signature`` identifies the header's shape, so a confirmed mapping can be
offered again for the next file of the same shape.
"""

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from openpyxl.utils.cell import get_column_letter

from partyreview.common.spreadsheets import Row, Sheet, Spreadsheet, cell_text
from partyreview.intake.columns import LEDGER_COLUMNS, MAX_HEADER, Match, Vocabulary, normalise_header
from partyreview.intake.fields import Field, SourceRow

F = TypeVar("F", bound=Hashable)

HEADER_SCAN_ROWS = 15
# A header names at least this many fields (one of them a core field).
MIN_HEADER_FIELDS = 2
# A data row repeating this share of the header's texts is a header repeated (after a page break).
REPEATED_HEADER_SHARE = 0.6

FOOTER_LABEL = re.compile(
    r"^(填报人|填表人|制表人|审核人|审批人|复核人|签发人|负责人|分管领导|主要负责人|联系人|联系电话|电话|"
    r"填报日期|填表日期|制表日期|报送日期|日期|时间|填报单位|报送单位|单位|签字|签名|盖章)"
    r"\s*(\(.*?\))?\s*[:：]"
)
FOOTER_NOTE = re.compile(r"^(注|备注|说明|附注|填表说明|备注说明)\s*(\d+)?\s*[:：.、]")
FOOTER_TOTAL = {"合计", "总计", "小计", "共计"}
HEADING = re.compile(
    r"^(第?[一二三四五六七八九十百]+[、.．章部分是]|[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+是)"
    r"|方面$|方面[:：（(]"
)


@dataclass(frozen=True)
class ColumnFound(Generic[F]):
    """One column of the header: its number (A = 1), what it says, and the field it was taken for."""

    column: int
    header: str
    group: str = ""  # the merged group label above it, in a two-row header
    field: F | None = None
    how: str = ""  # "synonym", "contains", "override", "ignored", "" (not recognised)

    @property
    def letter(self) -> str:
        return get_column_letter(self.column)


@dataclass(frozen=True)
class SkippedRow:
    number: int
    reason: str  # 标题 / 表头上方 / 分组标题 / 重复表头 / 表尾
    text: str


@dataclass(frozen=True)
class SheetCandidate:
    name: str
    header_rows: tuple[int, ...]
    fields: int  # how many fields its header names


@dataclass
class TableFound(Generic[F]):
    """What was found, for the preview and for the planner."""

    sheet: str
    header_rows: tuple[int, ...]
    columns: list[ColumnFound[F]]
    mapping: dict[F, int]  # field → column number
    rows: list[SourceRow]
    skipped: list[SkippedRow]
    candidates: list[SheetCandidate]
    problems: list[str]
    signature: str

    @property
    def unrecognised(self) -> list[tuple[int, str]]:
        """未识别的列: (column number, header text), for the preview's drop-downs."""
        return [(c.column, c.header) for c in self.columns if c.field is None and c.how != "ignored"]

    @property
    def is_usable(self) -> bool:
        return not self.problems

    @property
    def data_rows(self) -> tuple[int, int] | None:
        if not self.rows:
            return None
        return self.rows[0].number, self.rows[-1].number


@dataclass
class _Header(Generic[F]):
    sheet: Sheet
    rows: tuple[int, ...]
    texts: dict[int, tuple[str, str]]  # column → (name, group)
    matches: dict[int, Match[F]] = field(default_factory=dict)

    @property
    def fields(self) -> int:
        return len({m.field for m in self.matches.values()})


def _text(value: Any) -> str:
    return cell_text(value).replace("\r\n", "\n")


def _row_texts(sheet: Sheet, number: int) -> dict[int, str]:
    """A row's texts as a person sees them: merged cells read where they start, and downwards (a name
    merged over two header rows), but a merge across columns only once."""
    texts: dict[int, str] = {}
    row = sheet.row(number)
    columns = set(row.cells) if row else set()
    columns |= {m.min_col for m in sheet.merged if m.min_row < number <= m.max_row}
    for column in sorted(columns):
        merge = sheet.merged_at(number, column)
        if merge is not None and column != merge.min_col:
            continue
        text = _text(sheet.value(number, column))
        if text:
            texts[column] = text
    return texts


def _is_group_row(sheet: Sheet, number: int, below: int) -> bool:
    """A row of group labels over the header: each of its texts is short and merged across columns, or
    merged down into the header row below. A title merged across the whole table is not one."""
    texts = _row_texts(sheet, number)
    if not texts:
        return False
    names = _row_texts(sheet, below)
    merged_across = 0
    for column, text in texts.items():
        merge = sheet.merged_at(number, column)
        if merge is None or len(normalise_header(text)) > MAX_HEADER:
            return False
        if merge.spans_columns:
            if len(texts) == 1 and names and merge.min_col <= min(names) and merge.max_col >= max(names):
                return False  # one text over every column: a title, not a group
            merged_across += 1
        elif not merge.max_row >= below:
            return False
    return merged_across > 0


def _header_at(sheet: Sheet, number: int, vocabulary: Vocabulary[F]) -> _Header[F]:
    rows: tuple[int, ...] = (number,)
    names = _row_texts(sheet, number)
    groups: dict[int, str] = {}
    above = number - 1
    if above >= 1 and _is_group_row(sheet, above, number):
        rows = (above, number)
        for merge in sheet.merged:
            if merge.min_row <= above <= merge.max_row and merge.spans_columns:
                label = _text(sheet.value(merge.min_row, merge.min_col))
                for column in range(merge.min_col, merge.max_col + 1):
                    groups[column] = label
    texts = {c: (t, groups.get(c, "")) for c, t in names.items()}
    for column, label in groups.items():
        texts.setdefault(column, (label, ""))
    header = _Header(sheet=sheet, rows=rows, texts=texts)
    for column, (name, _group) in texts.items():
        match = vocabulary.match(name)
        if match is not None:
            header.matches[column] = match
    return header


def _best_header(sheet: Sheet, vocabulary: Vocabulary[F]) -> _Header[F] | None:
    best: _Header[F] | None = None
    for row in sheet.rows:
        if row.number > HEADER_SCAN_ROWS:
            break
        header = _header_at(sheet, row.number, vocabulary)
        named = {m.field for m in header.matches.values()}
        if header.fields < MIN_HEADER_FIELDS or (vocabulary.core and not named & vocabulary.core):
            continue
        if best is None or header.fields > best.fields:
            best = header
    return best


def _signature(header: _Header[Any]) -> str:
    """The header's shape: its normalised texts in column order. Titles, dates and data do not enter it."""
    shape = "|".join(
        f"{column}:{normalise_header(group)}/{normalise_header(name)}"
        for column, (name, group) in sorted(header.texts.items())
    )
    return hashlib.sha256(shape.encode()).hexdigest()[:16]


def find_table(
    book: Spreadsheet,
    vocabulary: Vocabulary[F],
    *,
    sheet: str | None = None,
    overrides: Mapping[int, F | None] | None = None,
) -> TableFound[F]:
    """Find the table in ``book`` for ``vocabulary`` and read its rows. ``sheet`` forces a sheet (as a
    person chose it in the preview); ``overrides`` maps column numbers to fields (``None``: ignore)."""
    found: list[_Header[F]] = []
    for candidate in book.sheets:
        header = _best_header(candidate, vocabulary)
        if header is not None:
            found.append(header)
    found.sort(key=lambda h: (-h.fields, h.sheet.hidden, h.sheet.index))
    candidates = [SheetCandidate(h.sheet.name, h.rows, h.fields) for h in found]

    if sheet is not None:
        chosen = next((h for h in found if h.sheet.name == sheet), None)
        if chosen is None:
            named = book.sheet(sheet)
            problem = f"工作表“{sheet}”中找不到表头" if named is not None else f"工作簿中没有名为“{sheet}”的工作表"
            return _nothing(sheet, candidates, [problem + _hint(vocabulary)])
    elif not found:
        names = "、".join(f"“{s.name}”" for s in book.sheets)
        return _nothing(
            book.sheets[0].name if book.sheets else "",
            candidates,
            [f"在工作表{names}的前 {HEADER_SCAN_ROWS} 行中找不到表头{_hint(vocabulary)}"],
        )
    else:
        chosen = found[0]
    return _read_table(chosen, vocabulary, overrides or {}, candidates)


def find_ledger(
    book: Spreadsheet, *, sheet: str | None = None, overrides: Mapping[int, Field | None] | None = None
) -> TableFound[Field]:
    """The ledger (整改台账 / 问题清单) in ``book``: ``find_table`` with the ledger's column vocabulary."""
    return find_table(book, LEDGER_COLUMNS, sheet=sheet, overrides=overrides)


def _hint(vocabulary: Vocabulary[Any]) -> str:
    core = [vocabulary.label(f) for f in vocabulary.synonyms if f in (vocabulary.core or vocabulary.required)]
    return f"：表头应含有{'、'.join(f'“{c}”' for c in core)}等列名。" if core else "。"


def _nothing(sheet: str, candidates: list[SheetCandidate], problems: list[str]) -> TableFound[Any]:
    return TableFound(
        sheet=sheet,
        header_rows=(),
        columns=[],
        mapping={},
        rows=[],
        skipped=[],
        candidates=candidates,
        problems=problems,
        signature="",
    )


def _map_columns(
    header: _Header[F], vocabulary: Vocabulary[F], overrides: Mapping[int, F | None], problems: list[str]
) -> tuple[list[ColumnFound[F]], dict[F, int]]:
    columns: dict[int, ColumnFound[F]] = {}
    claims: dict[F, list[tuple[int, int]]] = {}
    for column, (name, group) in sorted(header.texts.items()):
        columns[column] = ColumnFound(column=column, header=name, group=group)
        match = header.matches.get(column)
        if match is not None and column not in overrides:
            claims.setdefault(match.field, []).append((match.rank + (0 if match.exact else 1000), column))
    mapping: dict[F, int] = {}
    contested: set[F] = set()
    for name, claimants in claims.items():
        claimants.sort()
        best_rank = claimants[0][0]
        tied = [c for rank, c in claimants if rank == best_rank]
        if len(tied) > 1:
            listed = "、".join(f"{get_column_letter(c)}列“{columns[c].header}”" for c in tied)
            problems.append(f"有 {len(tied)} 列都像“{vocabulary.label(name)}”（{listed}），请指定各列对应的内容。")
            contested.add(name)
            continue
        column = claimants[0][1]
        mapping[name] = column
        match = header.matches[column]
        columns[column] = ColumnFound(
            column, columns[column].header, columns[column].group, name, "synonym" if match.exact else "contains"
        )
    for column, chosen in overrides.items():
        if column not in columns:
            problems.append(f"指定的第 {get_column_letter(column)} 列不在表头中。")
            continue
        if chosen is None:
            columns[column] = ColumnFound(column, columns[column].header, columns[column].group, None, "ignored")
            continue
        previous = mapping.get(chosen)
        if previous is not None and previous != column:
            columns[previous] = ColumnFound(previous, columns[previous].header, columns[previous].group)
        mapping[chosen] = column
        columns[column] = ColumnFound(column, columns[column].header, columns[column].group, chosen, "override")
    for name in vocabulary.synonyms:
        if name in vocabulary.required and name not in mapping and name not in contested:
            problems.append(
                f"缺少“{vocabulary.label(name)}”列（也可写作{vocabulary.synonyms_text(name)}），"
                "或请在未识别的列中指定。"
            )
    return [columns[c] for c in sorted(columns)], mapping


def _read_table(
    header: _Header[F], vocabulary: Vocabulary[F], overrides: Mapping[int, F | None], candidates: list[SheetCandidate]
) -> TableFound[F]:
    sheet = header.sheet
    problems: list[str] = []
    for number in header.rows:
        row = sheet.row(number)
        for cell in row.cells.values() if row else ():
            if cell.is_formula:
                problems.append(f"表头单元格 {cell.coordinate} 含有公式，请改为直接填写列名。")
    columns, mapping = _map_columns(header, vocabulary, overrides, problems)
    skipped: list[SkippedRow] = []
    first_header = header.rows[0]
    for row in sheet.rows:
        if row.number >= first_header:
            break
        texts = _row_texts(sheet, row.number)
        reason = "标题" if not skipped else "表头上方"
        skipped.append(SkippedRow(row.number, reason, " ".join(texts.values())[:200]))

    header_texts = {c: normalise_header(n) for c, (n, _g) in header.texts.items()}
    mapped_columns = sorted(mapping.values())
    field_of = {column: name for name, column in mapping.items()}
    width = max([*header.texts, *mapped_columns], default=0)
    rows: list[SourceRow] = []
    group = ""
    last_header = header.rows[-1]
    numbers = [r.number for r in sheet.rows if r.number > last_header]
    # Rows covered by a vertical merge but holding nothing of their own are data rows too.
    covered = {
        n
        for m in sheet.merged
        if m.spans_rows and m.max_row > last_header and m.min_col <= width
        for n in range(max(m.min_row, last_header + 1), min(m.max_row, numbers[-1] if numbers else 0) + 1)
    }
    for number in sorted(set(numbers) | covered):
        texts = _row_texts(sheet, number)
        own = sheet.row(number)
        if not texts:
            continue
        joined = " ".join(texts.values())
        if _is_footer(texts):
            skipped.append(SkippedRow(number, "表尾", joined[:200]))
            continue
        if _is_heading(sheet, number, texts, width):
            group = next(iter(texts.values()))
            skipped.append(SkippedRow(number, "分组标题", joined[:200]))
            continue
        if _repeats_header(texts, header_texts):
            skipped.append(SkippedRow(number, "重复表头", joined[:200]))
            continue
        values: dict[Any, Any] = {}
        for column in mapped_columns:
            value = _data_value(sheet, own, number, column)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                values[field_of[column]] = value
        if not values:
            continue
        rows.append(SourceRow(number=number, values=values, group=group))
    return TableFound(
        sheet=sheet.name,
        header_rows=header.rows,
        columns=columns,
        mapping=mapping,
        rows=rows,
        skipped=skipped,
        candidates=candidates,
        problems=problems,
        signature=_signature(header),
    )


def _data_value(sheet: Sheet, row: Row | None, number: int, column: int) -> Any:
    """The raw value of a data cell; a cell inside a vertical merge reads the merge's value (filled down),
    a cell to the right of a merge's first column reads nothing (the value is the first column's)."""
    merge = sheet.merged_at(number, column)
    if merge is not None:
        if column != merge.min_col:
            return None
        cell = sheet.cell(merge.min_row, merge.min_col)
        return None if cell is None else cell.value
    if row is None:
        return None
    return row.value(column)


def _is_footer(texts: dict[int, str]) -> bool:
    values = [unicodedata.normalize("NFKC", t).strip() for t in texts.values()]
    first = values[0]
    if normalise_header(first) in FOOTER_TOTAL:
        return True
    if FOOTER_NOTE.match(first) and len(values) <= 2:
        return True
    return all(FOOTER_LABEL.match(v) for v in values)


def _is_heading(sheet: Sheet, number: int, texts: dict[int, str], width: int) -> bool:
    """A section heading inside the table: one text, merged across the table or shaped like a heading."""
    if len(texts) != 1:
        return False
    column, text = next(iter(texts.items()))
    merge = sheet.merged_at(number, column)
    if merge is not None and merge.spans_columns and merge.max_col - merge.min_col + 1 >= max(2, width // 2):
        return True
    first_column = min(texts)
    return (
        first_column == column and bool(HEADING.search(unicodedata.normalize("NFKC", text).strip())) and (len(text) > 3)
    )


def _repeats_header(texts: dict[int, str], header_texts: dict[int, str]) -> bool:
    named = [c for c, t in header_texts.items() if t]
    if not named:
        return False
    same = sum(1 for c in named if normalise_header(texts.get(c, "")) == header_texts[c])
    return same >= max(2, REPEATED_HEADER_SHARE * len(named))
