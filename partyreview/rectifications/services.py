"""Every change to a rectification goes through here.

Each service checks the permission, enforces the lifecycle table (docs/architecture.md), locks the
row so two people acting at once are serialised, bumps ``version`` so a stale form is refused, writes
the history (who, when, what, why) and tells the people concerned. A refused action raises
ActionRefused with a Chinese message and changes nothing.
"""

import datetime
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.accounts.services import notification_create
from partyreview.common.dates import local_date, local_today
from partyreview.common.errors import ActionRefused, StaleEdit
from partyreview.inspections.models import Category, Finding, Inspection
from partyreview.inspections.services import finding_create
from partyreview.organizations.models import Organization
from partyreview.organizations.selectors import assignable_users, secretaries_of
from partyreview.rectifications import permissions as perms
from partyreview.rectifications.evidence import check_upload
from partyreview.rectifications.models import (
    Escalation,
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    FollowUpOutcome,
    FollowUpReview,
    ProgressKind,
    ProgressUpdate,
    Rectification,
    RectificationEffect,
    RectificationKind,
    ReportCadence,
    period_end,
)
from partyreview.rectifications.models import RectificationStatus as S

# The lifecycle table of domain.md: action → (states it may start from, state it leads to; None = unchanged).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "progress": (frozenset({S.PENDING, S.IN_PROGRESS, S.RETURNED}), S.IN_PROGRESS),
    "submit": (frozenset({S.IN_PROGRESS, S.RETURNED}), S.SUBMITTED),
    "close": (frozenset({S.SUBMITTED}), S.CLOSED),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED),
    "reopen": (frozenset({S.CLOSED}), S.IN_PROGRESS),
    "request_extension": (frozenset({S.PENDING, S.IN_PROGRESS, S.RETURNED}), None),
    # 长期坚持 only: a period's report, open or after the stage closure; a pending measure starts moving.
    "report_period": (frozenset({S.PENDING, S.IN_PROGRESS, S.RETURNED, S.SUBMITTED, S.CLOSED}), None),
    # 长期坚持 only: staff end a measure kept up after its stage closure.
    "end_long_term": (frozenset({S.CLOSED}), None),
    "edit": (frozenset({S.PENDING, S.IN_PROGRESS, S.RETURNED, S.SUBMITTED}), None),
}
ACTION_LABELS = {
    "progress": "填报进展",
    "submit": "申请销号",
    "close": "销号",
    "return": "退回",
    "reopen": "回头看重新打开",
    "request_extension": "申请延期",
    "report_period": "填报定期报告",
    "end_long_term": "结束长期坚持",
    "edit": "修改",
}


def compute_warn_from(start: datetime.date, due: datetime.date) -> datetime.date:
    """预警日期: the earlier of N days before the deadline and the point where the given share of
    the allotted time is used (defaults 7 days and 80 %, settings LIGHT_YELLOW_DAYS / _FRACTION)."""
    days_before = getattr(settings, "LIGHT_YELLOW_DAYS", 7)
    fraction = getattr(settings, "LIGHT_YELLOW_FRACTION", 0.8)
    allotted = max((due - start).days, 0)
    by_share = start + datetime.timedelta(days=math.ceil(allotted * fraction))
    return min(due - datetime.timedelta(days=days_before), by_share)


def first_report_due(start: datetime.date, cadence: str) -> datetime.date:
    """The end of the first period a 长期坚持 measure reports on: the one holding ``start``, or the next when
    fewer than the warning days are left of it (a measure filed on 28 March owes its first report in June)."""
    due = period_end(start, cadence)
    if (due - start).days < settings.LONG_TERM_REPORT_WARN_DAYS:
        due = period_end(due + datetime.timedelta(days=1), cadence)
    return due


def report_due_after(day: datetime.date, current_due: datetime.date, cadence: str) -> datetime.date:
    """The report owed next once a report is made on ``day``: it covers the period holding ``day``, so the
    next one is due at the end of the following period (never earlier than what was owed already: a second
    report in the same period covers nothing new; a late one fills today's period, the missed one stays missed)."""
    following = period_end(period_end(day, cadence) + datetime.timedelta(days=1), cadence)
    return max(current_due, following)


