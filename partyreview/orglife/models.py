"""组织生活：会议记录、党员名册、党费、换届延期、规则设置与规则提示（建议问题）。

Writes go through services.py; these classes hold data, invariants and cheap reads.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from partyreview.common.dates import local_today
from partyreview.common.models import StoredUpload
from partyreview.inspections.models import Category, Finding
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.orglife.rules import PeriodKind, RuleCode


class MeetingType(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"
    MEMBER_REVIEW = "member_review", "民主评议党员"


class MeetingRecord(models.Model):
    """组织生活记录：支部召开的一次会议或活动，可同时计入多种类型（如支部党员大会兼主题党日）。"""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meeting_records", verbose_name="党组织"
    )
    held_at = models.DateTimeField("召开时间")
    topic = models.CharField("主题", max_length=200)
    speaker = models.CharField("党课主讲人", max_length=50, blank=True)
    expected_count = models.PositiveSmallIntegerField("应到人数")
    present_count = models.PositiveSmallIntegerField("实到人数")
    minutes = models.TextField("会议记录", blank=True)
    # Recorded in error: kept, never deleted, and no longer counted by the checks.
    is_void = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "组织生活记录"
        verbose_name_plural = "组织生活记录"
        ordering = ["-held_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present_count__lte=F("expected_count")), name="meeting_present_le_expected"
            ),
        ]
        indexes = [models.Index(fields=["organization", "held_at"], name="meeting_org_held_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.topic}"

    @property
    def type_codes(self) -> list[str]:
        """The types this meeting counts for (uses a prefetched ``type_rows`` when there is one)."""
        return sorted((row.type for row in self.type_rows.all()), key=MeetingType.values.index)

    @property
    def type_labels(self) -> list[str]:
        return [MeetingType(code).label for code in self.type_codes]


class MeetingRecordType(models.Model):
    """会议计入类型：一次会议计入的一种类型。一行一种，便于按类型、按期间计数。"""

    meeting = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="type_rows", verbose_name="会议")
    type = models.CharField("类型", max_length=30, choices=MeetingType.choices)

    class Meta:
        verbose_name = "会议计入类型"
        verbose_name_plural = "会议计入类型"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "type"], name="meeting_type_unique"),
            models.CheckConstraint(condition=Q(type__in=MeetingType.values), name="meeting_type_valid"),
        ]

    def __str__(self) -> str:
        return self.get_type_display()


def meeting_evidence_upload_to(instance: "MeetingEvidence", filename: str) -> str:
    # Random names, as for rectification evidence: the stored name reveals nothing and cannot collide.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"orglife/{local_today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class MeetingEvidence(StoredUpload):
    """会议佐证材料：签到表、会议记录照片等。"""

    meeting = models.ForeignKey(MeetingRecord, on_delete=models.PROTECT, related_name="evidence", verbose_name="会议")
    file = models.FileField("文件", upload_to=meeting_evidence_upload_to, max_length=255)

    class Meta(StoredUpload.Meta):
        verbose_name = "会议佐证材料"
        verbose_name_plural = "会议佐证材料"


class MemberCategory(models.TextChoices):
    FORMAL = "formal", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在支部"
    TRANSFERRED = "transferred", "已转出"
    RETIRED = "retired", "离退休"
    MOBILE = "mobile", "流动党员"


# Members the branch still manages: they count towards its size and owe it dues.
CURRENT_STATUSES = (MemberStatus.ACTIVE, MemberStatus.RETIRED, MemberStatus.MOBILE)


class PartyMember(models.Model):
    """党员：党员名册中的一人（最简信息）。"""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="party_members", verbose_name="所在党支部"
    )
    name = models.CharField("姓名", max_length=50)
    category = models.CharField("类别", max_length=20, choices=MemberCategory.choices, default=MemberCategory.FORMAL)
    joined_on = models.DateField("入党日期", help_text="预备党员填支部大会接收为预备党员的日期")
    status = models.CharField("状态", max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    dues_from = models.DateField("党费起算月份", help_text="从该月起按月交纳党费（每月1日）")
    dues_exempt = models.BooleanField("经批准免交党费", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员名册"
        ordering = ["organization_id", "name"]
        constraints = [
            # The roster import matches people by name within the branch, so a name must be unambiguous.
            models.UniqueConstraint(fields=["organization", "name"], name="party_member_name_unique"),
            models.CheckConstraint(condition=Q(category__in=MemberCategory.values), name="party_member_category_valid"),
            models.CheckConstraint(condition=Q(status__in=MemberStatus.values), name="party_member_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owes_dues(self) -> bool:
        return self.status in CURRENT_STATUSES and not self.dues_exempt


class DuesPayment(models.Model):
    """党费交纳：一名党员一个月的党费。几个月一起交、提前交的，每个月各记一行，交纳日期相同。"""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="dues_payments", verbose_name="党员")
    month = models.DateField("所属月份", help_text="该月1日")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    paid_on = models.DateField("交纳日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费交纳记录"
        verbose_name_plural = "党费交纳记录"
        ordering = ["member_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_one_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"


class TermExtension(models.Model):
    """换届延期：上级党组织批准的延期换届，只对批准时的那一届有效。"""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="term_extensions", verbose_name="党组织"
    )
    # The term it extends: once a new term is recorded (a new term_end), an old extension no longer applies.
    term_end = models.DateField("原任期届满日期")
    extended_to = models.DateField("批准延至")
    approved_on = models.DateField("批准日期")
    approval_ref = models.CharField("批准文号", max_length=100, blank=True)
    reason = models.TextField("延期理由")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "换届延期"
        verbose_name_plural = "换届延期"
        ordering = ["-approved_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(extended_to__gt=F("term_end")), name="term_extension_later"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} 延至 {self.extended_to}"


class RuleSetting(models.Model):
    """组织生活规则设置：每类党组织的每条规则可启用、停用并调整阈值；没有设置的按规则表默认值。"""

    organization_kind = models.CharField("党组织类型", max_length=20, choices=OrganizationKind.choices)
    rule = models.CharField("规则", max_length=30, choices=RuleCode.choices)
    is_enabled = models.BooleanField("启用", default=True)
    period = models.CharField(
        "周期",
        max_length=10,
        choices=PeriodKind.choices,
        help_text="会议类规则：按该周期计数；其他规则：问题持续存在时每个周期最多提示一次（换届规则按届提示）",
    )
    threshold = models.PositiveIntegerField(
        "阈值",
        help_text="会议：每周期至少几次；党费：连续未交几个月；任期将满：届满前几个月；"
        "任期届满：届满后宽限几天；应设支委会：正式党员几人；人数过多：超过几人",
    )
    term_years = models.PositiveSmallIntegerField(
        "任期（年）", null=True, blank=True, help_text="仅换届规则使用：党组织只登记了任期开始时据此推算届满日期"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "组织生活规则设置"
        verbose_name_plural = "组织生活规则设置"
        ordering = ["organization_kind", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["organization_kind", "rule"], name="rule_setting_unique"),
            models.CheckConstraint(condition=Q(rule__in=RuleCode.values), name="rule_setting_rule_valid"),
            models.CheckConstraint(condition=Q(period__in=PeriodKind.values), name="rule_setting_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_organization_kind_display()} · {self.get_rule_display()}"


class BreachStatus(models.TextChoices):
    SUGGESTED = "suggested", "待确认"
    CONFIRMED = "confirmed", "已确认为问题"
    DISMISSED = "dismissed", "已驳回"


class Breach(models.Model):
    """规则提示（建议问题）：夜间检查发现的组织生活问题，由党务工作人员确认为问题或驳回。

    At most one per organisation, rule and period (the unique constraint), so a second run of the check,
    or two workers at once, cannot raise it twice; a dismissed one stays and so never comes back for
    the same period.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="breaches", verbose_name="党组织"
    )
    rule = models.CharField("规则", max_length=30, choices=RuleCode.choices)
    period_key = models.CharField("期间编码", max_length=30)
    period_label = models.CharField("期间", max_length=50)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    light = models.PositiveSmallIntegerField("灯色", choices=[(2, "黄灯"), (3, "红灯")])
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name="问题类别")
    description = models.TextField("问题描述")
    basis = models.CharField("依据", max_length=200, blank=True)
    detected_at = models.DateTimeField("发现时间", db_index=True)
    status = models.CharField("处理状态", max_length=20, choices=BreachStatus.choices, default=BreachStatus.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.TextField("驳回理由", blank=True)
    finding = models.OneToOneField(
        Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="breach", verbose_name="确认后的问题"
    )

    class Meta:
        verbose_name = "规则提示（建议问题）"
        verbose_name_plural = "规则提示（建议问题）"
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "rule", "period_key"], name="breach_once_per_period"),
            models.CheckConstraint(condition=Q(status__in=BreachStatus.values), name="breach_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=BreachStatus.CONFIRMED) | Q(finding__isnull=False),
                name="breach_confirmed_has_finding",
            ),
            models.CheckConstraint(
                condition=~Q(status=BreachStatus.DISMISSED) | ~Q(decision_note=""), name="breach_dismissed_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "organization"], name="breach_status_org_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_rule_display()} · {self.period_key}"

    @property
    def is_open(self) -> bool:
        return self.status == BreachStatus.SUGGESTED
