from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from partyreview.common.errors import ActionRefused
from partyreview.reminders.models import Delivery, OrgWebhook, ReminderItem, ReminderPolicy, SweepRun
from partyreview.reminders.services import webhook_send_test


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """One policy for the whole system: the list goes straight to its form, and it cannot be added or removed."""

    fieldsets = (
        (
            "到期提醒（责任人、支部书记）",
            {"fields": ("days_before", "immediate_days_before", "overdue_enabled", "overdue_max_interval_days")},
        ),
        ("督办", {"fields": ("escalate_leader_after_days", "escalate_committee_after_days")}),
        ("整改报告与回头看（党务工作人员）", {"fields": ("report_days_before", "follow_up_days_before")}),
        ("时间与汇总", {"fields": ("sweep_hour", "weekly_summary_enabled", "weekly_summary_weekday")}),
        ("渠道", {"fields": ("email_enabled", "webhooks_enabled")}),
    )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        policy = ReminderPolicy.load()
        return HttpResponseRedirect(reverse("admin:reminders_reminderpolicy_change", args=[policy.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReminderPolicy | None = None) -> bool:
        return False


class OrgWebhookForm(forms.ModelForm):
    url = forms.URLField(label="Webhook 地址", max_length=500, assume_scheme="https")

    class Meta:
        model = OrgWebhook
        fields = ("organization", "name", "kind", "url", "secret", "scope", "is_active")
        # The secret is shown masked; an administrator who opens the form does not read it off the screen.
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("secret") and data.get("kind") != "dingtalk":
            self.add_error("secret", "只有钉钉机器人使用加签密钥。")
        return data


@admin.register(OrgWebhook)
class OrgWebhookAdmin(admin.ModelAdmin):
    form = OrgWebhookForm
    list_display = ("name", "organization", "kind", "scope", "is_active", "created_at")
    list_filter = ("kind", "scope", "is_active")
    search_fields = ("name", "organization__name")
    list_select_related = ("organization",)
    actions = ["send_test"]

    @admin.action(description="发送测试消息")
    def send_test(self, request: HttpRequest, queryset: QuerySet[OrgWebhook]) -> None:
        for webhook in queryset:
            try:
                webhook_send_test(actor=request.user, webhook=webhook)
            except ActionRefused as exc:
                self.message_user(request, f"{webhook}：{exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{webhook}：测试消息已发送。", level=messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the sweep and the workers only; the admin reads."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "items",
        "recipients",
        "emails",
        "webhooks",
    )
    list_filter = ("status", "trigger")
    date_hierarchy = "started_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("run", "channel", "target_label", "item_count", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "channel")
    list_select_related = ("run", "recipient", "webhook")
    search_fields = ("recipient__username", "recipient__full_name", "webhook__name")

    @admin.display(description="接收人或群")
    def target_label(self, obj: Delivery) -> str:
        return obj.target_label


@admin.register(ReminderItem)
class ReminderItemAdmin(ReadOnlyAdmin):
    list_display = ("run", "kind", "rectification", "inspection", "recipient", "webhook", "due_date", "offset")
    list_filter = ("kind",)
    list_select_related = ("run", "rectification__finding__inspection", "inspection", "recipient", "webhook")
    raw_id_fields = ("rectification", "inspection", "recipient", "webhook", "run")
