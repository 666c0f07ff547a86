"""导入记录：谁在何时把哪个文件导入了哪次检查，以及预览中作出的选择。"""

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
    # What the user decided in the preview (columns mapped or ignored, the sheet, measures kept as one,
    # categories chosen): the worker plans the file again with exactly these, so it imports what was shown.
    choices = models.JSONField("预览中的选择", default=dict, blank=True)

    class Meta:
        # The table predates the intake app (it was office's); renaming it would buy nothing.
        db_table = "office_importbatch"
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
    def is_document(self) -> bool:
        """A feedback document (.docx, .txt) rather than a ledger: its rows are paragraphs, not sheet rows."""
        return self.original_name.lower().endswith((".docx", ".txt"))

    @property
    def is_importing(self) -> bool:
        return self.status == ImportStatus.IMPORTING


class LedgerMapping(models.Model):
    """记住的列对应：how a person mapped the columns of a ledger whose header has this shape.

    Offices send the same layout round after round; once a person has confirmed which column is which (the
    preview's 未识别的列), the next file whose header has the same ``signature`` (``tables.TableFound``: the
    header's texts in column order, nothing of the data) is read with the same mapping. Shared by the whole
    installation: a header's shape says nothing about whose ledger it is.
    """

    signature = models.CharField("表头特征", max_length=64, unique=True)
    columns = models.JSONField("列对应", default=dict, help_text="列号 → 字段（null 表示忽略该列）")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )
    updated_at = models.DateTimeField("确认时间", auto_now=True)

    class Meta:
        verbose_name = "记住的列对应"
        verbose_name_plural = "记住的列对应"

    def __str__(self) -> str:
        return self.signature
