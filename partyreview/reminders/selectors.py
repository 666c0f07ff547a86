"""Reads for the reminders: what a sweep should claim, what a digest lists, what the status page shows.

The plan is computed from a handful of set-based queries (open rectifications in the window, the
secretaries, inspection owners and committee leaders, the active webhooks) and plain Python over the
rows, so its cost does not grow with a query per rectification (issue 9 sweeps 50,000 of them).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Inspection
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.rectifications.models import (
    Escalation,
    FollowUpOutcome,
    FollowUpReview,
    Rectification,
    RectificationKind,
    RectificationStatus,
    due_soon_q,
    overdue_q,
)
from partyreview.reminders.models import (
    UNFINISHED_STATUSES,
    Channel,
    Delivery,
    DeliveryStatus,
    OrgWebhook,
    ReminderItem,
    ReminderKind,
    ReminderPolicy,
    SweepRun,
    SweepStatus,
    WebhookScope,
    week_start,
)


class Claim(NamedTuple):
    """One reminder the sweep wants to send: the unique key of a ReminderItem."""

    recipient_id: int | None
    webhook_id: int | None
    rectification_id: int | None
    kind: str
    due_date: datetime.date
    offset: int
    # Set for a reminder about an inspection itself (its 整改报告期限), which has no rectification.
    inspection_id: int | None = None


@dataclass
class ReminderPlan:
    claims: set[Claim] = field(default_factory=set)
    # What an item without a rectification carries, by (recipient id, kind): today the weekly summary's
    # figures. Keyed by kind too, so that a person's summary and their report reminder neither share
    # nor overwrite one payload.
    payloads: dict[tuple[int, str], dict] = field(default_factory=dict)

    def payload_for(self, claim: Claim) -> dict | None:
        if claim.rectification_id is not None or claim.recipient_id is None:
            return None
        return self.payloads.get((claim.recipient_id, claim.kind))


def reminder_step(
    policy: ReminderPolicy, days_after_due: int, *, kind: str = RectificationKind.DEADLINE
) -> tuple[str, int] | None:
    """The reminder a rectification is owed today: the latest scheduled day at or before today.

    A day missed while the system was down is caught up by the next sweep, which finds its step not yet
    claimed; a stale "7 days before" is never sent once the deadline has passed, because a later step
    (the day itself, or an overdue step) is the latest one by then. A 立行立改 measure counts its own days
    before (``immediate_days_before``); once late it is reminded like any other.
    """
    if days_after_due <= 0:
        before = policy.immediate_before_offsets if kind == RectificationKind.IMMEDIATE else policy.before_offsets
        earlier = [offset for offset in before if offset <= days_after_due]
        if not earlier:
            return None
        offset = max(earlier)
        return (ReminderKind.DUE_TODAY if offset == 0 else ReminderKind.UPCOMING), offset
    step = policy.overdue_step(days_after_due)
    return (ReminderKind.OVERDUE, step) if step is not None else None


def escalation_steps(policy: ReminderPolicy, days_after_due: int) -> list[tuple[str, int]]:
    steps = []
    if 0 < policy.escalate_leader_after_days <= days_after_due:
        steps.append((ReminderKind.ESCALATION_LEADER, policy.escalate_leader_after_days))
    if 0 < policy.escalate_committee_after_days <= days_after_due:
        steps.append((ReminderKind.ESCALATION_COMMITTEE, policy.escalate_committee_after_days))
    return steps


def _members_by_org(role: str) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = Membership.objects.filter(role=role, user__is_active=True).values_list("organization_id", "user_id")
    for org_id, user_id in rows:
        found[org_id].append(user_id)
    return found


def _owners_by_inspection() -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = Inspection.owners.through.objects.filter(inspection__is_archived=False, user__is_active=True).values_list(
        "inspection_id", "user_id"
    )
    for inspection_id, user_id in rows:
        found[inspection_id].append(user_id)
    return found


class _CommitteeLeaders:
    """The leads (党委领导) of the nearest committee above an organisation that has any.

    Nearest rather than every ancestor: a branch thirty days late is the business of its own 党委, and
    the top of a deep tree would otherwise receive every late measure of every unit below it.
    """

    def __init__(self) -> None:
        by_path: dict[str, list[int]] = defaultdict(list)
        rows = Membership.objects.filter(
            role=Role.LEADER, user__is_active=True, organization__kind=OrganizationKind.COMMITTEE
        ).values_list("organization__path", "user_id")
        for path, user_id in rows:
            by_path[path].append(user_id)
        # Deepest first, so the first prefix that matches is the nearest committee.
        self._paths = sorted(by_path.items(), key=lambda item: -len(item[0]))
        self._cache: dict[str, list[int]] = {}

    def for_path(self, path: str) -> list[int]:
        if path not in self._cache:
            self._cache[path] = next((users for prefix, users in self._paths if path.startswith(prefix)), [])
        return self._cache[path]


class _Webhooks:
    """Active webhooks and the organisations they cover (their organisation and everything below)."""

    def __init__(self) -> None:
        self._hooks = list(
            OrgWebhook.objects.filter(is_active=True, organization__is_active=True).values_list(
                "pk", "organization__path", "scope"
            )
        )
        self._cache: dict[str, list[tuple[int, WebhookScope]]] = {}

    def __bool__(self) -> bool:
        return bool(self._hooks)

    def for_path(self, path: str) -> list[tuple[int, WebhookScope]]:
        if path not in self._cache:
            self._cache[path] = [
                (pk, WebhookScope(scope)) for pk, prefix, scope in self._hooks if path.startswith(prefix)
            ]
        return self._cache[path]


def reminder_plan(*, day: datetime.date, policy: ReminderPolicy) -> ReminderPlan:
    """Every reminder owed on ``day`` under ``policy``, whether or not an earlier run already claimed it."""
    plan = ReminderPlan()
    before = [*policy.before_offsets, *policy.immediate_before_offsets]
    horizon = day + datetime.timedelta(days=-min(before) if before else 0)
    rows = (
        Rectification.objects.open()
        .filter(
            due_date__lte=horizon,
            finding__is_archived=False,
            finding__inspection__is_archived=False,
        )
        # 长期坚持 without a stage goal has no deadline: it is reminded of its reports (_period_reports).
        .exclude(kind=RectificationKind.LONG_TERM, stage_due_date__isnull=True)
        .values_list(
            "pk",
            "due_date",
            "assignee_id",
            "assignee__is_active",
            "responsible_leader_id",
            "responsible_leader__is_active",
            "responsible_org__path",
            "responsible_org_id",
            "finding__inspection_id",
            "kind",
        )
        .order_by()
    )
    secretaries = _members_by_org(Role.SECRETARY)
    owners = _owners_by_inspection() if policy.escalate_leader_after_days else {}
    committee = _CommitteeLeaders() if policy.escalate_committee_after_days else None
    webhooks = _Webhooks() if policy.webhooks_enabled else None
    claims = plan.claims
    for row in rows.iterator(chunk_size=5000):
        pk, due, assignee, assignee_active, leader, leader_active, path, org_id, inspection_id, measure_kind = row
        days_after_due = (day - due).days
        steps = []
        step = reminder_step(policy, days_after_due, kind=measure_kind)
        if step is not None:
            steps.append(step)
            kind, offset = step
            people = secretaries.get(org_id, [])
            if assignee_active:
                people = [assignee, *people]
            for user_id in people:
                claims.add(Claim(user_id, None, pk, kind, due, offset))
        for kind, offset in escalation_steps(policy, days_after_due):
            steps.append((kind, offset))
            if kind == ReminderKind.ESCALATION_LEADER:
                people = owners.get(inspection_id, [])
                if leader is not None and leader_active:
                    people = [leader, *people]
            else:
                people = committee.for_path(path) if committee else []
            for user_id in people:
                claims.add(Claim(user_id, None, pk, kind, due, offset))
        if webhooks and steps:
            for hook_id, scope in webhooks.for_path(path):
                for kind, offset in steps:
                    if scope.covers(kind):
                        claims.add(Claim(None, hook_id, pk, kind, due, offset))
    _lead_escalations(plan, day=day, secretaries=secretaries, webhooks=webhooks)
    _period_reports(plan, day=day, secretaries=secretaries, webhooks=webhooks)
    _inspection_reports(plan, day=day, policy=policy)
    _follow_ups(plan, day=day, policy=policy)
    if policy.weekly_summary_enabled and day.weekday() >= policy.weekly_summary_weekday:
        monday = week_start(day)
        for user_id, figures in weekly_summaries(day=day, policy=policy).items():
            plan.payloads[(user_id, ReminderKind.WEEKLY_SUMMARY)] = figures
            claims.add(Claim(user_id, None, None, ReminderKind.WEEKLY_SUMMARY, monday, 0))
    return plan


# How long after its date the one reminder of a passed 整改报告期限 or 回头看 deadline may still go.
DATE_REMINDER_LOOKBACK_DAYS = 7


def date_step(offsets: list[int], days_after_due: int) -> int | None:
    """The step owed on a day for a deadline reminded before it (``offsets``, negative or zero) and once
    after it: the latest configured day at or before today, or 1 from the day after the deadline on.
    Keyed on the deadline, each step is claimed once; a missed one is caught up while it is the latest."""
    if days_after_due >= 1:
        return 1
    earlier = [offset for offset in offsets if offset <= days_after_due]
    return max(earlier) if earlier else None


# An unreported 整改情况报告 is asked for once a week after its date (days 1, 8, 15, …) for eight weeks.
REPORT_OVERDUE_DAYS = 56


def report_step(offsets: list[int], days_after_due: int) -> int | None:
    """The step owed on a day for an inspection's report: ``date_step`` before the date; after it, the first
    day of the current week past the date (1, 8, 15, …), so each week's reminder is claimed once and a
    missed sweep is caught up within its week."""
    if days_after_due >= 1:
        return 1 + (days_after_due - 1) // 7 * 7
    return date_step(offsets, days_after_due)


class _NearestStaff:
    """The staff (党务工作人员) of the nearest organisation at or above a given one that has any: who an
    inspection without named owners falls to, as the 党委 office that led it."""

    def __init__(self) -> None:
        by_path: dict[str, list[int]] = defaultdict(list)
        rows = Membership.objects.filter(role=Role.STAFF, user__is_active=True).values_list(
            "organization__path", "user_id"
        )
        for path, user_id in rows:
            by_path[path].append(user_id)
        self._paths = sorted(by_path.items(), key=lambda item: -len(item[0]))

    def for_path(self, path: str) -> list[int]:
        return next((users for prefix, users in self._paths if path.startswith(prefix)), [])


def _inspection_reports(plan: ReminderPlan, *, day: datetime.date, policy: ReminderPolicy) -> None:
    """整改报告期限: an inspection's staff are reminded before its report is due and, until staff record
    that it went out (``report_submitted_on``), once a week after it, for ``REPORT_OVERDUE_DAYS``. The
    recipients are the ones the escalations go to, the inspection's owners (负责的党务工作人员); an
    inspection without any falls to the staff of the nearest organisation at or above the one that led it.
    """
    offsets = policy.report_before_offsets
    horizon = day + datetime.timedelta(days=-min(offsets) if offsets else 0)
    # The window keeps every inspection of past years out of each sweep, and out of the first sweep after
    # an upgrade.
    since = day - datetime.timedelta(days=REPORT_OVERDUE_DAYS)
    rows = list(
        Inspection.objects.filter(
            is_archived=False,
            report_submitted_on__isnull=True,
            report_due_date__lte=horizon,
            report_due_date__gte=since,
        ).values_list("pk", "report_due_date", "inspecting_org__path")
    )
    if not rows:
        return
    owners: dict[int, list[int]] = defaultdict(list)
    through = Inspection.owners.through.objects.filter(
        inspection_id__in=[pk for pk, _, _ in rows], user__is_active=True
    ).values_list("inspection_id", "user_id")
    for inspection_id, user_id in through:
        owners[inspection_id].append(user_id)
    staff = _NearestStaff()
    for pk, due, path in rows:
        offset = report_step(offsets, (day - due).days)
        if offset is None:
            continue
        for user_id in owners.get(pk) or staff.for_path(path):
            plan.claims.add(Claim(user_id, None, None, ReminderKind.REPORT_DUE, due, offset, inspection_id=pk))


def _follow_ups(plan: ReminderPlan, *, day: datetime.date, policy: ReminderPolicy) -> None:
    """回头看: the inspector of a check task without an outcome is reminded before its deadline and once after.
    Keyed on the measure and the task's deadline (one pending task per measure at a time)."""
    offsets = policy.follow_up_before_offsets
    horizon = day + datetime.timedelta(days=-min(offsets) if offsets else 0)
    since = day - datetime.timedelta(days=DATE_REMINDER_LOOKBACK_DAYS)
    rows = (
        FollowUpReview.objects.filter(
            outcome=FollowUpOutcome.PENDING,
            due_date__lte=horizon,
            due_date__gte=since,
            inspector__is_active=True,
            rectification__finding__is_archived=False,
            rectification__finding__inspection__is_archived=False,
        )
        .values_list("rectification_id", "due_date", "inspector_id")
        .order_by()
    )
    for rect_id, due, inspector_id in rows:
        offset = date_step(offsets, (day - due).days)
        if offset is not None:
            plan.claims.add(Claim(inspector_id, None, rect_id, ReminderKind.FOLLOW_UP_DUE, due, offset))


