"""Forms for inspections and findings. They validate and render; the services write.

The measures entered with a finding are rectifications' business: their form lives in
``partyreview.rectifications.forms.staff`` and the filing view binds both.
"""

import datetime

from django import forms
from django.db.models import Q, QuerySet

from partyreview.accounts.models import Role, User
from partyreview.common import generations, params
from partyreview.common.dates import local_today
from partyreview.common.widgets import FastSelect, ValuesChoiceIterator
from partyreview.inspections.models import Category, Finding, Inspection
from partyreview.organizations.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organisations indented by depth, so the tree reads as a tree in a plain <select>."""

    # A committee has a thousand organisations: options written in Python from two columns
    # (docs/performance.md).
    widget = FastSelect
    iterator = ValuesChoiceIterator
    label_fields = ("depth", "name")
    options_topic = generations.NAMES  # the options kept in the shared cache until an organisation changes

    def label_from_instance(self, obj: Organization) -> str:
        return self.label_from_values(obj.depth, obj.name)

    @staticmethod
    def label_from_values(depth: int, name: str) -> str:
        return "\u3000" * max(depth, 0) + name


class InspectionChoiceField(forms.ModelChoiceField):
    """Inspections by title; a filter offers years of them, written in Python from one column."""

    widget = FastSelect
    iterator = ValuesChoiceIterator
    label_fields = ("title",)
    options_topic = generations.NAMES

    @staticmethod
    def label_from_values(title: str) -> str:
        return title


class OrganizationMultipleChoiceField(params.BoundedIdsMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


class VersionedForm(forms.Form):
    """The version the user saw when the page loaded; the service refuses the save if it has moved on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class InspectionForm(forms.ModelForm):
    """检查. Organisations are limited to the staff member's scope; the people in charge to active staff."""

    inspecting_org = OrganizationChoiceField(
        label="检查组织", queryset=Organization.objects.none(), empty_label="请选择开展检查的党组织"
    )
    inspected_orgs = OrganizationMultipleChoiceField(
        label="被检查党组织",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="录入问题时会自动补充到这里。",
    )

    class Meta:
        model = Inspection
        fields = [
            "title",
            "kind",
            "inspecting_org",
            "inspected_orgs",
            "start_date",
            "end_date",
            "feedback_date",
            "report_due_date",
            "report_submitted_on",
            "owners",
            "notes",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "feedback_date": DATE,
            "report_due_date": DATE,
            "report_submitted_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "owners": forms.SelectMultiple(attrs={"size": 6}),
        }
        field_classes = {
            "owners": params.BoundedModelMultipleChoiceField,
            # Dates within the years the application knows: the report deadline is computed from them.
            "start_date": params.BoundedDateField,
            "end_date": params.BoundedDateField,
            "feedback_date": params.BoundedDateField,
            "report_due_date": params.BoundedDateField,
            "report_submitted_on": params.BoundedDateField,
        }
        help_texts = {
            "report_due_date": "留空则按反馈日期后两个月计算（巡视工作条例第二十七条）。",
            "report_submitted_on": "向上级报送整改情况报告后填写，报送期限提醒随即停止。",
            "owners": "延期申请、申请销号和督办提醒会发给他们；留空则为您本人。按住 Ctrl 可多选。",
        }

    def __init__(self, *args, organizations: QuerySet[Organization], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspecting_org"].queryset = organizations
        self.fields["inspecting_org"].error_messages["invalid_choice"] = "所选党组织不在您的管理范围内。"
        self.fields["inspected_orgs"].queryset = organizations
        self.fields["inspected_orgs"].error_messages["invalid_choice"] = "所选党组织“%(value)s”不在您的管理范围内。"
        self.fields["owners"].queryset = (
            User.objects.filter(is_active=True, memberships__role=Role.STAFF).distinct().order_by("full_name")
        )
        self.fields["owners"].required = False

    def clean(self) -> dict:
        data = super().clean()
        start, end, feedback = data.get("start_date"), data.get("end_date"), data.get("feedback_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于开始日期。")
        if start and feedback and feedback < start:
            self.add_error("feedback_date", "反馈日期不能早于开始日期。")
        report = data.get("report_due_date")
        if report and feedback and report < feedback:
            self.add_error("report_due_date", "整改报告期限不能早于反馈日期。")
        submitted = data.get("report_submitted_on")
        if submitted and submitted > local_today():
            self.add_error("report_submitted_on", "整改报告报送日期不能晚于今天。")
        elif submitted and (feedback or start) and submitted < (feedback or start):
            self.add_error("report_submitted_on", f"整改报告报送日期不能早于{'反馈' if feedback else '开始'}日期。")
        inspecting = data.get("inspecting_org")
        if inspecting:
            outside = [org.name for org in data.get("inspected_orgs") or [] if not org.is_within(inspecting)]
            if outside:
                self.add_error("inspected_orgs", f"“{'、'.join(outside)}”不在检查组织“{inspecting}”的范围内。")
        return data


class FindingForm(forms.ModelForm):
    """问题. Organisation choices: the staff member's scope within the inspecting organisation."""

    organization = OrganizationChoiceField(
        label="党组织", queryset=Organization.objects.none(), empty_label="请选择存在问题的党组织"
    )

    class Meta:
        model = Finding
        fields = ["organization", "category", "severity", "description", "basis", "found_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "basis": forms.Textarea(attrs={"rows": 2}),
            "found_on": DATE,
        }
        field_classes = {"found_on": params.BoundedDateField}
        error_messages = {
            "description": {"required": "请填写问题描述。"},
            "category": {"required": "请选择问题类别。"},
            "found_on": {"required": "请填写发现日期。"},
        }

    def __init__(self, *args, organizations: QuerySet[Organization], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].error_messages.update(
            required="请选择党组织。", invalid_choice="所选党组织不在您的管理范围内，或不在本次检查的范围内。"
        )
        current = self.instance.category_id if self.instance.pk else None
        self.fields["category"].queryset = Category.objects.filter(Q(is_active=True) | Q(pk=current))
        self.fields["category"].empty_label = "请选择问题类别"
        if not self.is_bound and not self.initial.get("found_on"):
            self.initial["found_on"] = local_today()

    def clean_description(self) -> str:
        value = (self.cleaned_data.get("description") or "").strip()
        if not value:
            raise forms.ValidationError("请填写问题描述。")
        return value

    def clean_found_on(self) -> datetime.date:
        value = self.cleaned_data["found_on"]
        if value > local_today():
            raise forms.ValidationError("发现日期不能晚于今天。")
        return value

    # The measures' choices depend on the organisation and the deadline default on the category and date,
    # even while this form is still invalid: these read the submitted values as far as they are usable.

    def selected_organization(self) -> Organization | None:
        return self._selected("organization")

    def selected_category(self) -> Category | None:
        return self._selected("category")

    def selected_found_on(self) -> datetime.date | None:
        field = self.fields["found_on"]
        raw = self.data.get(self.add_prefix("found_on")) if self.is_bound else self.initial.get("found_on")
        try:
            return field.clean(raw) if raw else None
        except forms.ValidationError:
            return None

    def _selected(self, name: str) -> object | None:
        field = self.fields[name]
        if self.is_bound:
            raw = self.data.get(self.add_prefix(name))
        else:
            raw = self.initial.get(name) or getattr(self.instance, f"{name}_id", None)
        if raw in (None, ""):
            return None
        if isinstance(raw, field.queryset.model):
            raw = raw.pk
        try:
            return field.queryset.get(pk=raw)
        except (field.queryset.model.DoesNotExist, ValueError, TypeError):
            return None


class FindingUpdateForm(FindingForm):
    """Editing a filed finding. Its measures stay where they are, so the organisation and the date may move
    only as far as the measures allow."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args,
        organizations: QuerySet[Organization],
        measure_orgs: list[Organization] = (),
        earliest_due: datetime.date | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, organizations=organizations, **kwargs)
        self.measure_orgs = list(measure_orgs)
        self.earliest_due = earliest_due
        self.initial.setdefault("version", self.instance.version)

    def clean(self) -> dict:
        data = super().clean()
        org = data.get("organization")
        if org:
            outside = sorted({o.name for o in self.measure_orgs if not o.is_within(org)})
            if outside:
                self.add_error(
                    "organization",
                    f"该问题的整改措施由“{'、'.join(outside)}”负责，不在“{org}”之下，不能改到该党组织。",
                )
        found_on = data.get("found_on")
        if found_on and self.earliest_due and found_on > self.earliest_due:
            self.add_error("found_on", f"已有整改措施的时限为 {self.earliest_due:%Y-%m-%d}，发现日期不能晚于它。")
        return data


class FindingArchiveForm(VersionedForm):
    reason = forms.CharField(
        label="归档原因",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "例如：重复录入、经复核不属于问题"}),
        error_messages={"required": "请填写归档原因。"},
    )

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("请填写归档原因。")
        return value
