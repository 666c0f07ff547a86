"""Models with no domain: the heartbeat that shows worker and beat are alive."""

from django.db import models


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
