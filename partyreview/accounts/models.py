"""用户、角色与站内通知。"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """角色：一个用户可以在不同党组织担任不同角色（见 organizations.Membership）。"""

    ADMIN = "admin", "系统管理员"
    STAFF = "staff", "党务工作人员"
    LEADER = "leader", "党委领导"
    SECRETARY = "secretary", "支部书记"
    MEMBER = "member", "党员（责任人）"


class User(AbstractUser):
    """用户。"""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机", max_length=30, blank=True)
    email_notifications = models.BooleanField("接收邮件提醒", default=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Notification(models.Model):
    """站内通知：铃铛里的一条消息。提醒摘要、退回、督办等都落在这里。"""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
