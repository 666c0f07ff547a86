"""我的导出 (``Export``): registers written by the worker.

导入记录 (ImportBatch) moved to ``intake`` with the import itself. Its table kept its name (``office_importbatch``)
upload function below, so it stays.
"""

import uuid

from django.conf import settings
from django.db import models


def import_upload_to(instance: object, filename: str) -> str:
    return f"office-imports/{uuid.uuid4().hex}.xlsx"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


def export_upload_to(instance: "Export", filename: str) -> str:
    # A random name, like imports and evidence: the stored file reveals nothing and cannot collide.
    return f"office-exports/{uuid.uuid4().hex}.xlsx"


class Export(models.Model):
    """我的导出：在后台生成的一份整改台账文件，只有导出人本人可以下载，到期自动删除。

    A register larger than ``OFFICE_EXPORT_ASYNC_ROWS`` rows is written by the worker rather than in the
    web request (services.register_export_request); ``query`` is the list's query string, applied to the
    owner's scope when the file is written. The file is removed at ``expires_at`` (beat's cleanup); the
    record stays, marked 已过期.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="导出人"
    )
    query = models.TextField("筛选条件", blank=True)
    filename = models.CharField("文件名", max_length=255)
    status = models.CharField("状态", max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to=export_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出文件"
        verbose_name_plural = "导出文件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_recent_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ExportStatus.values), name="export_status_valid"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
