"""催办与督办：提醒策略、群机器人、每次扫描、每条提醒事项与每次投递。

How exactly-once works (docs/decisions/reminders-exactly-once.md): the sweep first *claims* each reminder
by inserting a ``ReminderItem`` whose unique key is (recipient, rectification, kind, due date, offset);
a second sweep, or a second worker, finds the key taken and sends nothing for it. Only the items a run
claimed itself go into that run's digests, one ``Delivery`` per recipient and channel.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from partyreview.organizations.models import Organization


def parse_days(value: str) -> list[int]:
    """ "7,1,0" → [7, 1, 0]: the days before a deadline on which to remind, largest first, no repeats."""
    days: set[int] = set()
    for part in (value or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 90:
            raise ValidationError(f"“{part}”不是 0 到 90 之间的整数。")
        days.add(int(part))
    return sorted(days, reverse=True)


def validate_days(value: str) -> None:
    parse_days(value)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "星期一"
    TUESDAY = 1, "星期二"
    WEDNESDAY = 2, "星期三"
    THURSDAY = 3, "星期四"
    FRIDAY = 4, "星期五"
    SATURDAY = 5, "星期六"
    SUNDAY = 6, "星期日"


class ReminderPolicy(models.Model):
    """提醒策略：系统只有一份，管理员在后台修改，下一次扫描即生效。

    The sweep also locks this row for its whole transaction, so two sweeps started at once run one after
    the other (the unique claims alone would already keep them from sending twice; the lock keeps one
    person's digest from being split between two runs).
    """

    SINGLETON_PK = 1

    days_before = models.CharField(
        "到期前提醒（天）",
        max_length=50,
        default="7,1,0",
        validators=[validate_days],
        help_text="逗号分隔，0 表示到期当天。默认“7,1,0”：到期前 7 天、前 1 天和当天提醒责任人与支部书记。",
    )
    overdue_enabled = models.BooleanField(
        "逾期提醒", default=True, help_text="逾期第 1 天提醒，之后间隔 1、2、4、8…天逐次加倍，直至最长间隔。"
    )
    overdue_max_interval_days = models.PositiveSmallIntegerField(
        "逾期提醒最长间隔（天）", default=7, validators=[MaxValueValidator(60)], help_text="默认 7：最多每周一次。"
    )
    escalate_leader_after_days = models.PositiveSmallIntegerField(
        "逾期多少天督办责任领导",
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="逾期达到该天数时提醒责任领导和负责该检查的党务工作人员；0 表示不督办。",
    )
    escalate_committee_after_days = models.PositiveSmallIntegerField(
        "逾期多少天上报党委领导",
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="逾期达到该天数时提醒所属党委的领导；0 表示不上报。",
    )
    sweep_hour = models.PositiveSmallIntegerField(
        "每日提醒时间（时）",
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="北京时间，0–23。每天过了这个钟点，系统执行当天的提醒扫描（停机后恢复时自动补发）。",
    )
    weekly_summary_enabled = models.BooleanField(
        "每周汇总", default=True, help_text="向党委领导发送本范围整改情况汇总。"
    )
    weekly_summary_weekday = models.PositiveSmallIntegerField(
        "每周汇总发送日", choices=Weekday.choices, default=Weekday.MONDAY
    )
    email_enabled = models.BooleanField(
        "发送邮件",
        default=True,
        help_text="还须在部署配置中开启 REMINDER_EMAIL_ENABLED 并配置邮件服务器；用户本人也可关闭邮件提醒。",
    )
    webhooks_enabled = models.BooleanField("推送群机器人", default=True, help_text="企业微信、钉钉群机器人。")
    immediate_days_before = models.CharField(
        "立行立改到期前提醒（天）",
        max_length=50,
        default="3,1",
        validators=[validate_days],
        help_text="立行立改措施时限短，另按此提醒，代替上面的“到期前提醒”；逾期后与限期整改相同，逾期第 1 天起提醒。",
    )
    report_days_before = models.CharField(
        "整改报告期限前提醒（天）",
        max_length=50,
        default="14,3",
        validators=[validate_days],
        help_text="检查的整改报告期限临近时提醒负责该检查的党务工作人员；期限过后再提醒一次。",
    )
    follow_up_days_before = models.CharField(
        "回头看期限前提醒（天）",
        max_length=50,
        default="3",
        validators=[validate_days],
        help_text="回头看复查期限临近时提醒复查人；逾期仍未填写结论时再提醒一次。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "提醒策略"
        verbose_name_plural = "提醒策略"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="reminder_policy_singleton")]

    def __str__(self) -> str:
        return "提醒策略"

    @classmethod
    def load(cls) -> "ReminderPolicy":
        policy, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return policy

    @property
    def before_offsets(self) -> list[int]:
        """Offsets (days after the deadline, so negative or zero) of the reminders before and on the day."""
        return sorted(-d for d in parse_days(self.days_before))

    @property
    def immediate_before_offsets(self) -> list[int]:
        """The same for 立行立改 measures, whose deadline is short and has its own cadence."""
        return sorted(-d for d in parse_days(self.immediate_days_before))

    @property
    def report_before_offsets(self) -> list[int]:
        """The same for an inspection's 整改报告期限."""
        return sorted(-d for d in parse_days(self.report_days_before))

    @property
    def follow_up_before_offsets(self) -> list[int]:
        """The same for a 回头看 task's deadline."""
        return sorted(-d for d in parse_days(self.follow_up_days_before))

    def overdue_step(self, days_overdue: int) -> int | None:
        """The latest overdue reminder day at or before ``days_overdue``: 1, 2, 4, 8, then every
        ``overdue_max_interval_days`` (15, 22, …). None before day 1 or when overdue reminders are off."""
        if not self.overdue_enabled or days_overdue < 1:
            return None
        cap = max(self.overdue_max_interval_days, 1)
        step = 1
        while True:
            following = step + min(step, cap)
            if following > days_overdue:
                return step
            if step >= cap:
                # From here on the interval is constant: jump straight to the answer.
                return step + ((days_overdue - step) // cap) * cap
            step = following


class ReminderKind(models.TextChoices):
    """提醒类型. The order of the sections in a digest follows the order here."""

    # A lead's 督办 (rectifications.Escalation): in-app at once, and in every channel with the next digest.
    LEAD_ESCALATION = "lead_escalation", "领导督办"
    ESCALATION_COMMITTEE = "escalation_committee", "上报党委督办"
    ESCALATION_LEADER = "escalation_leader", "逾期督办"
    OVERDUE = "overdue", "已逾期"
    # 长期坚持: the period's report is missing near or after the period's end (not a deadline to close by).
    PERIOD_REPORT = "period_report", "定期报告待报"
    DUE_TODAY = "due_today", "今天到期"
    UPCOMING = "upcoming", "即将到期"
    # An inspection's 整改情况报告 is due to the superiors (its ``report_due_date``): to its staff, no measure.
    REPORT_DUE = "report_due", "整改报告期限"
    # A 回头看 task (rectifications.FollowUpReview) awaits its outcome: to its inspector, about a closed measure.
    FOLLOW_UP_DUE = "follow_up_due", "回头看期限"
    WEEKLY_SUMMARY = "weekly_summary", "每周汇总"


ESCALATION_KINDS = (ReminderKind.LEAD_ESCALATION, ReminderKind.ESCALATION_COMMITTEE, ReminderKind.ESCALATION_LEADER)


class WebhookKind(models.TextChoices):
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"


class WebhookScope(models.TextChoices):
    ALL = "all", "全部提醒"
    OVERDUE = "overdue", "仅逾期与督办"
    ESCALATION = "escalation", "仅督办"

    def covers(self, kind: str) -> bool:
        if self == WebhookScope.ALL:
            return True
        if self == WebhookScope.OVERDUE:
            return kind == ReminderKind.OVERDUE or kind in ESCALATION_KINDS
        return kind in ESCALATION_KINDS


class OrgWebhook(models.Model):
    """群机器人：一个党组织的企业微信或钉钉群，接收该组织及其下级整改措施的提醒摘要。"""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhooks", verbose_name="党组织"
    )
    name = models.CharField("名称", max_length=100, help_text="例如：机关党委整改督办群")
    kind = models.CharField("类型", max_length=20, choices=WebhookKind.choices)
    url = models.URLField("Webhook 地址", max_length=500)
    secret = models.CharField(
        "加签密钥", max_length=200, blank=True, help_text="仅钉钉：机器人安全设置选择“加签”时填写（SEC 开头）。"
    )
    scope = models.CharField("推送内容", max_length=20, choices=WebhookScope.choices, default=WebhookScope.ALL)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["organization__path", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=WebhookKind.values), name="webhook_kind_valid"),
            models.CheckConstraint(condition=Q(scope__in=WebhookScope.values), name="webhook_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class SweepTrigger(models.TextChoices):
    SCHEDULE = "schedule", "定时"
    COMMAND = "command", "命令行"
    MANUAL = "manual", "管理页面"


class SweepStatus(models.TextChoices):
    DONE = "done", "完成"
    FAILED = "failed", "失败"


class SweepRun(models.Model):
    """提醒扫描：一次扫描找出应发的提醒、认领并生成摘要。"""

    day = models.DateField("扫描日期", db_index=True)
    trigger = models.CharField("触发方式", max_length=20, choices=SweepTrigger.choices)
    status = models.CharField("结果", max_length=20, choices=SweepStatus.choices)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="执行人",
    )
    items = models.PositiveIntegerField("新提醒事项", default=0)
    recipients = models.PositiveIntegerField("接收人", default=0)
    notifications = models.PositiveIntegerField("站内通知", default=0)
    emails = models.PositiveIntegerField("邮件", default=0)
    webhooks = models.PositiveIntegerField("群机器人消息", default=0)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "提醒扫描"
        verbose_name_plural = "提醒扫描"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(trigger__in=SweepTrigger.values), name="sweep_trigger_valid"),
            models.CheckConstraint(condition=Q(status__in=SweepStatus.values), name="sweep_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_trigger_display()}扫描"

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class ReminderItem(models.Model):
    """提醒事项：某人（或某个群）就某项整改措施的一次提醒，先认领后发送，同一事项只发一次。

    ``due_date`` is the deadline the reminder was planned against and ``offset`` the day relative to it
    (−7, −1, 0, 1, 2, 4, 8, …): a new deadline makes new keys, so an approved extension re-plans by itself.
    A weekly summary has no rectification; its ``due_date`` is the Monday of its week. A 整改报告期限
    reminder has no rectification either but an ``inspection``, and its ``due_date`` is the report's.
    """

    # A sweep at committee scale writes hundreds of thousands of these rows in one transaction. The ids
    # come from rows the same transaction has just read, and deletions cascade through Django's collector,
    # so the database-level foreign-key checks (a locking lookup per row and column at commit, half the
    # sweep's time at 50,000 overdue measures) are left out on the three high-volume columns, and their
    # single-column indexes too where a unique constraint below already starts with the column.
    run = models.ForeignKey(
        SweepRun, on_delete=models.CASCADE, related_name="reminder_items", verbose_name="扫描", db_index=False
    )
    kind = models.CharField("类型", max_length=30, choices=ReminderKind.choices)
    rectification = models.ForeignKey(
        "rectifications.Rectification",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_items",
        verbose_name="整改措施",
        db_constraint=False,
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_items",
        verbose_name="接收人",
        db_constraint=False,
        db_index=False,
    )
    # Few rows (one per inspection's staff and step), indexed by the unique constraint below.
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_items",
        verbose_name="检查",
        db_constraint=False,
        db_index=False,
    )
    webhook = models.ForeignKey(
        OrgWebhook,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_items",
        verbose_name="群机器人",
        db_constraint=False,
        db_index=False,
    )
    due_date = models.DateField("整改时限")
    offset = models.SmallIntegerField("相对时限（天）")
    payload = models.JSONField("汇总数据", null=True, blank=True)
    created_at = models.DateTimeField("认领时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒事项"
        verbose_name_plural = "提醒事项"
        ordering = ["run_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=True, webhook__isnull=False)
                | Q(recipient__isnull=False, webhook__isnull=True),
                name="reminder_item_one_target",
            ),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_item_kind_valid"),
            # Rows without a rectification (summaries, reports) never collide here, NULLs being distinct;
            # see the last two.
            models.UniqueConstraint(
                fields=["recipient", "rectification", "kind", "due_date", "offset"],
                condition=Q(recipient__isnull=False),
                name="reminder_item_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["webhook", "rectification", "kind", "due_date", "offset"],
                condition=Q(webhook__isnull=False),
                name="reminder_item_once_per_webhook",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "due_date"],
                condition=Q(rectification__isnull=True, inspection__isnull=True),
                name="reminder_item_summary_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "inspection", "kind", "due_date", "offset"],
                condition=Q(inspection__isnull=False),
                name="reminder_item_once_per_inspection",
            ),
        ]
        indexes = [
            # Also serves every "this run's items" read (its first column).
            models.Index(fields=["run", "recipient"], name="reminder_item_run_user_idx"),
            models.Index(
                fields=["run", "webhook"], condition=Q(webhook__isnull=False), name="reminder_item_run_hook_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.rectification_id or self.inspection_id or self.due_date}"


class Channel(models.TextChoices):
    IN_APP = "in_app", "站内通知"
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    RETRYING = "retrying", "等待重试"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "无需发送"


UNFINISHED_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    """投递：一次扫描发给一个人（或一个群）、经一个渠道的一条摘要消息。"""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="deliveries", verbose_name="扫描")
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_deliveries",
        verbose_name="接收人",
    )
    webhook = models.ForeignKey(
        OrgWebhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries", verbose_name="群机器人"
    )
    item_count = models.PositiveIntegerField("事项数", default=0)
    status = models.CharField("状态", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次重试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "投递记录"
        verbose_name_plural = "投递记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=True, webhook__isnull=False)
                | Q(recipient__isnull=False, webhook__isnull=True),
                name="delivery_one_target",
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="delivery_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            models.UniqueConstraint(
                fields=["run", "channel", "recipient"],
                condition=Q(recipient__isnull=False),
                name="delivery_once_per_user_channel",
            ),
            models.UniqueConstraint(
                fields=["run", "webhook"], condition=Q(webhook__isnull=False), name="delivery_once_per_webhook"
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient or self.webhook}"

    @property
    def target_label(self) -> str:
        return str(self.recipient) if self.recipient_id else str(self.webhook)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())
