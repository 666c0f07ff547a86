"""Filters of the inspection list.

The problem list's ``FindingFilter`` lives in ``partyreview.rectifications.filters``: its status is derived
from the measures, which this app must not import (docs/decisions/finding-status-derived.md).
"""

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from partyreview.common import params
from partyreview.inspections.models import Inspection, InspectionKind


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sort by the chosen column, then by id, so rows with equal keys never jump between pages."""

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "id") if value else qs


class KeywordFilter(django_filters.CharFilter):
    """A search keyword, bounded in length and words (common/params.py): every word is a condition."""

    field_class = params.KeywordField


class DateFilter(django_filters.DateFilter):
    """A date within the years the application knows (common/params.py), so arithmetic cannot overflow."""

    field_class = params.BoundedDateField


class InspectionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="检查类型", choices=InspectionKind.choices, empty_label="全部类型")
    year = django_filters.NumberFilter(
        label="年度", field_name="start_date", lookup_expr="year", min_value=2000, max_value=2100
    )
    q = KeywordFilter(label="关键词", method="filter_keyword")
    archived = django_filters.BooleanFilter(
        label="显示已归档", method="filter_archived", widget=forms.CheckboxInput(attrs={"value": "1"})
    )
    ordering = StableOrderingFilter(
        label="排序",
        fields=(
            ("start_date", "start_date"),
            ("feedback_date", "feedback_date"),
            ("report_due_date", "report_due_date"),
            ("title", "title"),
        ),
        field_labels={
            "start_date": "开始日期",
            "feedback_date": "反馈日期",
            "report_due_date": "整改报告期限",
            "title": "检查名称",
        },
    )

    class Meta:
        model = Inspection
        fields: list[str] = []

    def filter_keyword(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for word in value.split():
            q &= Q(title__icontains=word) | Q(notes__icontains=word)
        return qs.filter(q)

    def filter_archived(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return qs if value else qs.filter(is_archived=False)