def period_report_step(day: datetime.date, report_due_on: datetime.date) -> int | None:
    """The period-report reminder owed on ``day``, as its offset from the period's end: once when the light
    turns yellow (LONG_TERM_REPORT_WARN_DAYS before), once the day after the period ended without it.
    Keyed on the period's end, so each period asks twice at most, and a report made moves the key on."""
    warn_days = settings.LONG_TERM_REPORT_WARN_DAYS
    if day > report_due_on:
        return 1
    if (report_due_on - day).days <= warn_days:
        return -warn_days
    return None


def _period_reports(
    plan: ReminderPlan, *, day: datetime.date, secretaries: dict[int, list[int]], webhooks: "_Webhooks | None"
) -> None:
    """长期坚持 measures whose current report is missing near or after the period's end (open or closed for
    their stage): the assignee and the branch's secretaries are asked for the report, never for closure."""
    warn_until = day + datetime.timedelta(days=settings.LONG_TERM_REPORT_WARN_DAYS)
    rows = (
        Rectification.objects.kept_up()
        .filter(report_due_on__lte=warn_until, finding__is_archived=False, finding__inspection__is_archived=False)
        .values_list(
            "pk", "report_due_on", "assignee_id", "assignee__is_active", "responsible_org_id", "responsible_org__path"
        )
        .order_by()
    )
    for pk, due, assignee, assignee_active, org_id, path in rows.iterator(chunk_size=5000):
        offset = period_report_step(day, due)
        if offset is None:
            continue
        people = [*secretaries.get(org_id, [])]
        if assignee_active:
            people.insert(0, assignee)
        for user_id in people:
            plan.claims.add(Claim(user_id, None, pk, ReminderKind.PERIOD_REPORT, due, offset))
        if webhooks:
            for hook_id, scope in webhooks.for_path(path):
                if scope.covers(ReminderKind.PERIOD_REPORT):
                    plan.claims.add(Claim(None, hook_id, pk, ReminderKind.PERIOD_REPORT, due, offset))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# A 督办 made while the worker was down is still sent when it returns, within this many days.
