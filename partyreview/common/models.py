"""Models with no domain: the heartbeat that shows worker and beat are alive, and the record of an
uploaded file that evidence of any kind shares."""

from django.conf import settings
from django.db import models

# Types a browser may show inline; anything else is downloaded as an attachment.
INLINE_SAFE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


class StoredUpload(models.Model):
    """上传文件：the file's record beside the file itself (which each subclass declares, with its own folder).

    The type is the one sniffed from the content at upload, never the browser's claim; the original name
    is kept for display only, the stored name is random.
    """

    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_inline_safe(self) -> bool:
        return self.content_type in INLINE_SAFE_TYPES


class Heartbeat(models.Model):
    """心跳：Celery worker 最近一次执行周期任务的时间。"""

    name = models.CharField("名称", max_length=50, unique=True)
    last_seen = models.DateTimeField("最近一次运行")
    hostname = models.CharField("主机", max_length=200, blank=True)

    class Meta:
        verbose_name = "后台任务心跳"
        verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return self.name
