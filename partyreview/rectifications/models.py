"""整改措施、整改进展、佐证材料、延期申请与督办。

State changes go through services.py only; these classes hold data, invariants and cheap reads.
"""

import datetime
import uuid
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from simple_history.models import HistoricalRecords

from partyreview.common.dates import local_today
from partyreview.common.models import StoredUpload
from partyreview.inspections.models import Finding
from partyreview.organizations.models import Organization


class RectificationStatus(models.TextChoices):
    PENDING = "pending", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (
    RectificationStatus.PENDING,
    RectificationStatus.IN_PROGRESS,
    RectificationStatus.SUBMITTED,
    RectificationStatus.RETURNED,
)


class RectificationKind(models.TextChoices):
    IMMEDIATE = "immediate", "立行立改"
    DEADLINE = "deadline", "限期整改"
    LONG_TERM = "long_term", "长期坚持"


class Light(models.IntegerChoices):
    """红黄绿灯. Ordered so that Max() over a group gives the worst light."""

    GREEN = 1, "绿灯"
    YELLOW = 2, "黄灯"
    RED = 3, "红灯"


# The people a measure names. A list reads them in one query of their own (``with_people``) rather than
# joining the users table once for each: every join multiplies the orders PostgreSQL weighs, and a list
# row joined nine tables, planned in 30–55 ms to run in 2 (docs/performance.md).
PEOPLE = ("responsible_leader", "assignee", "submitted_by", "closed_by")


