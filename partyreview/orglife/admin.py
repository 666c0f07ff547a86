from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from partyreview.orglife.models import (
    Breach,
    DuesPayment,
    MeetingEvidence,
    MeetingRecord,
    PartyMember,
    RuleSetting,
    TermExtension,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records are written through the pages and services, where the rules and history hold; the admin reads."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        # Only administrators may remove a record, and only one entered by mistake.
        return request.user.is_superuser


@admin.register(RuleSetting)
class RuleSettingAdmin(SimpleHistoryAdmin):
    """The one place rules are configured: enable, disable, period and threshold per organisation kind."""

    list_display = ("rule", "organization_kind", "is_enabled", "period", "threshold", "term_years")
    list_editable = ("is_enabled", "period", "threshold", "term_years")
    list_filter = ("organization_kind", "is_enabled")

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(MeetingRecord)
class MeetingRecordAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("held_at", "organization", "topic", "present_count", "expected_count", "is_void")
    list_filter = ("is_void", "type_rows__type")
    search_fields = ("topic", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "held_at"


@admin.register(MeetingEvidence)
class MeetingEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "meeting", "content_type", "size", "uploaded_by", "created_at")
    list_select_related = ("meeting__organization", "uploaded_by")


@admin.register(PartyMember)
class PartyMemberAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("name", "organization", "category", "status", "joined_on", "dues_from", "dues_exempt")
    list_filter = ("category", "status", "dues_exempt")
    search_fields = ("name", "organization__name")
    list_select_related = ("organization",)


@admin.register(DuesPayment)
class DuesPaymentAdmin(ReadOnlyAdmin):
    list_display = ("member", "month", "amount", "paid_on", "recorded_by")
    search_fields = ("member__name",)
    list_select_related = ("member", "recorded_by")


@admin.register(TermExtension)
class TermExtensionAdmin(ReadOnlyAdmin):
    list_display = ("organization", "term_end", "extended_to", "approved_on", "approval_ref")
    list_select_related = ("organization",)


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ("organization", "rule", "period_label", "light", "status", "detected_at", "decided_by")
    list_filter = ("status", "rule", "light")
    search_fields = ("organization__name", "description")
    list_select_related = ("organization", "decided_by")
