"""Form fields with no domain in them."""

from typing import Any

from django import forms
from django.conf import settings

# What the file chooser offers. The reader judges the bytes, never the name: this only saves a wrong pick.
SPREADSHEET_ACCEPT = (
    ".xlsx,.xls,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel"
)


class SpreadsheetField(forms.FileField):
    """The one upload field for spreadsheets (problem lists, ledgers, rosters, dues, organisations, people).

    It only renders and says the limits; the file itself is judged by ``common.spreadsheets``, so every
    import refuses the same files with the same words."""

    def __init__(self, *, label: str = "Excel 文件（.xlsx、.xls）", **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": SPREADSHEET_ACCEPT}))
        kwargs.setdefault("help_text", limits_text())
        super().__init__(label=label, **kwargs)


def limits_text() -> str:
    megabytes = settings.OFFICE_IMPORT_MAX_BYTES / 1024 / 1024
    return f"文件不超过 {megabytes:.0f} MB、{settings.OFFICE_IMPORT_MAX_ROWS} 行。"
