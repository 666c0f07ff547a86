"""Dashboard forms: the filter bar and the short 督办 instruction. They validate only."""

from django import forms

from partyreview.accounts.models import User
from partyreview.common.params import BoundedDateField
from partyreview.common.widgets import FastSelect
from partyreview.dashboards.selectors import DashboardFilter, dashboard_focus_choices, dashboard_inspections
from partyreview.inspections.forms import InspectionChoiceField, OrganizationChoiceField

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class DashboardFilterForm(forms.Form):
    # A committee's thousand organisations, indented by depth as on the lists' filters, options cached.
    organization = OrganizationChoiceField(
        label="党组织",
        queryset=None,
        required=False,
        empty_label="全部",
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    # Years of inspections: options from two columns, written in Python, as on the lists' filters.
    inspection = InspectionChoiceField(
        label="检查",
        queryset=None,
        required=False,
        empty_label="全部检查",
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    date_from = BoundedDateField(label="从", required=False, widget=DATE)
    date_to = BoundedDateField(label="至", required=False, widget=DATE)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = dashboard_inspections(user).order_by("-start_date", "-id")
        # Outside the viewer's scope an organisation is not a choice: the filter is ignored, nothing shown.
        self.fields["organization"].queryset = dashboard_focus_choices(user).order_by("path")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data

    def to_filter(self) -> DashboardFilter:
        """The filter to apply: what validated, nothing for what did not (never a 500 on a bad URL)."""
        if not self.is_bound or not self.is_valid():
            return DashboardFilter()
        data = self.cleaned_data
        return DashboardFilter(
            inspection=data.get("inspection"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            organization=data.get("organization"),
        )


class EscalationForm(forms.Form):
    instruction = forms.CharField(
        label="督办要求",
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control", "placeholder": "如：请于本周五前完成整改并上传佐证材料。"}
        ),
    )