LEAD_ESCALATION_LOOKBACK_DAYS = 7


def _lead_escalations(
    plan: ReminderPlan, *, day: datetime.date, secretaries: dict[int, list[int]], webhooks: "_Webhooks | None"
) -> None:
    """Leads' 督办 of open measures, made up to ``day``: one item per person (assignee, the branch's
    secretaries, the responsible leader) and group robot, keyed by the day of the 督办."""
    since = _local_midnight(day - datetime.timedelta(days=LEAD_ESCALATION_LOOKBACK_DAYS))
    until = _local_midnight(day + datetime.timedelta(days=1))
    rows = (
        Escalation.objects.filter(created_at__gte=since, created_at__lt=until, rectification__isnull=False)
        .exclude(rectification__status=RectificationStatus.CLOSED)
        .filter(rectification__finding__is_archived=False)
        .values_list(
            "rectification_id",
            "created_at",
            "rectification__assignee_id",
            "rectification__assignee__is_active",
            "rectification__responsible_leader_id",
            "rectification__responsible_leader__is_active",
            "rectification__responsible_org_id",
            "rectification__responsible_org__path",
        )
        .order_by()
    )
    for rect_id, created, assignee, assignee_active, leader, leader_active, org_id, path in rows:
        pressed_on = timezone.localdate(created)
        people = [*secretaries.get(org_id, [])]
        if assignee_active:
            people.append(assignee)
        if leader is not None and leader_active:
            people.append(leader)
        for user_id in people:
            plan.claims.add(Claim(user_id, None, rect_id, ReminderKind.LEAD_ESCALATION, pressed_on, 0))
        if webhooks:
            for hook_id, scope in webhooks.for_path(path):
                if scope.covers(ReminderKind.LEAD_ESCALATION):
                    plan.claims.add(Claim(None, hook_id, rect_id, ReminderKind.LEAD_ESCALATION, pressed_on, 0))


