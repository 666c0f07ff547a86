"""What the organisation and the people imports share: how a planned row and a whole plan read."""

from typing import Any


class PlannedRow:
    """A planned row (``errors``, ``existing``, ``changes``) says what confirming it will do."""

    errors: list[str]
    existing: Any
    changes: list[str]

    @property
    def action(self) -> str:
        if self.errors:
            return "有误"
        if self.existing is None:
            return "新增"
        return "更新" if self.changes else "不变"


class PlanSummary:
    """A plan (``rows`` of planned rows and file-level ``errors``) counted for the preview."""

    rows: list[Any]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def count_new(self) -> int:
        return self.count("新增")

    @property
    def count_changed(self) -> int:
        return self.count("更新")

    @property
    def count_same(self) -> int:
        return self.count("不变")

    @property
    def count_wrong(self) -> int:
        return self.count("有误")

    @property
    def row_errors(self) -> list[str]:
        return [f"第{r.number}行：{e}" for r in self.rows for e in r.errors]