def set_report_due(rectification: Rectification, due: datetime.date) -> None:
    rectification.report_due_on = due
    rectification.report_warn_from = due - datetime.timedelta(days=settings.LONG_TERM_REPORT_WARN_DAYS)


def immediate_default_due(finding: Finding) -> datetime.date:
    """立行立改 without a date: IMMEDIATE_DEFAULT_DAYS after the feedback (or after the finding, if none yet)."""
    start = finding.inspection.feedback_date or finding.found_on
    return start + datetime.timedelta(days=settings.IMMEDIATE_DEFAULT_DAYS)


@dataclass(frozen=True)
class Deadlines:
    due_date: datetime.date
    stage_due_date: datetime.date | None
    report_cadence: str


def measure_deadlines(
    *,
    finding: Finding,
    kind: str,
    due_date: datetime.date | None,
    stage_due_date: datetime.date | None = None,
    report_cadence: str = "",
    start: datetime.date,
) -> Deadlines:
    """整改时限 by kind, the one rule for every way a measure is created or re-kinded.

    限期整改 needs a date. 立行立改 takes IMMEDIATE_DEFAULT_DAYS from the feedback when none is given.
    长期坚持 needs a reporting cadence; its deadline is the stage goal (``stage_due_date``, or a date given as
    ``due_date``), and without one ``due_date`` is only the first report's date, which no rule reads as a deadline.
    """
    if kind == RectificationKind.LONG_TERM:
        if report_cadence not in ReportCadence.values:
            raise ActionRefused("长期坚持的整改措施须选择报告周期（每月、每季度或每半年）。")
        stage = stage_due_date or due_date
        return Deadlines(stage or first_report_due(start, report_cadence), stage, report_cadence)
    if due_date is None and kind == RectificationKind.IMMEDIATE:
        due_date = immediate_default_due(finding)
    if due_date is None:
        raise ActionRefused("请填写整改时限。")
    return Deadlines(due_date, None, "")


def _url(rectification: Rectification) -> str:
    return reverse("rectifications:detail", args=[rectification.pk])


