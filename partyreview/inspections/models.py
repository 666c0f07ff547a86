"""检查（巡察、专项检查、日常督查、自查）、问题类别与问题清单。"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from partyreview.organizations.models import Organization


class Category(models.Model):
    """问题类别。标准类别由数据迁移写入，管理员可在后台维护。"""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    default_days = models.PositiveIntegerField(
        "默认整改时限（天）", null=True, blank=True, help_text="新建整改措施时据此推算整改时限"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class InspectionKind(models.TextChoices):
    TOUR = "tour", "巡察"
    SPECIAL = "special", "专项检查"
    ROUTINE = "routine", "日常督查"
    SELF = "self", "自查"


class Inspection(models.Model):
    """检查：一轮巡察或检查，产生一份问题清单。"""

    title = models.CharField("检查名称", max_length=200)
    kind = models.CharField("检查类型", max_length=20, choices=InspectionKind.choices)
    inspecting_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="inspections_led", verbose_name="检查组织"
    )
    inspected_orgs = models.ManyToManyField(
        Organization, related_name="inspections_received", verbose_name="被检查党组织", blank=True
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="inspections_owned",
        verbose_name="负责的党务工作人员",
        blank=True,
        help_text="督办提醒会发给他们",
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    feedback_date = models.DateField("反馈日期", null=True, blank=True)
    report_due_date = models.DateField(
        "整改报告期限", null=True, blank=True, help_text="默认为反馈日期后两个月（巡视工作条例第二十七条）"
    )
    # When the 整改情况报告 went to the superiors: its reminders stop, the pages say 已报送.
    report_submitted_on = models.DateField("整改报告报送日期", null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    is_archived = models.BooleanField("已归档", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(m2m_fields=[inspected_orgs])

    class Meta:
        verbose_name = "检查"
        verbose_name_plural = "检查"
        ordering = ["-start_date", "-id"]
        indexes = [
            # Newest inspection first: the problem list's order (inspection start date, then the
            # finding's sequence) walks this and each inspection's findings instead of sorting every
            # finding of the scope to show 50 (100 ms to under 1 ms at committee scale).
            models.Index(fields=["-start_date", "id"], name="inspection_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=InspectionKind.values), name="inspection_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(feedback_date__isnull=True) | models.Q(feedback_date__gte=models.F("start_date")),
                name="inspection_feedback_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Severity(models.TextChoices):
    MINOR = "minor", "一般"
    MAJOR = "major", "较重"
    SEVERE = "severe", "严重"


class FindingSource(models.TextChoices):
    MANUAL = "manual", "手工录入"
    IMPORT = "import", "Excel 导入"
    RULE = "rule", "系统规则"


class Finding(models.Model):
    """问题：一次检查在一个党组织发现的一个问题。"""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name="检查")
    sequence = models.PositiveIntegerField("序号")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="findings", verbose_name="党组织"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="findings", verbose_name="问题类别")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.MINOR)
    description = models.TextField("问题描述")
    basis = models.TextField("依据", blank=True)
    found_on = models.DateField("发现日期")
    source = models.CharField("来源", max_length=10, choices=FindingSource.choices, default=FindingSource.MANUAL)
    is_archived = models.BooleanField("已归档", default=False)
    archive_reason = models.CharField("归档原因", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["inspection_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "sequence"], name="finding_sequence_unique"),
            models.CheckConstraint(condition=models.Q(severity__in=Severity.values), name="finding_severity_valid"),
            models.CheckConstraint(condition=models.Q(source__in=FindingSource.values), name="finding_source_valid"),
        ]
        indexes = [models.Index(fields=["organization", "category"], name="finding_org_category_idx")]

    def __str__(self) -> str:
        return f"{self.inspection} 第{self.sequence}项"
