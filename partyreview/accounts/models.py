"""用户、角色与站内通知。"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from pypinyin import lazy_pinyin


def name_search_key(name: str) -> str:
    """A name as people type it to find someone: full pinyin and its initials, "zhangwei|zw" for 张伟.

    Letters and digits in the name are kept as they are (lower case), so "李Andy" gives "liandy|la".
    """
    syllables = [s.lower() for s in lazy_pinyin(name.strip()) if s.strip()]
    spelled = "".join(syllables).replace(" ", "")
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return f"{spelled}|{initials}"[:200]


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
    # Derived from full_name, like Organization.path from parent: an invariant of the row, kept by save()
    # so the admin, the people import and every other writer keep it; bulk writers call name_search_key.
    name_key = models.CharField("姓名拼音", max_length=200, blank=True, default="", editable=False, db_index=True)
    must_change_password = models.BooleanField(
        "首次登录须修改密码", default=False, help_text="由导入生成初始密码的账号在首次登录后必须先修改密码。"
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs) -> None:
        self.name_key = name_search_key(self.full_name or self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "username"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

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
