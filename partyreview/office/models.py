"""导入记录：谁在何时把哪个 Excel 文件导入了哪次检查。"""

import uuid

from django.conf import settings
from django.db import models

from partyreview.inspections.models import Inspection


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "待确认"
    IMPORTING = "importing", "导入中"
    IMPORTED = "imported", "已导入"


def import_upload_to(instance: "ImportBatch", filename: str) -> str:
    # A random name: the stored file reveals nothing and cannot collide; the original name is kept apart.
    return f"office-imports/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    """导入记录：一次问题清单导入。上传后为“待确认”（文件暂存，供预览），确认后“导入中”，完成后“已导入”。

    The import itself runs in the Celery worker (a long list takes longer than a web request may); it
    re-reads the stored file and checks its SHA-256, so what is imported is exactly what was previewed.
    A failed import goes back to 待确认 with the reason in ``error``. The stored file is removed once
    imported; the record stays.
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="import_batches", verbose_name="检查"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    original_name = models.CharField("原文件名", max_length=255)
    file = models.FileField("暂存文件", upload_to=import_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    findings_created = models.PositiveIntegerField("新建问题数", default=0)
    measures_created = models.PositiveIntegerField("新建整改措施数", default=0)
    findings_skipped = models.PositiveIntegerField("跳过问题数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    error = models.TextField("上次导入失败的原因", blank=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="import_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.original_name}"

    @property
    def is_imported(self) -> bool:
        return self.status == ImportStatus.IMPORTED

    @property
    def is_importing(self) -> bool:
        return self.status == ImportStatus.IMPORTING


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
