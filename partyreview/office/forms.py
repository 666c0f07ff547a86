"""The upload form of the problem-list import. It validates and renders; the file checks live in importers."""

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from partyreview.inspections.models import Inspection


class ImportUploadForm(forms.Form):
    inspection = forms.ModelChoiceField(
        label="导入到检查", queryset=Inspection.objects.none(), empty_label="请选择检查"
    )
    file = forms.FileField(
        label="问题清单文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, inspections: QuerySet[Inspection], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections.select_related("inspecting_org")
        limit = settings.OFFICE_IMPORT_MAX_BYTES / 1024 / 1024
        self.fields[
            "file"
        ].help_text = f"请使用下载的模板填写；文件不超过 {limit:.0f} MB、{settings.OFFICE_IMPORT_MAX_ROWS} 行。"
