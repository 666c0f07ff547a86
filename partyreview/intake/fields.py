"""The fields a source row can carry, whatever the source: the contract between the readers (which map a
ledger's columns or a document's items onto these) and the planner (which reads rows of these)."""

from dataclasses import dataclass, field
from typing import Any

from django.db import models


class Field(models.TextChoices):
    """导入字段：one column of the register, as the planner understands it."""

    SEQUENCE = "sequence", "序号"
    ORGANIZATION = "organization", "党组织"
    CATEGORY = "category", "问题类别"
    SEVERITY = "severity", "严重程度"
    DESCRIPTION = "description", "问题描述"
    # A feedback document's sentences after the problem itself (反馈意见 readers only; "" when none).
    DETAIL = "detail", "具体表现"
    BASIS = "basis", "依据"
    FOUND_ON = "found_on", "发现日期"
    MEASURE = "measure", "整改措施"
    KIND = "kind", "整改类型"
    LEADER = "leader", "责任领导"
    ASSIGNEE = "assignee", "责任人"
    DEPARTMENT = "department", "责任单位"
    DUE_DATE = "due_date", "整改时限"
    PROGRESS = "progress", "整改进展"


@dataclass
class SourceRow:
    """One row of a source, before it is checked against the database.

    ``number`` is what a person finds the row by: Excel's row number, or a document's paragraph number.
    ``values`` holds the raw value of each field the source gave (text, number, date), merged cells already
    filled in. ``group`` is the heading the row stood under, if any ("（一）党的组织建设方面"), which
    helps to suggest a category.
    """

    number: int
    values: dict[Field, Any] = field(default_factory=dict)
    group: str = ""
