"""Finding the header row and naming its columns, by the words offices use for them.

Exports of the Party's member information system and offices' own sheets name the same column in many
ways (党组织名称 / 组织名称 / 名称); each field lists its names, matched after removing spaces, brackets
and "（必填）"-style notes.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from partyreview.common.spreadsheets import Sheet, Spreadsheet, cell_text

# How far down a title and notes may push the header row.
HEADER_SEARCH_ROWS = 15
NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]")


def normalise(text: str) -> str:
    return NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass
class Columns:
    """The header row found, the column of each field, and what the person should know about columns."""

    sheet: Sheet
    header_row: int
    by_field: dict[str, int]
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.by_field


class HeaderNotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def find_columns(book: Spreadsheet, vocabulary: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Columns:
    """The first sheet and row (among the first rows) naming every ``required`` field; else HeaderNotFound
    saying which names were looked for."""
    names = {normalise(alias): name for name, aliases in vocabulary.items() for alias in aliases}
    best: Columns | None = None
    for sheet in book.sheets:
        if sheet.hidden:
            continue
        for row in sheet.rows[:HEADER_SEARCH_ROWS]:
            found: dict[str, int] = {}
            ignored: list[str] = []
            for column, cell in sorted(row.cells.items()):
                text = cell_text(cell.value)
                name = names.get(normalise(text))
                if name is not None and name not in found:
                    found[name] = column
                elif text:
                    ignored.append(text)
            if all(r in found for r in required):
                return Columns(sheet=sheet, header_row=row.number, by_field=found, ignored=ignored)
            if best is None or len(found) > len(best.by_field):
                best = Columns(sheet=sheet, header_row=row.number, by_field=found, ignored=ignored)
    wanted = "、".join(f"“{vocabulary[r][0]}”" for r in required if best is None or r not in best.by_field)
    raise HeaderNotFound(f"没有找到表头：文件中缺少 {wanted} 列（请检查列名，或使用导入模板）。")
