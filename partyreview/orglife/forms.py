"""Forms for organisational life: they validate and render, the services decide and save."""

import datetime

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.common.forms import SpreadsheetField
from partyreview.common.params import BoundedDateField
from partyreview.inspections.models import Inspection, Severity
from partyreview.orglife.models import MeetingType, MemberCategory, MemberStatus, PartyMember
from partyreview.rectifications.evidence import ALLOWED_LABEL, check_upload

MAX_FILES = 20
EVIDENCE_ACCEPT = "image/*,application/pdf,.pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files from one ``<input type=file multiple>``, each checked by content as the service will."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES} 个文件。")
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ActionRefused as refused:
                errors.append(forms.ValidationError(refused.message, code="evidence"))
        if errors:
            raise forms.ValidationError(errors)
        return files


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthField(BoundedDateField):
    """A month (``<input type=month>``, "2026-03"), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: object) -> datetime.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class MeetingForm(forms.Form):
    """组织生活记录."""

    types = forms.MultipleChoiceField(
        label="会议类型",
        choices=MeetingType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="一次会议可计入多种类型，如支部党员大会同时作为本月主题党日。",
    )
    held_at = forms.DateTimeField(
        label="召开时间",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="北京时间。",
    )
    topic = forms.CharField(label="会议主题", max_length=200)
    speaker = forms.CharField(label="党课主讲人", max_length=50, required=False, help_text="党课必填。")
    expected_count = forms.IntegerField(label="应到人数", min_value=1, max_value=10000)
    present_count = forms.IntegerField(label="实到人数", min_value=0, max_value=10000)
    minutes = forms.CharField(
        label="会议记录",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "会议议程、讨论情况、形成的决议……"}),
    )
    files = FilesField(label="佐证材料", help_text=f"签到表、会议记录照片等，可多选。支持 {ALLOWED_LABEL}。")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        data = super().clean()
        types = data.get("types") or []
        if MeetingType.PARTY_LECTURE in types and not (data.get("speaker") or "").strip():
            self.add_error("speaker", "党课须填写主讲人。")
        expected, present = data.get("expected_count"), data.get("present_count")
        if expected is not None and present is not None and present > expected:
            self.add_error("present_count", "实到人数不能多于应到人数。")
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


class MemberForm(forms.ModelForm):
    """党员信息."""

    dues_from = MonthField(label="党费起算月份", required=False, help_text="不填时按入党当月与今年1月中较晚的一个。")

    class Meta:
        model = PartyMember
        fields = ["name", "category", "joined_on", "status", "dues_from", "dues_exempt", "note"]
        widgets = {"joined_on": DateInput()}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = MemberCategory.choices
        self.fields["status"].choices = MemberStatus.choices

    def validate_unique(self) -> None:
        # The service checks names within the branch and says so in Chinese.
        return None


class ImportForm(forms.Form):
    file = SpreadsheetField()


class DuesForm(forms.Form):
    """党费登记：一个月，或几个月一起交（含提前交）."""

    member = forms.ModelChoiceField(label="党员", queryset=PartyMember.objects.none())
    first_month = MonthField(label="起始月份")
    last_month = MonthField(label="截止月份", required=False, help_text="几个月一起交时填写；只交一个月可不填。")
    amount = forms.DecimalField(
        label="金额（元）", min_value=0, max_digits=10, decimal_places=2, help_text="这几个月的合计。"
    )
    paid_on = BoundedDateField(label="交纳日期", widget=DateInput(), initial=local_today)

    def __init__(self, *args: object, members: QuerySet[PartyMember], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first_month"), data.get("last_month")
        if first and last and last < first:
            self.add_error("last_month", "截止月份不能早于起始月份。")
        return data


class BreachConfirmForm(forms.Form):
    """确认建议问题：成为正式问题，并制定一项整改措施."""

    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices, initial=Severity.MINOR)
    measure = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    assignee = forms.ModelChoiceField(label="责任人", queryset=User.objects.none())
    responsible_leader = forms.ModelChoiceField(label="责任领导", queryset=User.objects.none(), required=False)
    due_date = BoundedDateField(label="整改时限", widget=DateInput())
    inspection = forms.ModelChoiceField(
        label="归入检查",
        queryset=Inspection.objects.none(),
        required=False,
        empty_label="自动：组织生活自动检查（本年度）",
        help_text="不选时归入本年度的“组织生活自动检查”（日常督查），没有则自动建立。",
    )

    def __init__(
        self,
        *args: object,
        assignees: QuerySet[User],
        leaders: QuerySet[User],
        inspections: QuerySet[Inspection],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["responsible_leader"].queryset = leaders
        self.fields["inspection"].queryset = inspections

    def clean_due_date(self) -> datetime.date:
        due = self.cleaned_data["due_date"]
        if due < local_today():
            raise forms.ValidationError("整改时限不能早于今天。")
        return due


class BreachDismissForm(forms.Form):
    reason = forms.CharField(
        label="驳回理由", widget=forms.Textarea(attrs={"rows": 3}), help_text="例如：会议已召开，系统中漏记，已补录。"
    )


class TermExtensionForm(forms.Form):
    """延期换届（经上级党组织批准）."""

    extended_to = BoundedDateField(label="批准延至", widget=DateInput())
    approved_on = BoundedDateField(label="批准日期", widget=DateInput())
    approval_ref = forms.CharField(label="批准文号", max_length=100, required=False)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}))


class TermElectionForm(forms.Form):
    """换届：新一届委员会选举产生."""

    elected_on = BoundedDateField(label="换届选举日期", widget=DateInput())
    term_years = forms.IntegerField(label="任期（年）", min_value=1, max_value=10)
