from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partyreview.rectifications.models import (
    Escalation,
    Evidence,
    ExtensionRequest,
    ProgressUpdate,
    Rectification,
    StandardMeasure,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through the services so rules and history hold; the admin reads."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("__str__", "responsible_org", "assignee", "status", "due_date", "original_due_date")
    list_filter = ("status", "kind")
    search_fields = ("measure", "finding__description")
    list_select_related = ("finding__inspection", "responsible_org", "assignee")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only administrators may remove a record, and only one entered by mistake.
        return request.user.is_superuser


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    list_display = ("rectification", "kind", "author", "created_at")
    list_select_related = ("rectification__finding__inspection", "author")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "rectification", "content_type", "size", "uploaded_by", "created_at")
    list_select_related = ("rectification__finding__inspection", "uploaded_by")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("rectification", "previous_due_date", "requested_due_date", "status", "requested_by", "decided_by")
    list_filter = ("status",)
    list_select_related = ("rectification__finding__inspection", "requested_by", "decided_by")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("organization", "rectification", "created_by", "created_at")
    list_select_related = ("organization", "created_by")


@admin.register(StandardMeasure)
class StandardMeasureAdmin(admin.ModelAdmin):
    """整改措施库: administrators keep the library's words; filing pages offer them by category."""

    list_display = ("text", "category", "kind", "sort_order", "is_active")
    list_editable = ("kind", "sort_order", "is_active")
    list_filter = ("category", "kind", "is_active")
    search_fields = ("text",)
    list_select_related = ("category",)
