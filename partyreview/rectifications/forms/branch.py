"""What a branch secretary or assignee fills in: progress, a request for 销号, a request for more time.

Every form carries the rectification's ``version`` so the service can refuse a form loaded before
someone else changed the measure. Evidence files are checked here with the same rules the service
applies again, so a bad file is named beside the field before anything is written.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.common.params import BoundedDateField
from partyreview.rectifications.evidence import ALLOWED_LABEL, check_upload, size_label

# What the phone offers in its picker; the server decides from the content whatever the browser sends.
EVIDENCE_ACCEPT = (
    "image/*,application/pdf,.pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,"
    "application/msword,application/vnd.ms-excel,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
# Photos of a multi-page meeting record add up; more than this in one update is a mistake.
MAX_FILES_PER_UPDATE = 20


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several evidence files from one ``<input type=file multiple>`` (and the camera input beside it)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT, "class": "form-control", "data-evidence-input": ""}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES_PER_UPDATE:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES_PER_UPDATE} 个文件，请分几次填报。")
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ActionRefused as refused:
                errors.append(forms.ValidationError(refused.message, code="evidence"))
        if errors:
            # Every bad file is named, so the user fixes them all in one go.
            raise forms.ValidationError(errors)
        return files


def _files_help() -> str:
    return f"可多选，可直接拍照。支持 {ALLOWED_LABEL}，单个文件不超过 {size_label(settings.EVIDENCE_MAX_BYTES)}。"


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @property
    def max_bytes(self) -> int:
        """The per-file limit, for the page script that warns before a phone uploads a file for nothing."""
        return settings.EVIDENCE_MAX_BYTES


class ProgressForm(VersionedForm):
    """整改进展：一段说明，可附佐证材料。"""

    note = forms.CharField(
        label="进展情况",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "例如：已于3月5日召开支委会，研究整改方案……"}),
        max_length=5000,
    )
    files = EvidenceFilesField(label="佐证材料")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _files_help()
        self.fields["note"].error_messages["required"] = "请填写进展情况。"


class PeriodReportForm(VersionedForm):
    """定期报告：长期坚持措施本报告期的落实情况，可附佐证材料。"""

    note = forms.CharField(
        label="本期落实情况",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "例如：本季度按期召开支部党员大会1次、支委会3次……"}),
        max_length=5000,
    )
    files = EvidenceFilesField(label="佐证材料")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _files_help()
        self.fields["note"].error_messages["required"] = "请填写本期落实情况。"


class SubmitForm(VersionedForm):
    """申请销号：整改情况说明，至少一份佐证材料（此前已上传的也算）。"""

    summary = forms.CharField(
        label="整改情况说明",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "说明整改措施如何落实、取得什么效果、有哪些佐证材料。"}),
        max_length=5000,
    )
    files = EvidenceFilesField(label="补充佐证材料")

    def __init__(self, *args: object, has_evidence: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.has_evidence = has_evidence
        self.fields["summary"].error_messages["required"] = "请填写整改情况说明。"
        self.fields["files"].help_text = _files_help()
        if not has_evidence:
            self.fields["files"].label = "佐证材料"
            self.fields["files"].required = True
            self.fields["files"].error_messages["required"] = "申请销号须至少上传一份佐证材料。"


class ExtensionForm(VersionedForm):
    """延期申请：新的整改时限（须晚于当前时限）与理由。"""

    new_due_date = BoundedDateField(
        label="申请延至",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择新的整改时限。", "invalid": "请输入正确的日期，例如 2026-06-30。"},
    )
    reason = forms.CharField(
        label="延期理由",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "说明为什么不能按期完成，以及新的完成计划。"}),
        max_length=2000,
        error_messages={"required": "请填写延期理由。"},
    )

    def __init__(self, *args: object, current_due_date: datetime.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.current_due_date = current_due_date
        earliest = max(current_due_date + datetime.timedelta(days=1), local_today())
        self.fields["new_due_date"].widget.attrs["min"] = earliest.isoformat()
        self.fields["new_due_date"].help_text = f"当前整改时限为 {current_due_date:%Y-%m-%d}，新时限须晚于该日期。"

    def clean_new_due_date(self) -> datetime.date:
        value = self.cleaned_data["new_due_date"]
        if value <= self.current_due_date:
            raise forms.ValidationError(f"申请的新时限须晚于当前整改时限（{self.current_due_date:%Y-%m-%d}）。")
        if value < local_today():
            raise forms.ValidationError("申请的新时限不能早于今天。")
        return value