class RectificationQuerySet(models.QuerySet):
    def open(self) -> "RectificationQuerySet":
        return self.exclude(status=RectificationStatus.CLOSED)

    def overdue(self, today: datetime.date | None = None) -> "RectificationQuerySet":
        return self.open().filter(due_date__lt=today or local_today())

    def with_light(self, today: datetime.date | None = None) -> "RectificationQuerySet":
        """Annotate ``light`` (Light) in SQL: red when overdue, yellow from ``warn_from``, else green."""
        today = today or local_today()
        return self.annotate(
            light=Case(
                When(status=RectificationStatus.CLOSED, then=Value(Light.GREEN)),
                When(due_date__lt=today, then=Value(Light.RED)),
                When(warn_from__lte=today, then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=IntegerField(),
            )
        )

    def with_light_filter(self, light: int, today: datetime.date | None = None) -> "RectificationQuerySet":
        return self.filter(light_q(light, today))


def attach_people(rectifications: Iterable["Rectification"]) -> list["Rectification"]:
    """Set each measure's ``PEOPLE`` from one query by id, as ``select_related`` would have; returns the
    measures as a list. Lists call it on the rows they show (``selectors.with_people``)."""
    rectifications = list(rectifications)
    fields = [Rectification._meta.get_field(name) for name in PEOPLE]
    ids = {getattr(r, field.attname) for r in rectifications for field in fields} - {None}
    people = get_user_model()._default_manager.in_bulk(ids) if ids else {}
    for r in rectifications:
        for field in fields:
            # Assigning the object the id already names: the public way to fill the relation's cache.
            setattr(r, field.name, people.get(getattr(r, field.attname)))
    return rectifications


def light_q(light: int, today: datetime.date | None = None, prefix: str = "") -> Q:
    """The same rule as ``with_light`` as a filter, usable through a relation (``prefix="rectifications__"``)."""
    today = today or local_today()
    p = prefix
    closed = Q(**{f"{p}status": RectificationStatus.CLOSED})
    red = ~closed & Q(**{f"{p}due_date__lt": today})
    yellow = ~closed & Q(**{f"{p}due_date__gte": today, f"{p}warn_from__lte": today})
    if light == Light.RED:
        return red
    if light == Light.YELLOW:
        return yellow
    return closed | (Q(**{f"{p}due_date__gte": today}) & Q(**{f"{p}warn_from__gt": today}))


class Rectification(models.Model):
    """整改措施：一项具体的整改任务——做什么、谁负责、何时完成。"""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="rectifications", verbose_name="问题")
    number = models.PositiveSmallIntegerField("措施序号", default=1)
    measure = models.TextField("整改措施")
    kind = models.CharField("整改类型", max_length=20, choices=RectificationKind.choices, default="deadline")
    responsible_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="rectifications", verbose_name="责任单位"
    )
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications_led",
        verbose_name="责任领导",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rectifications_assigned",
        verbose_name="责任人",
    )
    due_date = models.DateField("整改时限")
    original_due_date = models.DateField("原定整改时限", editable=False)
    # 预警日期: the day the light turns yellow (7 days before the deadline, or 80 % of the allotted time,
    # whichever comes first). Stored so the light is a plain comparison in any database.
    warn_from = models.DateField("预警日期", editable=False)
    status = models.CharField(
        "状态", max_length=20, choices=RectificationStatus.choices, default=RectificationStatus.PENDING
    )
    submitted_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请销号人",
    )
    submission_summary = models.TextField("整改情况说明", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="销号人",
    )
    verification_note = models.TextField("核查意见", blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    reopen_reason = models.TextField("回头看原因", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = "整改措施"
        verbose_name_plural = "整改措施"
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RectificationStatus.values), name="rectification_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=RectificationKind.values), name="rectification_kind_valid"),
            models.CheckConstraint(
                condition=~Q(status=RectificationStatus.CLOSED) | Q(closed_at__isnull=False, closed_by__isnull=False),
                name="rectification_closed_has_closer",
            ),
            models.UniqueConstraint(fields=["finding", "number"], name="rectification_number_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="rect_status_due_idx"),
            models.Index(fields=["responsible_org", "status"], name="rect_org_status_idx"),
            models.Index(fields=["assignee", "status"], name="rect_assignee_status_idx"),
            # Open measures by deadline: the workbench's and the register's "most overdue first" read
            # the first rows of it instead of sorting every open measure (docs/performance.md).
            # The included columns are what scope (responsible_org, assignee) and a finding's "has an
            # open measure" test read, so counting a scope's overdue measures (the paginator's COUNT,
            # the workbench) and the problem list's open findings never visit the table's rows:
            # 55,000 overdue measures counted in 15-30 ms instead of 60-100 ms.
            models.Index(
                fields=["due_date", "id"],
                include=["responsible_org", "assignee", "finding"],
                condition=~Q(status="closed"),
                name="rect_open_due_idx",
            ),
            # The review queue (待我审核) and the workbench's panel: submitted measures, longest waiting
            # first, read in order up to the page's 30 (or 8) instead of sorting all submitted ones.
            models.Index(fields=["submitted_at", "id"], condition=Q(status="submitted"), name="rect_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.finding} · 措施{self.number}"

    @property
    def is_closed(self) -> bool:
        return self.status == RectificationStatus.CLOSED

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_date < local_today()

    @property
    def closed_late(self) -> bool:
        return self.is_closed and self.closed_at is not None and _local(self.closed_at) > self.due_date

    @property
    def closed_on_time(self) -> bool:
        return self.is_closed and self.closed_at is not None and _local(self.closed_at) <= self.original_due_date

    @property
    def days_left(self) -> int:
        """Days until the deadline; negative when overdue."""
        return (self.due_date - local_today()).days

    @property
    def current_light(self) -> int:
        if getattr(self, "light", None) is not None:
            return self.light
        if self.is_closed:
            return Light.GREEN
        today = local_today()
        if self.due_date < today:
            return Light.RED
        if self.warn_from <= today:
            return Light.YELLOW
        return Light.GREEN


def _local(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


class ProgressKind(models.TextChoices):
    PROGRESS = "progress", "整改进展"
    SUBMISSION = "submission", "申请销号"


class ProgressUpdate(models.Model):
    """整改进展：一条不可修改的进展记录，可附佐证材料。"""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="progress_updates", verbose_name="整改措施"
    )
    kind = models.CharField("类型", max_length=20, choices=ProgressKind.choices, default=ProgressKind.PROGRESS)
    note = models.TextField("进展情况")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification} 进展"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # Random names: the stored name reveals nothing and cannot collide or traverse; the original is kept apart.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{local_today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(StoredUpload):
    """佐证材料：证明整改进展的上传文件。"""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="evidence", verbose_name="整改措施"
    )
    progress_update = models.ForeignKey(
        ProgressUpdate, on_delete=models.PROTECT, related_name="evidence", verbose_name="整改进展"
    )
    file = models.FileField("文件", upload_to=evidence_upload_to, max_length=255)

    class Meta(StoredUpload.Meta):
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class ExtensionRequest(models.Model):
    """延期申请：新的整改时限与理由，由党务工作人员审批。"""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="extension_requests", verbose_name="整改措施"
    )
    previous_due_date = models.DateField("原整改时限")
    requested_due_date = models.DateField("申请延至")
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("审批状态", max_length=20, choices=ExtensionStatus.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_due_date__gt=models.F("previous_due_date")), name="extension_date_later"
            ),
            # At most one request waits for a decision at a time.
            models.UniqueConstraint(
                fields=["rectification"], condition=Q(status="pending"), name="extension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rectification} 延期至 {self.requested_due_date}"


class Escalation(models.Model):
    """督办：领导对一项整改措施或一个党组织的督促，附简短要求。"""

    rectification = models.ForeignKey(
        Rectification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
        verbose_name="整改措施",
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="escalations", verbose_name="党组织"
    )
    instruction = models.TextField("督办要求")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="督办人"
    )
    created_at = models.DateTimeField("督办时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"督办：{self.organization}"
