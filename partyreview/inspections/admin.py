from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partyreview.inspections.models import Category, Finding, Inspection


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "default_days", "sort_order", "is_active")
    list_editable = ("default_days", "sort_order", "is_active")
    search_fields = ("name", "code")


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "inspecting_org", "start_date", "feedback_date", "report_due_date", "is_archived")
    list_filter = ("kind", "is_archived")
    search_fields = ("title",)
    autocomplete_fields = ("inspecting_org", "inspected_orgs", "owners")
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    """Findings are filed and changed through the staff pages (services keep history and rules);
    the admin reads them and, for administrators only, may delete a mistaken one."""

    list_display = ("__str__", "organization", "category", "severity", "source", "is_archived")
    list_filter = ("severity", "source", "is_archived", "category")
    search_fields = ("description",)
    list_select_related = ("inspection", "organization", "category")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
