"""The filters of the rectification register (整改台账) and of the problem list (问题清单).

Every filter lives in the query string, so a filtered list can be bookmarked and shared, and other pages
link straight into it: the leaders' dashboard and the office's register export use exactly these
parameter names (``inspection``, ``organization``, ``category``, ``status``, ``severity``, ``light``,
``overdue``, ``due_within``, ``due_from``, ``due_to``, ``q``, ``ordering``). Rename one and those links break.

``FindingFilter`` lives here rather than in inspections/filters.py because a finding's status is derived
from its measures (docs/decisions/finding-status-derived.md).

Both are built as ``XFilter(request.GET, queryset=<scoped queryset>, request=request)``. The queryset is
already limited to what the user may see; the choices offered are limited the same way. A value that
does not validate (an unknown id, ``due_within=abc``) is ignored and reported on the filter form, never a 500.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from partyreview.common.dates import local_today
from partyreview.common.widgets import FastSelect
from partyreview.inspections.filters import DateFilter, KeywordFilter, StableOrderingFilter
from partyreview.inspections.forms import InspectionChoiceField, OrganizationChoiceField
from partyreview.inspections.models import Category, Finding, Inspection, Severity
from partyreview.inspections.permissions import inspections_visible_to
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.rectifications.models import Light, Rectification, RectificationKind, RectificationStatus, light_q
from partyreview.rectifications.selectors import FindingStatus, finding_status_q, findings_with_progress


class InspectionChoiceFilter(django_filters.ModelChoiceFilter):
    """An inspection, offered by title (years of them: options without model instances)."""

    field_class = InspectionChoiceField


class OrganizationFilter(django_filters.ModelChoiceFilter):
    """An organisation and everything below it (materialised path prefix)."""

    field_class = OrganizationChoiceField

    def __init__(self, *args, path_field: str, **kwargs) -> None:
        self.path_field = path_field
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: Organization | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__path__startswith": value.path})


def _organizations(request: HttpRequest | None) -> QuerySet[Organization]:
    if request is None:
        return Organization.objects.all()
    return organizations_visible_to(request.user).filter(is_active=True)


def _inspections(request: HttpRequest | None) -> QuerySet[Inspection]:
    if request is None:
        return Inspection.objects.all()
    # The options are read as (id, title) rows (InspectionChoiceField), not as model instances.
    return inspections_visible_to(request.user)


def _categories(request: HttpRequest | None) -> QuerySet[Category]:
    return Category.objects.all()


def _keyword_q(value: str, fields: tuple[str, ...]) -> Q:
    """Every word must appear in at least one of the fields (words split on spaces)."""
    q = Q()
    for word in value.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        q &= any_field
    return q


CHECKBOX = forms.CheckboxInput(attrs={"value": "1"})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RectificationFilter(django_filters.FilterSet):
    """Filters of the 整改台账. See the module docstring for who else depends on the parameter names."""

    inspection = InspectionChoiceFilter(
        label="检查", field_name="finding__inspection", queryset=_inspections, empty_label="全部检查"
    )
    organization = OrganizationFilter(
        label="党组织（含下级）", path_field="responsible_org", queryset=_organizations, empty_label="全部党组织"
    )
    category = django_filters.ModelChoiceFilter(
        label="问题类别",
        field_name="finding__category",
        queryset=_categories,
        empty_label="全部类别",
        widget=FastSelect,  # 16 options through a template each were 10 ms of every list page
    )
    status = django_filters.MultipleChoiceFilter(
        label="状态",
        choices=RectificationStatus.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        # A column of the measure itself: no join can repeat a row, so no DISTINCT (django-filter's
        # default), which sorted every matching measure by all its columns (docs/performance.md).
        distinct=False,
    )
    severity = django_filters.ChoiceFilter(
        label="严重程度", field_name="finding__severity", choices=Severity.choices, empty_label="全部"
    )
    light = django_filters.ChoiceFilter(
        label="预警灯",
        choices=[(str(v), label) for v, label in Light.choices],
        method="filter_light",
        empty_label="全部",
    )
    overdue = django_filters.BooleanFilter(label="仅看逾期", method="filter_overdue", widget=CHECKBOX)
    kind = django_filters.ChoiceFilter(label="整改类型", choices=RectificationKind.choices, empty_label="全部")
    # 长期坚持 list: kept up, open or closed for their stage, until staff end them.
    kept_up = django_filters.BooleanFilter(label="长期坚持中", method="filter_kept_up", widget=CHECKBOX)
    due_within = django_filters.NumberFilter(
        label="N 天内到期", method="filter_due_within", min_value=0, max_value=3650
    )
    due_from = DateFilter(label="整改时限从", field_name="due_date", lookup_expr="gte", widget=DATE)
    due_to = DateFilter(label="整改时限至", field_name="due_date", lookup_expr="lte", widget=DATE)
    q = KeywordFilter(label="关键词", method="filter_keyword")
    ordering = StableOrderingFilter(
        label="排序",
        fields=(
            ("due_date", "due_date"),
            ("status", "status"),
            ("responsible_org__path", "organization"),
            ("finding__inspection__start_date", "inspection"),
            ("finding__category__sort_order", "category"),
            ("finding__severity", "severity"),
            ("finding__sequence", "finding"),
            ("submitted_at", "submitted_at"),
            ("closed_at", "closed_at"),
            ("created_at", "created_at"),
        ),
        field_labels={
            "due_date": "整改时限",
            "status": "状态",
            "responsible_org__path": "党组织",
            "finding__inspection__start_date": "检查",
            "finding__category__sort_order": "问题类别",
            "finding__severity": "严重程度",
            "finding__sequence": "问题序号",
            "submitted_at": "申请销号时间",
            "closed_at": "销号时间",
            "created_at": "创建时间",
        },
    )

    class Meta:
        model = Rectification
        fields: list[str] = []

    def filter_light(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(light_q(int(value), self.today)) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return qs.overdue(self.today) if value else qs

    def filter_kept_up(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return qs.kept_up() if value else qs

    def filter_due_within(self, qs: QuerySet, name: str, value: int | None) -> QuerySet:
        if value is None:
            return qs
        # Open measures whose deadline falls from today to today + N: what is about to become overdue.
        until = self.today + datetime.timedelta(days=int(value))
        return qs.open().filter(due_date__gte=self.today, due_date__lte=until)

    def filter_keyword(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(_keyword_q(value, ("measure", "finding__description")))

    @property
    def today(self) -> datetime.date:
        if not hasattr(self, "_today"):
            self._today = local_today()
        return self._today


class FindingFilter(django_filters.FilterSet):
    """Filters of the 问题清单. ``status`` is derived from the measures (open / closed / empty)."""

    inspection = InspectionChoiceFilter(label="检查", queryset=_inspections, empty_label="全部检查")
    organization = OrganizationFilter(
        label="党组织（含下级）", path_field="organization", queryset=_organizations, empty_label="全部党组织"
    )
    category = django_filters.ModelChoiceFilter(
        label="问题类别", queryset=_categories, empty_label="全部类别", widget=FastSelect
    )
    severity = django_filters.ChoiceFilter(label="严重程度", choices=Severity.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(
        label="整改状态", choices=list(FindingStatus.LABELS.items()), method="filter_status", empty_label="全部"
    )
    q = KeywordFilter(label="关键词", method="filter_keyword")
    found_from = DateFilter(label="发现日期从", field_name="found_on", lookup_expr="gte", widget=DATE)
    found_to = DateFilter(label="发现日期至", field_name="found_on", lookup_expr="lte", widget=DATE)
    recurring = django_filters.BooleanFilter(label="仅看反复出现", method="filter_recurring", widget=CHECKBOX)
    archived = django_filters.BooleanFilter(label="显示已归档", method="filter_archived", widget=CHECKBOX)
    ordering = StableOrderingFilter(
        label="排序",
        fields=(
            ("sequence", "sequence"),
            ("found_on", "found_on"),
            ("organization__path", "organization"),
            ("category__sort_order", "category"),
            ("severity", "severity"),
            ("inspection__start_date", "inspection"),
            ("created_at", "created_at"),
        ),
        field_labels={
            "sequence": "序号",
            "found_on": "发现日期",
            "organization__path": "党组织",
            "category__sort_order": "问题类别",
            "severity": "严重程度",
            "inspection__start_date": "检查",
            "created_at": "录入时间",
        },
    )

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if "has_open" not in qs.query.annotations:
            qs = findings_with_progress(qs)
        return qs.filter(finding_status_q(value))

    def filter_keyword(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        # Measures are searched too: staff remember a finding by what was ordered as often as by the problem.
        matching_measure = Rectification.objects.filter(finding_id=OuterRef("pk")).filter(
            _keyword_q(value, ("measure",))
        )
        return qs.filter(_keyword_q(value, ("description", "basis")) | Q(Exists(matching_measure)))

    def filter_recurring(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        """The same category found again in the same organisation by another inspection: 屡查屡犯."""
        if not value:
            return qs
        again = Finding.objects.filter(
            organization_id=OuterRef("organization_id"), category_id=OuterRef("category_id"), is_archived=False
        ).exclude(inspection_id=OuterRef("inspection_id"))
        return qs.filter(Exists(again))

    def filter_archived(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        # Archived findings leave the list unless asked for; they are never deleted.
        return qs if value else qs.filter(is_archived=False)
