"""Staff forms: the measures entered with a finding, editing a measure, and the review decisions.

They validate and render only; the views hand the cleaned values to the services, which check the rules
again (scope, lifecycle, version) and write.
"""

import datetime

from django import forms
from django.conf import settings
from django.urls import reverse_lazy

from partyreview.accounts.models import User
from partyreview.common.params import BoundedDateField
from partyreview.common.widgets import SearchSelect
from partyreview.inspections.forms import DATE, VersionedForm
from partyreview.inspections.models import Category
from partyreview.organizations.models import Organization
from partyreview.organizations.selectors import assignable_users, leaders_for
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification, RectificationEffect, RectificationKind, ReportCadence


class PersonChoiceField(forms.ModelChoiceField):
    """选人: a person among the organisation's candidates, found by name, pinyin or initials."""

    widget = SearchSelect

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def _search_people(form: forms.Form, *, organization_id: int | None = None, from_field: str = "") -> None:
    """Point the form's person pickers at the search: of one organisation, or of the one chosen in the
    page's ``from_field`` (the finding form's organisation)."""
    for name, role in (("assignee", "assignee"), ("responsible_leader", "leader")):
        attrs = {"data-person-search": reverse_lazy("organizations:person_search"), "data-role": role}
        if organization_id is not None:
            attrs["data-organization"] = str(organization_id)
        if from_field:
            attrs["data-organization-from"] = from_field
        form.fields[name].widget.attrs.update(attrs)


def default_due_date(category: Category | None, found_on: datetime.date | None) -> datetime.date | None:
    """整改时限 by default: the category's time limit counted from the day the problem was found."""
    if category is None or found_on is None or not category.default_days:
        return None
    return found_on + datetime.timedelta(days=category.default_days)


class MeasureForm(forms.Form):
    """One 整改措施 entered with its finding.

    ``organization`` decides who may be assignee and responsible leader. While it is unknown (nothing
    chosen yet, or an invalid choice) the lists are empty on a first render and unrestricted on a submit,
    so the only error shown is the one on the organisation; the service checks the assignee again.
    """

    measure = forms.CharField(
        label="整改措施",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写整改措施。"},
    )
    kind = forms.ChoiceField(label="整改类型", choices=RectificationKind.choices, initial=RectificationKind.DEADLINE)
    responsible_leader = PersonChoiceField(
        label="责任领导", queryset=User.objects.none(), required=False, empty_label="（不指定）"
    )
    assignee = PersonChoiceField(
        label="责任人",
        queryset=User.objects.none(),
        empty_label="请选择责任人",
        error_messages={
            "required": "请选择责任人。",
            "invalid_choice": "所选责任人不属于该党组织，请重新选择。",
        },
    )
    due_date = BoundedDateField(label="整改时限", required=False, widget=DATE)
    past_due_confirmed = forms.BooleanField(label="整改时限已过，仍然保存（保存后立即显示为逾期）", required=False)
    # True once the deadline was found past and not confirmed: the template then shows the box.
    asks_past_due = False
    report_cadence = forms.ChoiceField(
        label="报告周期（长期坚持）", choices=[("", "—"), *ReportCadence.choices], required=False
    )

    def __init__(
        self,
        *args,
        organization: Organization | None = None,
        category: Category | None = None,
        found_on: datetime.date | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.found_on = found_on
        self.default_due = default_due_date(category, found_on)
        _search_people(self, organization_id=organization.pk if organization else None, from_field="organization")
        if organization is not None:
            self.fields["assignee"].queryset = assignable_users(organization)
            self.fields["responsible_leader"].queryset = leaders_for(organization)
        elif self.is_bound:
            everyone = User.objects.filter(is_active=True)
            self.fields["assignee"].queryset = everyone
            self.fields["responsible_leader"].queryset = everyone

    def clean_measure(self) -> str:
        value = self.cleaned_data["measure"].strip()
        if not value:
            raise forms.ValidationError("请填写整改措施。")
        return value

    @property
    def immediate_days(self) -> int:
        return settings.IMMEDIATE_DEFAULT_DAYS

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == RectificationKind.LONG_TERM:
            # The date, if any, is the stage goal; the service checks the cadence again.
            if not data.get("report_cadence"):
                self.add_error("report_cadence", "长期坚持的整改措施须选择报告周期。")
            return data
        if kind == RectificationKind.IMMEDIATE and not data.get("due_date"):
            return data  # the service sets IMMEDIATE_DEFAULT_DAYS from the feedback date
        due = data.get("due_date") or self.default_due
        if due is None:
            self.add_error("due_date", "请填写整改时限（该问题类别没有默认时限）。")
        elif self.found_on and due < self.found_on:
            self.add_error("due_date", f"整改时限不能早于问题发现日期（{self.found_on:%Y-%m-%d}）。")
        else:
            data["due_date"] = due
            # The rule is the service's (rectification_create); asked here too, beside the date, so the
            # user sees the warning where the date is and confirms it with the box that then appears.
            if services.deadline_is_past(due) and not data.get("past_due_confirmed"):
                self.asks_past_due = True
                self.add_error(
                    "due_date",
                    f"整改时限 {due:%Y-%m-%d} 早于今天，保存后将立即显示为逾期。"
                    "请核对；确属补录的，请勾选下方确认后再保存。",
                )
        return data


class BaseMeasureFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "每个问题至少需要一项整改措施。",
        "too_many_forms": "一次最多录入 %(num)d 项整改措施。",
        "missing_management_form": "表单数据不完整，请刷新页面后重新填写。",
    }


