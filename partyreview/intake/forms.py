"""The upload form of the problem-list import. It validates and renders; the file checks live in the reader."""

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from partyreview.inspections.models import Inspection


class ImportUploadForm(forms.Form):
    inspection = forms.ModelChoiceField(
        label="导入到检查", queryset=Inspection.objects.none(), empty_label="请选择检查"
    )
    file = forms.FileField(
        label="问题清单或整改台账（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, inspections: QuerySet[Inspection], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections.select_related("inspecting_org")
        limit = settings.OFFICE_IMPORT_MAX_BYTES / 1024 / 1024
        rows = settings.OFFICE_IMPORT_MAX_ROWS
        help_text = f"各单位自己格式的整改台账、问题清单均可直接上传；文件不超过 {limit:.0f} MB、{rows} 行。"
        self.fields["file"].help_text = help_text