def weekly_summaries(*, day: datetime.date, policy: ReminderPolicy) -> dict[int, dict]:
    """The figures of each lead's weekly summary (党委领导, over the organisations they lead and below).

    Leads who already had this week's summary are left out, so a second sweep in the week costs one query.
    A lead whose scope holds no rectification at all gets no summary.
    """
    monday = week_start(day)
    done = ReminderItem.objects.filter(kind=ReminderKind.WEEKLY_SUMMARY, due_date=monday).values("recipient_id")
    leads: dict[int, list[str]] = defaultdict(list)
    rows = (
        Membership.objects.filter(role=Role.LEADER, user__is_active=True)
        .exclude(user_id__in=done)
        .values_list("user_id", "organization__path")
    )
    for user_id, path in rows:
        leads[user_id].append(path)
    if not leads:
        return {}
    week_ago = day - datetime.timedelta(days=7)
    long_overdue = day - datetime.timedelta(days=policy.escalate_committee_after_days or 30)
    open_q = ~Q(status=RectificationStatus.CLOSED)
    has_deadline = ~Q(kind=RectificationKind.LONG_TERM, stage_due_date__isnull=True)
    per_org = (
        Rectification.objects.filter(finding__is_archived=False)
        .values("responsible_org_id")
        .annotate(
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=overdue_q(day)),
            due_soon=Count("pk", filter=open_q & due_soon_q(day) & has_deadline),
            long_overdue=Count("pk", filter=overdue_q(long_overdue)),
            closed_week=Count("pk", filter=Q(status=RectificationStatus.CLOSED, closed_at__date__gt=week_ago)),
        )
        .order_by()
    )
    figures = {row.pop("responsible_org_id"): row for row in per_org}
    orgs = Organization.objects.filter(pk__in=list(figures)).values_list("pk", "path", "name")
    org_rows = [(path, pk, name, figures[pk]) for pk, path, name in orgs]
    summaries: dict[int, dict] = {}
    for user_id, paths in leads.items():
        prefixes = tuple(sorted(set(paths)))
        totals = dict.fromkeys(("open", "overdue", "due_soon", "long_overdue", "closed_week"), 0)
        lagging = []
        for path, pk, name, counts in org_rows:
            if not path.startswith(prefixes):
                continue
            for key in totals:
                totals[key] += counts[key]
            if counts["overdue"]:
                lagging.append({"organization_id": pk, "name": name, "overdue": counts["overdue"]})
        if not totals["open"] and not totals["closed_week"]:
            continue
        lagging.sort(key=lambda row: (-row["overdue"], row["name"]))
        scope_ids = sorted(int(p.strip("/").split("/")[-1]) for p in prefixes)
        summaries[user_id] = {
            "week": monday.isoformat(),
            "day": day.isoformat(),
            **totals,
            "lagging": lagging[:5],
            "scope_ids": scope_ids,
        }
    return summaries