def _lock(rectification: Rectification, expected_version: int | None) -> Rectification:
    """Re-read the row under a lock; refuse when the caller's copy is older than what is stored."""
    locked = (
        Rectification.objects.select_for_update()
        .select_related("finding__inspection", "responsible_org")
        .get(pk=rectification.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        last = locked.history.select_related("history_user").first()
        who = last.history_user.display_name if last and last.history_user else "他人"
        when = timezone.localtime(last.history_date).strftime("%m-%d %H:%M") if last else ""
        what = last.history_change_reason if last and last.history_change_reason else "修改"
        raise StaleEdit(
            f"该整改措施已于 {when} 被 {who} {what}，当前状态为“{locked.get_status_display()}”。"
            "您的内容未保存，请刷新页面查看后再操作。"
        )
    return locked


def _require_state(rectification: Rectification, action: str) -> str | None:
    allowed, target = TRANSITIONS[action]
    if rectification.status not in allowed:
        raise ActionRefused(
            f"该整改措施当前状态为“{rectification.get_status_display()}”，不能{ACTION_LABELS[action]}。"
        )
    return target


def _save(rectification: Rectification, *, actor: User, reason: str) -> None:
    rectification.version += 1
    rectification._history_user = actor
    rectification._change_reason = reason[:100]
    rectification.save()


def _require_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused(f"请填写{label}。")
    return value


@contextmanager
def _files_removed_on_error() -> Iterator[list[Evidence]]:
    """Collects evidence stored inside the block; if the block fails, their files are deleted.

    The database rolls back by itself; stored files must be removed by hand, whatever step failed.
    """
    stored: list[Evidence] = []
    try:
        yield stored
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise


def _store_evidence(
    *,
    rectification: Rectification,
    update: ProgressUpdate,
    files: Sequence[UploadedFile],
    actor: User,
    stored: list[Evidence],
) -> list[Evidence]:
    # Check every file before storing any, so one bad file saves nothing of the update.
    checked = [check_upload(f) for f in files]
    for item in checked:
        evidence = Evidence(
            rectification=rectification,
            progress_update=update,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=actor,
        )
        evidence.file.save(item.original_name, item.upload, save=False)
        stored.append(evidence)
        evidence.save()
    return stored


def _reporters(rectification: Rectification) -> list[User]:
    return [rectification.assignee, *secretaries_of(rectification.responsible_org)]


def _notify(recipients: Sequence[User | None], *, kind: str, title: str, body: str, url: str, actor: User) -> None:
    people = [u for u in recipients if u is not None and u.pk != actor.pk]
    transaction.on_commit(lambda: notification_create(recipients=people, kind=kind, title=title, body=body, url=url))


# ---- create and edit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureInput:
    """One measure as entered with a finding."""

    measure: str
    assignee: User
    due_date: datetime.date | None
    kind: str = RectificationKind.DEADLINE
    responsible_leader: User | None = None
    responsible_org: Organization | None = None
    # The user saw that the deadline is already past and saves it anyway (a ledger entered late).
    past_due_confirmed: bool = False
    report_cadence: str = ""
    stage_due_date: datetime.date | None = None


class PastDeadline(ActionRefused):
    """整改时限已过: a new measure whose deadline is before today is refused until the user confirms it,
    so a mistyped year never turns red silently while a ledger entered late can still be recorded."""


def deadline_is_past(due_date: datetime.date) -> bool:
    return due_date < local_today()


def _check_past_deadline(due_date: datetime.date, *, confirmed: bool) -> None:
    if deadline_is_past(due_date) and not confirmed:
        raise PastDeadline(
            f"整改时限 {due_date:%Y-%m-%d} 早于今天，保存后该措施将立即显示为逾期。"
            "请核对时限；确属补录的，请勾选“整改时限已过，仍然保存”。"
        )


def _check_measure(*, finding: Finding, responsible_org: Organization, assignee: User, due_date: datetime.date) -> None:
    if not responsible_org.is_within(finding.organization):
        raise ActionRefused(f"责任单位“{responsible_org}”须为“{finding.organization}”或其下级党组织。")
    if not assignable_users(responsible_org).filter(pk=assignee.pk).exists():
        raise ActionRefused(f"责任人“{assignee}”不属于“{responsible_org}”。")
    if due_date < finding.found_on:
        raise ActionRefused("整改时限不能早于问题发现日期。")


def rectification_create(
    *,
    actor: User,
    finding: Finding,
    measure: str,
    assignee: User,
    due_date: datetime.date | None,
    kind: str = RectificationKind.DEADLINE,
    responsible_leader: User | None = None,
    responsible_org: Organization | None = None,
    past_due_confirmed: bool = False,
    report_cadence: str = "",
    stage_due_date: datetime.date | None = None,
) -> Rectification:
    responsible_org = responsible_org or finding.organization
    if not perms.has_role_over(actor, responsible_org, perms.STAFF):
        raise ActionRefused(f"党组织“{responsible_org}”不在您的管理范围内。")
    if finding.is_archived:
        raise ActionRefused("该问题已归档，不能再添加整改措施。")
    measure = _require_text(measure, "整改措施")
    if kind not in RectificationKind.values:
        raise ActionRefused("请选择整改类型。")
    start = local_today()
    deadlines = measure_deadlines(
        finding=finding,
        kind=kind,
        due_date=due_date,
        stage_due_date=stage_due_date,
        report_cadence=report_cadence,
        start=start,
    )
    due_date = deadlines.due_date
    _check_measure(finding=finding, responsible_org=responsible_org, assignee=assignee, due_date=due_date)
    _check_past_deadline(due_date, confirmed=past_due_confirmed)
    with transaction.atomic():
        Finding.objects.select_for_update().filter(pk=finding.pk).first()
        number = (finding.rectifications.aggregate(m=Max("number"))["m"] or 0) + 1
        rectification = Rectification(
            finding=finding,
            number=number,
            measure=measure,
            kind=kind,
            responsible_org=responsible_org,
            responsible_leader=responsible_leader,
            assignee=assignee,
            due_date=due_date,
            original_due_date=due_date,
            warn_from=compute_warn_from(min(start, due_date), due_date),
            stage_due_date=deadlines.stage_due_date,
            report_cadence=deadlines.report_cadence,
            created_by=actor,
        )
        if kind == RectificationKind.LONG_TERM:
            set_report_due(rectification, first_report_due(start, deadlines.report_cadence))
        rectification._history_user = actor
        rectification._change_reason = "创建整改措施"
        rectification.save()
        _notify(
            _reporters(rectification),
            kind="assigned",
            title=f"新的整改任务：{rectification.headline}",
            body=f"{finding.inspection.title}：{measure[:80]}（{_deadline_phrase(rectification)}）",
            url=_url(rectification),
            actor=actor,
        )
    return rectification


def _deadline_phrase(r: Rectification) -> str:
    if r.kind == RectificationKind.LONG_TERM:
        stage = f"阶段性目标 {r.stage_due_date:%Y-%m-%d}，" if r.stage_due_date else ""
        return f"长期坚持，{stage}{r.get_report_cadence_display()}报告进展"
    return f"整改时限 {r.due_date:%Y-%m-%d}"


def finding_file(
    *,
    actor: User,
    inspection: Inspection,
    organization: Organization,
    category: Category,
    description: str,
    found_on: datetime.date,
    measures: Sequence[MeasureInput],
    severity: str = "minor",
    basis: str = "",
    source: str = "manual",
    sequence: int | None = None,
) -> Finding:
    """File a finding together with its measures: both are saved or neither is."""
    if not measures:
        raise ActionRefused("每个问题至少需要一项整改措施。")
    with transaction.atomic():
        finding = finding_create(
            actor=actor,
            inspection=inspection,
            organization=organization,
            category=category,
            description=description,
            found_on=found_on,
            severity=severity,
            basis=basis,
            source=source,
            sequence=sequence,
        )
        for item in measures:
            rectification_create(
                actor=actor,
                finding=finding,
                measure=item.measure,
                assignee=item.assignee,
                due_date=item.due_date,
                kind=item.kind,
                responsible_leader=item.responsible_leader,
                responsible_org=item.responsible_org,
                past_due_confirmed=item.past_due_confirmed,
                report_cadence=item.report_cadence,
                stage_due_date=item.stage_due_date,
            )
    return finding


def rectification_update(
    *,
    actor: User,
    rectification: Rectification,
    expected_version: int | None = None,
    measure: str | None = None,
    assignee: User | None = None,
    responsible_leader: User | None = None,
    kind: str | None = None,
    due_date: datetime.date | None = None,
    report_cadence: str | None = None,
    reason: str = "",
) -> Rectification:
    """Staff edit a measure. A new deadline moves ``due_date`` only; ``original_due_date`` never changes."""
    with transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_manage_rectification(actor, r):
            raise ActionRefused("您无权修改该整改措施。")
        _require_state(r, "edit")
        changes = []
        if measure is not None and measure.strip() != r.measure:
            r.measure = _require_text(measure, "整改措施")
            changes.append("整改措施")
        if assignee is not None and assignee.pk != r.assignee_id:
            _check_measure(finding=r.finding, responsible_org=r.responsible_org, assignee=assignee, due_date=r.due_date)
            r.assignee = assignee
            # Choosing the assignee is what settles a 待指派 measure imported with an unknown person.
            r.named_assignee = ""
            changes.append("责任人")
        if responsible_leader is not None and responsible_leader.pk != r.responsible_leader_id:
            r.responsible_leader = responsible_leader
            changes.append("责任领导")
        if kind is not None and kind not in RectificationKind.values:
            raise ActionRefused("请选择整改类型。")
        changes += _change_kind(r, kind=kind or r.kind, report_cadence=report_cadence or r.report_cadence)
        if due_date is not None and due_date != r.due_date:
            if due_date < r.finding.found_on:
                raise ActionRefused("整改时限不能早于问题发现日期。")
            r.due_date = due_date
            r.warn_from = compute_warn_from(min(local_date(r.created_at), due_date), due_date)
            if r.kind == RectificationKind.LONG_TERM:
                r.stage_due_date = due_date
                changes.append("阶段性目标时限")
            else:
                changes.append("整改时限")
        if not changes:
            return r
        _save(r, actor=actor, reason=f"修改{'、'.join(changes)}" + (f"：{reason.strip()}" if reason.strip() else ""))
    return r


def _change_kind(r: Rectification, *, kind: str, report_cadence: str) -> list[str]:
    """A measure turned into or out of 长期坚持, or given another cadence; returns what changed."""
    changes = []
    if kind == RectificationKind.LONG_TERM:
        if report_cadence not in ReportCadence.values:
            raise ActionRefused("长期坚持的整改措施须选择报告周期（每月、每季度或每半年）。")
        becoming = r.kind != RectificationKind.LONG_TERM
        if becoming:
            # The deadline it had becomes its stage goal; its reports start from today.
            r.stage_due_date = r.due_date
        if becoming or report_cadence != r.report_cadence:
            r.report_cadence = report_cadence
            set_report_due(r, first_report_due(local_today(), report_cadence))
            changes.append("报告周期")
    elif r.kind == RectificationKind.LONG_TERM:
        r.report_cadence, r.stage_due_date, r.report_due_on, r.report_warn_from = "", None, None, None
    if kind != r.kind:
        r.kind = kind
        changes.insert(0, "整改类型")
    return changes


# ---- the lifecycle ----------------------------------------------------------------------------------


def rectification_record_progress(
    *,
    actor: User,
    rectification: Rectification,
    note: str,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> ProgressUpdate:
    note = _require_text(note, "进展情况")
    with _files_removed_on_error() as stored, transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_record_progress(actor, r):
            raise ActionRefused("您无权填报该整改措施的进展。")
        target = _require_state(r, "progress")
        update = ProgressUpdate.objects.create(rectification=r, kind=ProgressKind.PROGRESS, note=note, author=actor)
        _store_evidence(rectification=r, update=update, files=files, actor=actor, stored=stored)
        r.status = target
        _save(r, actor=actor, reason="填报进展")
    return update


def rectification_submit(
    *,
    actor: User,
    rectification: Rectification,
    summary: str,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> Rectification:
    summary = _require_text(summary, "整改情况说明")
    with _files_removed_on_error() as stored, transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_submit_rectification(actor, r):
            raise ActionRefused("只有支部书记或责任人可以申请销号。")
        target = _require_state(r, "submit")
        if not files and not r.evidence.exists():
            raise ActionRefused("申请销号须至少上传一份佐证材料。")
        update = ProgressUpdate.objects.create(
            rectification=r, kind=ProgressKind.SUBMISSION, note=summary, author=actor
        )
        _store_evidence(rectification=r, update=update, files=files, actor=actor, stored=stored)
        r.status = target
        r.submitted_at = timezone.now()
        r.submitted_by = actor
        r.submission_summary = summary
        _save(r, actor=actor, reason="申请销号")
        _notify(
            list(r.finding.inspection.owners.all()),
            kind="submitted",
            title=f"待审核：{r.responsible_org} 申请销号“{r.headline}”",
            body=summary[:120],
            url=_url(r),
            actor=actor,
        )
    return r


def rectification_close(
    *,
    actor: User,
    rectification: Rectification,
    note: str,
    expected_version: int | None = None,
    effect: str = "",
) -> Rectification:
    """销号. ``effect`` is the reviewer's 整改成效 (实质整改 or 需持续跟进). A 长期坚持 measure is closed for its
    stage (阶段性销号，长期坚持): it stays on the 长期坚持 list with its period reports until staff end it."""
    note = _require_text(note, "核查意见")
    if effect and effect not in RectificationEffect.values:
        raise ActionRefused("请选择整改成效。")
    with transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_manage_rectification(actor, r):
            raise ActionRefused("您无权为该整改措施销号。")
        target = _require_state(r, "close")
        if r.submitted_by_id == actor.pk:
            raise ActionRefused("申请销号的人不能为自己的申请销号，请由其他党务工作人员审核。")
        r.status = target
        r.closed_at = timezone.now()
        r.closed_by = actor
        r.verification_note = note
        r.effect = effect
        label = "阶段性销号，长期坚持" if r.is_kept_up else "销号"
        _save(r, actor=actor, reason=f"{label}：{note}")
        _notify(
            _reporters(r),
            kind="closed",
            title=f"{'阶段性销号' if r.is_kept_up else '已销号'}：{r.headline}",
            body=f"{r.finding.inspection.title}：{r.measure[:80]}",
            url=_url(r),
            actor=actor,
        )
    return r


def rectification_return(
    *, actor: User, rectification: Rectification, reason: str, expected_version: int | None = None
) -> Rectification:
    reason = _require_text(reason, "退回原因")
    with transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_manage_rectification(actor, r):
            raise ActionRefused("您无权退回该整改措施。")
        target = _require_state(r, "return")
        r.status = target
        r.return_reason = reason
        _save(r, actor=actor, reason=f"退回：{reason}")
        _notify(
            _reporters(r),
            kind="returned",
            title=f"整改被退回：{r.headline}",
            body=reason[:120],
            url=_url(r),
            actor=actor,
        )
    return r


def rectification_reopen(
    *, actor: User, rectification: Rectification, reason: str, expected_version: int | None = None
) -> Rectification:
    """回头看: a later check finds the problem back; the measure reopens and so does its finding."""
    reason = _require_text(reason, "回头看原因")
    with transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_manage_rectification(actor, r):
            raise ActionRefused("您无权重新打开该整改措施。")
        target = _require_state(r, "reopen")
        r.status = target
        r.reopen_reason = reason
        r.closed_at = None
        r.closed_by = None
        r.effect = ""
        # A 长期坚持 measure found back is kept up again, whether or not staff had ended it.
        r.long_term_ended_at = None
        _save(r, actor=actor, reason=f"回头看：{reason}")
        _notify(
            _reporters(r),
            kind="reopened",
            title=f"回头看重新整改：{r.headline}",
            body=reason[:120],
            url=_url(r),
            actor=actor,
        )
    return r


# ---- 长期坚持 ---------------------------------------------------------------------------------------


def rectification_report_period(
    *,
    actor: User,
    rectification: Rectification,
    note: str,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> ProgressUpdate:
    """定期报告 of a 长期坚持 measure: a progress note marked as the report of the period holding today.

    Allowed while the measure is open and after its stage closure, until staff end it. The report owed next
    moves to the end of the following period, which is what the light and the reminders read.
    """
    note = _require_text(note, "报告内容")
    with _files_removed_on_error() as stored, transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_record_progress(actor, r):
            raise ActionRefused("您无权填报该整改措施的定期报告。")
        _require_state(r, "report_period")
        if not r.is_kept_up:
            raise ActionRefused("只有长期坚持的整改措施需要填报定期报告。")
        today = local_today()
        covered = period_end(today, r.report_cadence)
        update = ProgressUpdate.objects.create(
            rectification=r, kind=ProgressKind.PERIOD_REPORT, note=note, author=actor, period_end=covered
        )
        _store_evidence(rectification=r, update=update, files=files, actor=actor, stored=stored)
        if r.status == S.PENDING:
            r.status = S.IN_PROGRESS
        set_report_due(r, report_due_after(today, r.report_due_on, r.report_cadence))
        _save(r, actor=actor, reason=f"定期报告（截至{covered:%Y-%m-%d}）")
    return update


def rectification_end_long_term(
    *, actor: User, rectification: Rectification, reason: str, expected_version: int | None = None
) -> Rectification:
    """Staff end a 长期坚持 measure kept up after its stage closure: no more reports, lights or reminders."""
    reason = _require_text(reason, "结束理由")
    with transaction.atomic():
        r = _lock(rectification, expected_version)
        if not perms.can_manage_rectification(actor, r):
            raise ActionRefused("您无权结束该长期坚持措施。")
        _require_state(r, "end_long_term")
        if not r.is_kept_up:
            raise ActionRefused("该整改措施不是长期坚持中的措施。")
        r.long_term_ended_at = timezone.now()
        _save(r, actor=actor, reason=f"结束长期坚持：{reason}")
        _notify(
            _reporters(r),
            kind="closed",
            title=f"长期坚持已结束：{r.finding.inspection.title}",
            body=r.measure[:80],
            url=_url(r),
            actor=actor,
        )
    return r


# ---- 回头看 ------------------------------------------------------------------------------------------


def followup_schedule(
    *,
    actor: User,
    rectifications: Sequence[Rectification],
    inspector: User,
    due_date: datetime.date,
) -> list[FollowUpReview]:
    """安排回头看: one check task per closed measure, for ``inspector`` (staff over each measure) by ``due_date``.
    All or nothing: one measure that cannot be checked refuses the whole set, naming it."""
    if not rectifications:
        raise ActionRefused("请选择要回头看的已销号整改措施。")
    if due_date < local_today():
        raise ActionRefused("复查期限不能早于今天。")
    with transaction.atomic():
        locked = list(Rectification.objects.select_for_update().filter(pk__in=[r.pk for r in rectifications]))
        reviews = []
        for r in sorted(locked, key=lambda item: item.pk):
            if not perms.can_manage_rectification(actor, r):
                raise ActionRefused(f"“{r}”不在您的管理范围内。")
            if not perms.can_manage_rectification(inspector, r):
                raise ActionRefused(f"复查人“{inspector.display_name}”不是负责“{r.responsible_org}”的党务工作人员。")
            if r.status != S.CLOSED:
                raise ActionRefused(f"“{r}”尚未销号，不能回头看。")
            if r.follow_ups.filter(outcome=FollowUpOutcome.PENDING).exists():
                raise ActionRefused(f"“{r}”已有一项待完成的回头看。")
            reviews.append(
                FollowUpReview.objects.create(rectification=r, inspector=inspector, due_date=due_date, created_by=actor)
            )
        _notify(
            [inspector],
            kind="follow_up",
            title=f"回头看任务：{len(reviews)} 项已销号整改措施",
            body=f"请于 {due_date:%Y-%m-%d} 前完成复查并填写结论。",
            # The inspector's task list, where each check's outcome form is.
            url=reverse("rectifications:followup_mine"),
            actor=actor,
        )
    return reviews


def followup_record(*, actor: User, review: FollowUpReview, outcome: str, note: str) -> FollowUpReview:
    """回头看结论. 整改到位 closes the task; 问题反弹 also reopens the measure (as ``rectification_reopen``), so
    its finding opens again and counts as 反弹 (``relapsed_q``)."""
    note = _require_text(note, "复查情况")
    if outcome not in (FollowUpOutcome.RECTIFIED, FollowUpOutcome.RELAPSED):
        raise ActionRefused("请选择复查结论：整改到位或问题反弹。")
    with transaction.atomic():
        locked = FollowUpReview.objects.select_for_update().select_related("rectification").get(pk=review.pk)
        if locked.outcome != FollowUpOutcome.PENDING:
            raise ActionRefused(f"该回头看已有结论（{locked.get_outcome_display()}）。")
        if not perms.can_manage_rectification(actor, locked.rectification):
            raise ActionRefused("您无权填写该回头看的结论。")
        if outcome == FollowUpOutcome.RELAPSED:
            rectification_reopen(actor=actor, rectification=locked.rectification, reason=f"问题反弹：{note}")
        locked.outcome = outcome
        locked.note = note
        locked.decided_at = timezone.now()
        locked.save()
    return locked


# ---- extensions -------------------------------------------------------------------------------------


def extension_request(
    *,
    actor: User,
    rectification: Rectification,
    new_due_date: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> ExtensionRequest:
    reason = _require_text(reason, "延期理由")
    with transaction.atomic():
        # A form loaded before the deadline moved asks for the wrong date: refuse it like any stale edit.
        r = _lock(rectification, expected_version)
        if not perms.can_request_extension(actor, r):
            raise ActionRefused("只有支部书记或责任人可以申请延期。")
        _require_state(r, "request_extension")
        if not r.has_deadline:
            raise ActionRefused("长期坚持的整改措施没有整改时限，按报告周期报告进展即可，无需申请延期。")
        if new_due_date <= r.due_date:
            raise ActionRefused(f"申请的新时限须晚于当前整改时限（{r.due_date:%Y-%m-%d}）。")
        if new_due_date < local_today():
            raise ActionRefused("申请的新时限不能早于今天。")
        if r.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
            raise ActionRefused("已有一份延期申请等待审批，请等待审批结果。")
        extension = ExtensionRequest.objects.create(
            rectification=r,
            previous_due_date=r.due_date,
            requested_due_date=new_due_date,
            reason=reason,
            requested_by=actor,
        )
        _notify(
            list(r.finding.inspection.owners.all()),
            kind="extension_requested",
            title=f"延期申请：{r.responsible_org}“{r.headline}”",
            body=f"申请延至 {new_due_date:%Y-%m-%d}：{reason[:80]}",
            url=_url(r),
            actor=actor,
        )
    return extension


def extension_decide(*, actor: User, extension: ExtensionRequest, approve: bool, note: str = "") -> ExtensionRequest:
    with transaction.atomic():
        ext = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        r = _lock(ext.rectification, None)
        if not perms.can_manage_rectification(actor, r):
            raise ActionRefused("您无权审批该延期申请。")
        if ext.status != ExtensionStatus.PENDING:
            who = ext.decided_by.display_name if ext.decided_by else "他人"
            raise ActionRefused(f"该延期申请已由 {who} 审批（{ext.get_status_display()}）。")
        if not approve and not note.strip():
            raise ActionRefused("不批准延期时请填写理由。")
        if approve and r.status == S.CLOSED:
            raise ActionRefused("该整改措施已销号，无需延期。")
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        ext.decided_by = actor
        ext.decided_at = timezone.now()
        ext.decision_note = note.strip()
        ext.save()
        if approve:
            r.due_date = ext.requested_due_date
            if r.stage_due_date is not None:
                r.stage_due_date = r.due_date
            r.warn_from = compute_warn_from(min(local_date(r.created_at), r.due_date), r.due_date)
            _save(r, actor=actor, reason=f"批准延期至 {r.due_date:%Y-%m-%d}")
        _notify(
            [ext.requested_by],
            kind="extension_decided",
            title=f"延期申请{ext.get_status_display()}：{r.headline}",
            body=(f"新的整改时限：{ext.requested_due_date:%Y-%m-%d}" if approve else note.strip())[:120],
            url=_url(r),
            actor=actor,
        )
    return ext


# ---- 督办 -------------------------------------------------------------------------------------------


def escalation_create(*, actor: User, rectification: Rectification, instruction: str) -> Escalation:
    """A leader presses on a lagging measure. Recorded in its timeline and sent to the people on it."""
    instruction = _require_text(instruction, "督办要求")
    if not perms.can_escalate(actor, rectification):
        raise ActionRefused("您无权督办该整改措施。")
    if rectification.is_closed:
        raise ActionRefused("该整改措施已销号，无需督办。")
    with transaction.atomic():
        escalation = Escalation.objects.create(
            rectification=rectification,
            organization=rectification.responsible_org,
            instruction=instruction,
            created_by=actor,
        )
        _notify(
            [*_reporters(rectification), rectification.responsible_leader],
            kind="escalation",
            title=f"督办：{rectification.headline}",
            body=f"{actor.display_name}：{instruction[:120]}",
            url=_url(rectification),
            actor=actor,
        )
    return escalation


def escalation_create_for_organization(
    *, actor: User, organization: Organization, instruction: str
) -> list[Escalation]:
    """A leader presses a lagging branch (from the dashboard): one 督办 on each of its open overdue measures,
    so every measure's timeline shows it, and one message per person rather than one per measure."""
    instruction = _require_text(instruction, "督办要求")
    if not perms.can_escalate_organization(actor, organization):
        raise ActionRefused("您无权督办该党组织。")
    with transaction.atomic():
        overdue = list(
            Rectification.objects.overdue()
            .filter(responsible_org=organization)
            .select_related("assignee", "responsible_leader")
            .order_by("due_date", "id")
        )
        if not overdue:
            raise ActionRefused(f"“{organization}”目前没有逾期未销号的整改措施，无需督办。")
        escalations = Escalation.objects.bulk_create(
            [
                Escalation(rectification=r, organization=organization, instruction=instruction, created_by=actor)
                for r in overdue
            ]
        )
        title = f"督办：{organization} 有 {len(overdue)} 项整改措施逾期"
        body = f"{actor.display_name}：{instruction[:120]}"
        reporters = [*secretaries_of(organization), *(r.assignee for r in overdue)]
        _notify(
            reporters, kind="escalation", title=title, body=body, url=reverse("rectifications:my_branch"), actor=actor
        )
        told = {u.pk for u in reporters}
        leaders = [
            r.responsible_leader for r in overdue if r.responsible_leader and r.responsible_leader.pk not in told
        ]
        register = reverse("rectifications:list") + f"?organization={organization.pk}&overdue=1"
        _notify(leaders, kind="escalation", title=title, body=body, url=register, actor=actor)
    return escalations
