"""The upload form of the import. It validates and renders; the file checks live in common.spreadsheets."""

import io
from typing import IO

from django import forms
from django.db.models import QuerySet

from partyreview.common.forms import SpreadsheetField, limits_text
from partyreview.inspections.models import Inspection


class ImportUploadForm(forms.Form):
    inspection = forms.ModelChoiceField(
        label="导入到检查", queryset=Inspection.objects.none(), empty_label="请选择检查"
    )
    # The ledger's one upload field, also taking the feedback documents this form reads (.docx, .txt).
    file = SpreadsheetField(
        label="问题清单、整改台账（.xlsx、.xls）或反馈意见（.docx、.txt）",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.xls,.docx,.txt,application/vnd.ms-excel,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"
            }
        ),
    )
    text = forms.CharField(
        label="或粘贴反馈意见文本",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "从反馈意见中复制问题部分（连同编号）粘贴到这里"}),
        help_text="从 Word、公文系统或邮件中复制反馈意见，连同“一、（一）1.”“一是、二是”等编号一起粘贴。",
    )

    def __init__(self, *args, inspections: QuerySet[Inspection], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections.select_related("inspecting_org")
        self.fields[
            "file"
        ].help_text = f"各单位自己格式的整改台账、问题清单，或 Word、文本格式的反馈意见，均可直接上传；{limits_text()}"

    def clean(self) -> dict:
        data = super().clean()
        has_file, has_text = bool(data.get("file")), bool((data.get("text") or "").strip())
        if not has_file and not has_text:
            raise forms.ValidationError("请选择要上传的文件，或粘贴反馈意见文本。")
        if has_file and has_text:
            raise forms.ValidationError("请只上传文件或只粘贴文本，不要同时提供两者。")
        return data

    def upload(self) -> tuple[IO[bytes], str]:
        """The upload as a stream and its name; pasted text is kept like a UTF-8 .txt file."""
        if self.cleaned_data.get("file"):
            return self.cleaned_data["file"], self.cleaned_data["file"].name
        return io.BytesIO(self.cleaned_data["text"].encode("utf-8")), "粘贴的反馈意见.txt"
