from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partyreview.organizations.models import Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("indented_name", "code", "kind", "formal_member_count", "has_committee", "term_end", "is_active")
    list_filter = ("kind", "is_active", "has_committee")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    inlines = (MembershipInline,)

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj: Organization) -> str:
        return "\u3000" * obj.depth + obj.name


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organization", "role", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization")