# ---- digests ----------------------------------------------------------------------------------------


def digest_items(
    *, run_id: int, recipient: User | None = None, webhook: OrgWebhook | None = None
) -> list[ReminderItem]:
    """The items of one digest (a run's items for one person or one group), with what a line shows."""
    qs = ReminderItem.objects.filter(run_id=run_id)
    qs = qs.filter(recipient=recipient) if recipient is not None else qs.filter(webhook=webhook)
    return list(
        qs.select_related(
            "run",
            "rectification__finding__inspection",
            "rectification__responsible_org",
            "rectification__assignee",
            "inspection__inspecting_org",
        )
        .prefetch_related("rectification__follow_ups")
        .order_by("rectification__due_date", "rectification_id", "id")
    )


def digest_runs_for(user: User) -> QuerySet[SweepRun]:
    """The runs that sent this person something: what their in-app digest links may open."""
    return SweepRun.objects.filter(reminder_items__recipient=user).distinct()


# ---- the status page --------------------------------------------------------------------------------


@dataclass
class ChannelTally:
    """A run's deliveries over one channel: how many went out, wait, or failed."""

    label: str
    sent: int = 0
    waiting: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass
class ReminderStatus:
    last_run: SweepRun | None
    last_success: SweepRun | None
    runs: list[SweepRun]
    problems: list[Delivery]
    problem_count: int
    failed_count: int