MeasureFormSet = forms.formset_factory(
    MeasureForm, formset=BaseMeasureFormSet, extra=1, min_num=1, validate_min=True, max_num=20, validate_max=True
)


class RectificationUpdateForm(VersionedForm):
    """Staff edit a measure: what, who, by when. A moved deadline keeps ``original_due_date``."""

    measure = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="整改类型", choices=RectificationKind.choices)
    responsible_leader = PersonChoiceField(
        label="责任领导", queryset=User.objects.none(), required=False, empty_label="（不指定）"
    )
    assignee = PersonChoiceField(
        label="责任人",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "所选责任人不属于该党组织，请重新选择。"},
    )
    due_date = BoundedDateField(label="整改时限（长期坚持为阶段性目标）", widget=DATE)
    report_cadence = forms.ChoiceField(
        label="报告周期（长期坚持）", choices=[("", "—"), *ReportCadence.choices], required=False
    )
    reason = forms.CharField(
        label="修改说明",
        required=False,
        max_length=200,
        help_text="例如调整时限的依据；记入整改过程。",
    )

    def __init__(self, *args, rectification: Rectification, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "measure": rectification.measure,
                "kind": rectification.kind,
                "responsible_leader": rectification.responsible_leader_id,
                "assignee": rectification.assignee_id,
                "due_date": rectification.due_date,
                "report_cadence": rectification.report_cadence,
                "version": rectification.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.rectification = rectification
        self.fields["assignee"].queryset = assignable_users(rectification.responsible_org)
        self.fields["responsible_leader"].queryset = leaders_for(rectification.responsible_org)
        _search_people(self, organization_id=rectification.responsible_org_id)

    def clean_measure(self) -> str:
        value = self.cleaned_data["measure"].strip()
        if not value:
            raise forms.ValidationError("请填写整改措施。")
        return value

    def clean_due_date(self) -> datetime.date:
        value = self.cleaned_data["due_date"]
        found_on = self.rectification.finding.found_on
        if value < found_on:
            raise forms.ValidationError(f"整改时限不能早于问题发现日期（{found_on:%Y-%m-%d}）。")
        return value


class DecisionForm(VersionedForm):
    """One text and the version seen: close (核查意见), return (退回原因) or reopen (回头看原因).

    The review queue shows one text box with a 销号 and a 退回 button, so both post the same field name."""

    text_label = ""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = self.text_label
        self.fields["text"].error_messages["required"] = f"请填写{self.text_label}。"

    def clean_text(self) -> str:
        value = self.cleaned_data["text"].strip()
        if not value:
            raise forms.ValidationError(f"请填写{self.text_label}。")
        return value

    def service_kwargs(self) -> dict:
        """What the decision's service takes beyond the text and the version."""
        return {}


class CloseForm(DecisionForm):
    text_label = "核查意见"

    effect = forms.ChoiceField(
        label="整改成效",
        choices=[("", "（暂不评定）"), *RectificationEffect.choices],
        required=False,
        help_text="实质整改：问题根本解决；需持续跟进：已完成但效果有待巩固。",
    )

    def service_kwargs(self) -> dict:
        return {"effect": self.cleaned_data.get("effect", "")}


class EndLongTermForm(DecisionForm):
    text_label = "结束理由"


class ReturnForm(DecisionForm):
    text_label = "退回原因"


class ReopenForm(DecisionForm):
    text_label = "回头看原因"


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果",
        choices=[("approve", "批准延期"), ("reject", "不批准")],
        error_messages={"required": "请选择批准或不批准。"},
    )
    note = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "不批准延期时请填写理由。")
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == "approve"
