from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from partyreview.accounts.models import Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "email", "phone", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email", "phone")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("联系与提醒", {"fields": ("full_name", "phone", "email_notifications")}),
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username", "recipient__full_name")
    readonly_fields = ("recipient", "kind", "title", "body", "url", "created_at", "read_at")

    def has_add_permission(self, request) -> bool:
        return False
