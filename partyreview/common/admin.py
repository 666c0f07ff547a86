from django.contrib import admin
from django.utils import timezone

from partyreview.common.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_seen", "hostname", "alive")
    readonly_fields = ("name", "last_seen", "hostname")

    @admin.display(boolean=True, description="运行正常（5 分钟内）")
    def alive(self, obj: Heartbeat) -> bool:
        return (timezone.now() - obj.last_seen).total_seconds() < 300

    def has_add_permission(self, request) -> bool:
        return False
