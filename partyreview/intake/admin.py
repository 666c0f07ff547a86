from django.contrib import admin
from django.http import HttpRequest

from partyreview.intake.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """导入记录 are written by the import service only; the admin reads them (who imported what, when)."""

    list_display = ("original_name", "inspection", "uploaded_by", "status", "findings_created", "created_at")
    list_filter = ("status",)
    search_fields = ("original_name", "inspection__title", "uploaded_by__username", "uploaded_by__full_name")
    list_select_related = ("inspection", "uploaded_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportBatch | None = None) -> bool:
        return False