def reminder_status(*, runs: int = 10, problems: int = 100) -> ReminderStatus:
    """The recent sweeps, each with ``tallies`` (its deliveries by channel and outcome), and the deliveries
    that failed or wait for a retry, with their errors. A fixed number of queries whatever the volume."""
    recent = list(SweepRun.objects.select_related("triggered_by")[:runs])
    tallies: dict[int, dict[str, ChannelTally]] = {run.pk: {} for run in recent}
    rows = (
        Delivery.objects.filter(run__in=[run.pk for run in recent])
        .values_list("run_id", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for run_id, channel, status, n in rows:
        tally = tallies[run_id].setdefault(channel, ChannelTally(label=Channel(channel).label))
        if status == DeliveryStatus.SENT:
            tally.sent += n
        elif status == DeliveryStatus.FAILED:
            tally.failed += n
        elif status == DeliveryStatus.SKIPPED:
            tally.skipped += n
        else:
            tally.waiting += n
    for run in recent:
        run.tallies = [tallies[run.pk][c] for c in Channel.values if c in tallies[run.pk]]
    trouble = Q(status=DeliveryStatus.FAILED) | (Q(status__in=UNFINISHED_STATUSES) & ~Q(last_error=""))
    problem_qs = Delivery.objects.filter(trouble)
    return ReminderStatus(
        last_run=recent[0] if recent else None,
        last_success=SweepRun.objects.filter(status=SweepStatus.DONE).first(),
        runs=recent,
        problems=list(
            problem_qs.select_related("recipient", "webhook", "run").order_by("-updated_at", "-id")[:problems]
        ),
        problem_count=problem_qs.count(),
        failed_count=Delivery.objects.filter(status=DeliveryStatus.FAILED).exclude(channel=Channel.IN_APP).count(),
    )


def deliveries_to_requeue(*, now: datetime.datetime, grace: datetime.timedelta) -> QuerySet[Delivery]:
    """Deliveries whose task was lost (broker down when it was queued, worker killed before it started):
    still pending long after they were made, or waiting for a retry long after it was due."""
    return Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, updated_at__lt=now - grace)
        | Q(status=DeliveryStatus.RETRYING, next_attempt_at__lt=now - grace)
    )
