"""The upload form of the problem-list import. It validates and renders; the file checks live in
common.spreadsheets and importers."""

from django import forms
from django.db.models import QuerySet

from partyreview.common.forms import SpreadsheetField, limits_text
from partyreview.inspections.models import Inspection


class ImportUploadForm(forms.Form):
    inspection = forms.ModelChoiceField(
        label="导入到检查", queryset=Inspection.objects.none(), empty_label="请选择检查"
    )
    file = SpreadsheetField(label="问题清单文件（.xlsx）")

    def __init__(self, *args, inspections: QuerySet[Inspection], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections.select_related("inspecting_org")
        self.fields["file"].help_text = f"请使用下载的模板填写；{limits_text()}"
