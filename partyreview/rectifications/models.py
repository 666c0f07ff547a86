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
from partyreview.common.text import headline
from partyreview.inspections.models import Category, Finding
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


class ReportCadence(models.TextChoices):
    """报告周期 of a 长期坚持 measure: the secretary reports once in each calendar period."""

    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    HALF_YEARLY = "half_yearly", "每半年"
    # Ledgers say 每年 too (a yearly 述职 or 民主生活会 kept up).
    YEARLY = "yearly", "每年"


CADENCE_MONTHS = {
    ReportCadence.MONTHLY: 1,
    ReportCadence.QUARTERLY: 3,
    ReportCadence.HALF_YEARLY: 6,
    ReportCadence.YEARLY: 12,
}


def period_end(day: datetime.date, cadence: str) -> datetime.date:
    """The last day of the calendar period (month, quarter, half-year, year) that holds ``day``."""
    months = CADENCE_MONTHS[cadence]
    last_month = ((day.month - 1) // months + 1) * months
    following = datetime.date(day.year + (last_month == 12), last_month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


class RectificationEffect(models.TextChoices):
    """整改成效, recorded by the reviewer at 销号, so that 表面整改 can be told apart."""

    SUBSTANTIVE = "substantive", "实质整改"
    FOLLOW_UP = "follow_up", "需持续跟进"


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
        return self.filter(overdue_q(today or local_today()))

    def kept_up(self) -> "RectificationQuerySet":
        """长期坚持 measures still kept up: open, or closed for their stage and not yet ended by staff."""
        return self.filter(kept_up_q())

    def due_soon(self, today: datetime.date | None = None) -> "RectificationQuerySet":
        """Open and due from today to ``DUE_SOON_DAYS`` ahead (到期前提醒, the secretary's 即将到期)."""
        return self.open().filter(due_soon_q(today or local_today()))

    def with_light(self, today: datetime.date | None = None) -> "RectificationQuerySet":
        """Annotate ``light`` (Light) in SQL, by the same rule as ``light_q``."""
        today = today or local_today()
        return self.annotate(
            light=Case(
                When(light_q(Light.RED, today), then=Value(Light.RED)),
                When(light_q(Light.YELLOW, today), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=IntegerField(),
            )
        )

    def with_light_filter(self, light: int, today: datetime.date | None = None) -> "RectificationQuerySet":
        return self.filter(light_q(light, today))


class Timeliness(models.TextChoices):
    """How a closed measure met its deadline: the one definition every page, figure and file uses.

    On time is closed on or before ``original_due_date`` (domain.md), the deadline first set. A measure whose
    deadline was moved (an approved extension, or staff editing it) and that closed after the original date but
    by the moved one is 延期后按期完成: not on time, not late. Late is closed after both dates.
    A 长期坚持 measure without a stage goal has none of the three: it has no deadline.
    """

    ON_TIME = "on_time", "按期完成"
    EXTENDED = "extended", "延期后按期完成"
    LATE = "late", "逾期完成"


def timeliness_q(timeliness: str, prefix: str = "") -> Q:
    """The SQL form of ``Rectification.timeliness``; ``closed_at__date`` is the local (Asia/Shanghai) day."""
    p = prefix
    closed_on = f"{p}closed_at__date"
    closed = Q(**{f"{p}status": RectificationStatus.CLOSED, f"{p}closed_at__isnull": False})
    # A 长期坚持 measure without a stage goal has no deadline to meet or miss.
    closed &= ~Q(**{f"{p}kind": RectificationKind.LONG_TERM, f"{p}stage_due_date__isnull": True})
    by_original = Q(**{f"{closed_on}__lte": models.F(f"{p}original_due_date")})
    by_current = Q(**{f"{closed_on}__lte": models.F(f"{p}due_date")})
    if timeliness == Timeliness.ON_TIME:
        return closed & by_original
    if timeliness == Timeliness.EXTENDED:
        return closed & ~by_original & by_current
    return closed & ~by_original & ~by_current


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


# "Due soon": the days before a deadline in which the yellow light comes on (domain.md, 红黄绿灯), so that a
# measure listed as due soon is yellow and one that is yellow for its date is listed as due soon.
DUE_SOON_DAYS = settings.LIGHT_YELLOW_DAYS


def due_soon_q(today: datetime.date, prefix: str = "") -> Q:
    """Due between today and ``DUE_SOON_DAYS`` ahead, both included; whether open is the caller's to say."""
    return Q(
        **{f"{prefix}due_date__gte": today, f"{prefix}due_date__lte": today + datetime.timedelta(days=DUE_SOON_DAYS)}
    )


def kept_up_q(prefix: str = "") -> Q:
    """长期坚持, not ended: its light follows its period reports, whether open or closed for its stage."""
    return Q(**{f"{prefix}kind": RectificationKind.LONG_TERM, f"{prefix}long_term_ended_at__isnull": True})


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """逾期: open and past ``due_date``. A 长期坚持 measure has a deadline only when it has a stage goal
    (``stage_due_date``, mirrored in ``due_date``); without one it is never overdue, only late with a report."""
    p = prefix
    no_deadline = Q(**{f"{p}kind": RectificationKind.LONG_TERM, f"{p}stage_due_date__isnull": True})
    return ~Q(**{f"{p}status": RectificationStatus.CLOSED}) & Q(**{f"{p}due_date__lt": today}) & ~no_deadline


def light_q(light: int, today: datetime.date | None = None, prefix: str = "") -> Q:
    """红黄绿灯 as a filter, usable through a relation (``prefix="rectifications__"``); ``with_light`` annotates it.

    A measure by a date: red when overdue, yellow from ``warn_from``, green otherwise or once closed.
    A 长期坚持 measure still kept up (docs/decisions/long-term-measures.md): red when the report of a period
    that has ended is missing (``report_due_on`` passed) or its stage goal is overdue; yellow from
    ``report_warn_from``, near the end of a period without its report; green otherwise — never red for its age.
    """
    today = today or local_today()
    p = prefix
    closed = Q(**{f"{p}status": RectificationStatus.CLOSED})
    long_term = kept_up_q(p)
    red = (long_term & (Q(**{f"{p}report_due_on__lt": today}) | overdue_q(today, p))) | (
        ~long_term & overdue_q(today, p)
    )
    long_term_yellow = long_term & Q(**{f"{p}report_warn_from__lte": today, f"{p}report_due_on__gte": today})
    long_term_yellow &= ~overdue_q(today, p)
    yellow = long_term_yellow | (~long_term & ~closed & Q(**{f"{p}due_date__gte": today, f"{p}warn_from__lte": today}))
    if light == Light.RED:
        return red
    if light == Light.YELLOW:
        return yellow
    long_term_green = long_term & Q(**{f"{p}report_due_on__gte": today, f"{p}report_warn_from__gt": today})
    long_term_green &= ~overdue_q(today, p)
    return long_term_green | (~long_term & (closed | Q(**{f"{p}due_date__gte": today, f"{p}warn_from__gt": today})))


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
    # A ledger names administrative departments (党委办公室, 财务部) that are no party organisation; the
    # measure keeps the name under its finding's organisation (docs/decisions/import-format.md).
    department = models.CharField("责任部门", max_length=200, blank=True)
    # 待指派: the ledger named a person the system does not know. The measure goes to the branch's
    # secretary meanwhile, and the named person stays visible until staff choose the real assignee.
    named_assignee = models.CharField("台账所列责任人（待指派）", max_length=200, blank=True)
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
    effect = models.CharField("整改成效", max_length=20, choices=RectificationEffect.choices, blank=True)
    # 长期坚持 only (docs/decisions/long-term-measures.md): a reporting cadence, an optional stage goal, the
    # period report owed next (stored, like warn_from, so the light is a plain comparison), and the end.
    report_cadence = models.CharField("报告周期", max_length=20, choices=ReportCadence.choices, blank=True)
    stage_due_date = models.DateField("阶段性目标时限", null=True, blank=True)
    report_due_on = models.DateField("本期报告截止日期", null=True, blank=True, editable=False)
    report_warn_from = models.DateField("报告预警日期", null=True, blank=True, editable=False)
    long_term_ended_at = models.DateTimeField("长期坚持结束时间", null=True, blank=True)
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
            models.CheckConstraint(
                condition=~Q(kind=RectificationKind.LONG_TERM)
                | Q(report_cadence__in=ReportCadence.values, report_due_on__isnull=False),
                name="rectification_long_term_has_cadence",
            ),
            models.CheckConstraint(
                condition=Q(long_term_ended_at__isnull=True) | Q(status=RectificationStatus.CLOSED),
                name="rectification_long_term_ends_closed",
            ),
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
        return self.headline

    @property
    def headline(self) -> str:
        """The measure named by its own words, cut to one line (lists, queues, notifications)."""
        return headline(self.measure)

    @property
    def is_awaiting_assignment(self) -> bool:
        """待指派: imported with a person the system did not know (see ``named_assignee``)."""
        return bool(self.named_assignee)

    @property
    def is_closed(self) -> bool:
        return self.status == RectificationStatus.CLOSED

    @property
    def is_long_term(self) -> bool:
        return self.kind == RectificationKind.LONG_TERM

    @property
    def is_kept_up(self) -> bool:
        """长期坚持 and not ended: reported on each period, whether open or closed for its stage."""
        return self.is_long_term and self.long_term_ended_at is None

    @property
    def is_stage_closed(self) -> bool:
        """阶段性销号，长期坚持."""
        return self.is_kept_up and self.is_closed

    @property
    def has_deadline(self) -> bool:
        return not self.is_long_term or self.stage_due_date is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.has_deadline and self.due_date < local_today()

    @property
    def report_overdue(self) -> bool:
        return self.is_kept_up and self.report_due_on is not None and self.report_due_on < local_today()

    @property
    def timeliness(self) -> "Timeliness | None":
        """按期完成 / 延期后按期完成 / 逾期完成 for a closed measure, None while open. Same rule as ``timeliness_q``."""
        if not self.is_closed or self.closed_at is None or not self.has_deadline:
            return None
        closed_on = _local(self.closed_at)
        if closed_on <= self.original_due_date:
            return Timeliness.ON_TIME
        if closed_on <= self.due_date:
            return Timeliness.EXTENDED
        return Timeliness.LATE

    @property
    def days_left(self) -> int:
        """Days until the deadline; negative when overdue."""
        return (self.due_date - local_today()).days

    @property
    def current_light(self) -> int:
        """The light of ``light_q`` for one loaded measure (tests hold the two to the same answers)."""
        if getattr(self, "light", None) is not None:
            return self.light
        today = local_today()
        if self.is_kept_up:
            if self.report_due_on < today or self.is_overdue:
                return Light.RED
            return Light.YELLOW if self.report_warn_from <= today else Light.GREEN
        if self.is_closed:
            return Light.GREEN
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
    PERIOD_REPORT = "period_report", "定期报告"


class ProgressUpdate(models.Model):
    """整改进展：一条不可修改的进展记录，可附佐证材料。"""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="progress_updates", verbose_name="整改措施"
    )
    kind = models.CharField("类型", max_length=20, choices=ProgressKind.choices, default=ProgressKind.PROGRESS)
    note = models.TextField("进展情况")
    # 定期报告 only: the last day of the period it reports on.
    period_end = models.DateField("报告期截止日期", null=True, blank=True)
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


class StandardMeasure(models.Model):
    """标准整改措施：one entry of the measure library (整改措施库), offered when a finding of its category is filed.

    Seeded by a data migration from ``measure_library.STANDARD_MEASURES``; administrators edit them. A
    measure is offered as text to copy into a new rectification, never linked to it: the rectification owns
    its words once created.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="standard_measures", verbose_name="问题类别"
    )
    text = models.TextField("措施内容")
    kind = models.CharField(
        "整改类型", max_length=20, choices=RectificationKind.choices, default=RectificationKind.DEADLINE
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "标准整改措施"
        verbose_name_plural = "整改措施库"
        ordering = ["category__sort_order", "sort_order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class FollowUpOutcome(models.TextChoices):
    PENDING = "pending", "待复查"
    RECTIFIED = "rectified", "整改到位"
    RELAPSED = "relapsed", "问题反弹"


class FollowUpReview(models.Model):
    """回头看：对一项已销号整改措施的复查任务，由负责的党务工作人员在期限内给出结论。

    问题反弹 reopens the measure (``rectification_reopen``) and marks its finding as 反弹: a finding is 反弹
    when any of its measures has a review with that outcome (derived, never stored twice).
    """

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="整改措施"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="复查人"
    )
    due_date = models.DateField("复查期限")
    outcome = models.CharField(
        "复查结论", max_length=20, choices=FollowUpOutcome.choices, default=FollowUpOutcome.PENDING
    )
    note = models.TextField("复查情况", blank=True)
    decided_at = models.DateTimeField("复查时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="安排人"
    )
    created_at = models.DateTimeField("安排时间", auto_now_add=True)

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=FollowUpOutcome.values), name="follow_up_outcome_valid"),
            # One open check per measure at a time.
            models.UniqueConstraint(
                fields=["rectification"], condition=Q(outcome="pending"), name="follow_up_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"回头看：{self.rectification}"
