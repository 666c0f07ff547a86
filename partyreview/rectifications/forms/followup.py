"""回头看 forms: the plan (which closed measures, checked by whom, by when) and a check's outcome.

They validate and render only; the views choose the measures through the selectors and hand them to
``followup_schedule`` / ``followup_record``, which check scope, state and the open check again.
"""

import random

from django import forms

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.common.params import BoundedDateField
from partyreview.inspections.forms import DATE
from partyreview.rectifications.models import FollowUpOutcome
from partyreview.rectifications.selectors import followup_inspectors

MAX_MONTHS = 120
MAX_PER_BRANCH = 100
MAX_SEED = 2**31 - 1


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class FollowUpPlanForm(forms.Form):
    """安排回头看: the closed measures of an inspection (or of a chosen set), those closed at least N months
    ago, optionally N per organisation drawn at random; the seed travels with the form so that the plan
    confirmed is the plan previewed."""

    closed_months = forms.IntegerField(
        label="销号满（个月）",
        required=False,
        min_value=0,
        max_value=MAX_MONTHS,
        help_text="只复查销号已满这么多个月的措施；不填则不限。",
        error_messages={
            "invalid": "销号月数请填写整数。",
            "min_value": "销号月数不能为负数。",
            "max_value": f"销号月数最多 {MAX_MONTHS}。",
        },
    )
    per_branch = forms.IntegerField(
        label="每个党组织抽查（项）",
        required=False,
        min_value=1,
        max_value=MAX_PER_BRANCH,
        help_text="每个责任党组织随机抽取这么多项；不填则全部复查。",
        error_messages={
            "invalid": "抽查数量请填写整数。",
            "min_value": "抽查数量至少为 1 项。",
            "max_value": f"每个党组织最多抽查 {MAX_PER_BRANCH} 项。",
        },
    )
    inspector = InspectorChoiceField(
        label="复查人",
        queryset=User.objects.none(),
        empty_label="请选择复查人",
        error_messages={
            "required": "请选择复查人。",
            "invalid_choice": "所选复查人不是您范围内的党务工作人员，请重新选择。",
        },
    )
    due_date = BoundedDateField(
        label="复查期限",
        widget=DATE,
        error_messages={"required": "请填写复查期限。", "invalid": "复查期限不是有效日期。"},
    )
    seed = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_SEED)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = followup_inspectors(user)
        if not self.is_bound:
            self.initial.setdefault("seed", random.randint(0, MAX_SEED))  # a sample's seed, not a secret
            self.initial.setdefault("inspector", user.pk)

    def clean_due_date(self):
        day = self.cleaned_data["due_date"]
        if day is not None and day < local_today():
            raise forms.ValidationError("复查期限不能早于今天。")
        return day

    def clean_seed(self) -> int:
        return self.cleaned_data.get("seed") or 0


class FollowUpRecordForm(forms.Form):
    """回头看结论: 整改到位, or 问题反弹 (which reopens the measure), with what the check found."""

    outcome = forms.ChoiceField(
        label="复查结论",
        choices=[(FollowUpOutcome.RECTIFIED, "整改到位"), (FollowUpOutcome.RELAPSED, "问题反弹（重新打开该措施）")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择复查结论：整改到位或问题反弹。",
            "invalid_choice": "请选择复查结论：整改到位或问题反弹。",
        },
    )
    note = forms.CharField(
        label="复查情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写复查情况。", "max_length": "复查情况请不超过 2000 字。"},
    )

    def clean_note(self) -> str:
        value = self.cleaned_data["note"].replace("\x00", "").strip()
        if not value:
            raise forms.ValidationError("请填写复查情况。")
        return value
