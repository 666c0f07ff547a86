"""Writes of the records a branch keeps: meetings, the roster, the dues ledger, and (by staff) its terms.

Each service checks the permission, validates, and either saves everything or raises ActionRefused with
a Chinese message and saves nothing.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused, StaleEdit
from partyreview.organizations.models import Organization
from partyreview.orglife import imports
from partyreview.orglife import permissions as perms
from partyreview.orglife.models import (
    DuesPayment,
    MeetingEvidence,
    MeetingRecord,
    MeetingRecordType,
    MeetingType,
    MemberCategory,
    MemberStatus,
    PartyMember,
    TermExtension,
)
from partyreview.orglife.rules import RuleCode, add_months, month_start
from partyreview.orglife.selectors import GENERATION, RuleBook, base_term_end
from partyreview.rectifications.evidence import CheckedFile, check_upload


def require_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused(f"请填写{label}。")
    return value


# ---- meetings -----------------------------------------------------------------------------------------


def _check_meeting(
    *,
    types: Sequence[str],
    held_at: datetime.datetime,
    topic: str,
    speaker: str,
    expected_count: int,
    present_count: int,
) -> tuple[list[str], str, str]:
    chosen = [t for t in MeetingType.values if t in set(types)]
    if not chosen or len(set(types)) != len(chosen):
        raise ActionRefused("请至少选择一种会议类型。")
    if held_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ActionRefused("召开时间不能晚于现在：这里记录已经召开的会议。")
    topic = require_text(topic, "会议主题")
    speaker = (speaker or "").strip()
    if MeetingType.PARTY_LECTURE in chosen and not speaker:
        raise ActionRefused("党课须填写主讲人。")
    if expected_count < 1:
        raise ActionRefused("应到人数至少为 1。")
    if present_count < 0 or present_count > expected_count:
        raise ActionRefused("实到人数不能多于应到人数。")
    return chosen, topic, speaker


def _store_meeting_evidence(*, meeting: MeetingRecord, files: Sequence[CheckedFile], actor: User) -> None:
    for checked in files:
        item = MeetingEvidence(
            meeting=meeting,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        item.file.save(checked.original_name, checked.upload, save=False)
        item.save()


def meeting_record(
    *,
    actor: User,
    organization: Organization,
    types: Sequence[str],
    held_at: datetime.datetime,
    topic: str,
    expected_count: int,
    present_count: int,
    minutes: str = "",
    speaker: str = "",
    files: Sequence[UploadedFile] = (),
) -> MeetingRecord:
    """Record a meeting the branch held. One meeting may count for several types."""
    if not perms.can_keep_records(actor, organization):
        raise ActionRefused(f"您无权为“{organization}”记录组织生活。")
    chosen, topic, speaker = _check_meeting(
        types=types,
        held_at=held_at,
        topic=topic,
        speaker=speaker,
        expected_count=expected_count,
        present_count=present_count,
    )
    checked = [check_upload(f) for f in files]  # every file is checked before anything is written
    with transaction.atomic():
        meeting = MeetingRecord(
            organization=organization,
            held_at=held_at,
            topic=topic,
            speaker=speaker,
            expected_count=expected_count,
            present_count=present_count,
            minutes=(minutes or "").strip(),
            recorded_by=actor,
        )
        meeting._history_user = actor
        meeting._change_reason = "记录组织生活"
        meeting.save()
        MeetingRecordType.objects.bulk_create([MeetingRecordType(meeting=meeting, type=t) for t in chosen])
        generations.bump(GENERATION)
        _store_meeting_evidence(meeting=meeting, files=checked, actor=actor)
    return meeting


def meeting_update(
    *,
    actor: User,
    meeting: MeetingRecord,
    types: Sequence[str],
    held_at: datetime.datetime,
    topic: str,
    expected_count: int,
    present_count: int,
    minutes: str = "",
    speaker: str = "",
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> MeetingRecord:
    """Correct a record. Files are only ever added; the history keeps what it said before."""
    chosen, topic, speaker = _check_meeting(
        types=types,
        held_at=held_at,
        topic=topic,
        speaker=speaker,
        expected_count=expected_count,
        present_count=present_count,
    )
    checked = [check_upload(f) for f in files]
    with transaction.atomic():
        locked = MeetingRecord.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if not perms.can_edit_meeting(actor, locked):
            raise ActionRefused("您无权修改该组织生活记录。")
        if expected_version is not None and locked.version != expected_version:
            raise StaleEdit("该记录已被他人修改，您的内容未保存，请刷新页面后再修改。")
        locked.held_at = held_at
        locked.topic = topic
        locked.speaker = speaker
        locked.expected_count = expected_count
        locked.present_count = present_count
        locked.minutes = (minutes or "").strip()
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = "修改组织生活记录"
        locked.save()
        locked.type_rows.exclude(type__in=chosen).delete()
        have = set(locked.type_rows.values_list("type", flat=True))
        MeetingRecordType.objects.bulk_create(
            [MeetingRecordType(meeting=locked, type=t) for t in chosen if t not in have]
        )
        generations.bump(GENERATION)
        _store_meeting_evidence(meeting=locked, files=checked, actor=actor)
    return locked


def meeting_void(*, actor: User, meeting: MeetingRecord, reason: str) -> MeetingRecord:
    """作废: a record entered in error stops counting but is kept with the reason."""
    reason = require_text(reason, "作废原因")
    with transaction.atomic():
        locked = MeetingRecord.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if not perms.can_keep_records(actor, locked.organization):
            raise ActionRefused("您无权作废该组织生活记录。")
        if locked.is_void:
            raise ActionRefused("该记录已作废。")
        locked.is_void = True
        locked.void_reason = reason[:200]
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = f"作废：{reason[:90]}"
        locked.save()
    return locked


# ---- the roster ---------------------------------------------------------------------------------------


def default_dues_from(joined_on: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """党费起算月份 when none is given: the month of joining (a probationary member owes dues from the
    month the branch assembly admits them), but never before January of the year the member is
    registered, since the ledger holds nothing earlier (docs/decisions/orglife-rules.md)."""
    today = today or local_today()
    return max(month_start(joined_on), datetime.date(today.year, 1, 1))


def _check_member(*, name: str, category: str, status: str, joined_on: datetime.date | None) -> str:
    name = require_text(name, "姓名")
    if len(name) > 50:
        raise ActionRefused("姓名过长。")
    if category not in MemberCategory.values:
        raise ActionRefused("党员类别须为正式党员或预备党员。")
    if status not in MemberStatus.values:
        raise ActionRefused("党员状态无效。")
    if joined_on is None:
        raise ActionRefused("请填写入党日期。")
    if joined_on > local_today():
        raise ActionRefused("入党日期不能晚于今天。")
    return name


def member_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    joined_on: datetime.date,
    category: str = MemberCategory.FORMAL,
    status: str = MemberStatus.ACTIVE,
    dues_from: datetime.date | None = None,
    dues_exempt: bool = False,
    note: str = "",
) -> PartyMember:
    if not perms.can_keep_records(actor, organization):
        raise ActionRefused(f"您无权维护“{organization}”的党员名册。")
    name = _check_member(name=name, category=category, status=status, joined_on=joined_on)
    if PartyMember.objects.filter(organization=organization, name=name).exists():
        raise ActionRefused(f"名册中已有“{name}”。同名党员请在姓名后加注以示区分。")
    member = PartyMember(
        organization=organization,
        name=name,
        category=category,
        joined_on=joined_on,
        status=status,
        dues_from=month_start(dues_from) if dues_from else default_dues_from(joined_on),
        dues_exempt=dues_exempt,
        note=(note or "").strip(),
    )
    member._history_user = actor
    member._change_reason = "登记党员"
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ActionRefused(f"名册中已有“{name}”。") from exc
    return member


MEMBER_FIELDS = frozenset({"name", "category", "joined_on", "status", "dues_from", "dues_exempt", "note"})


def member_update(*, actor: User, member: PartyMember, **fields: object) -> PartyMember:
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise ActionRefused(f"不能修改字段：{', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = PartyMember.objects.select_for_update().select_related("organization").get(pk=member.pk)
        if not perms.can_keep_records(actor, locked.organization):
            raise ActionRefused("您无权修改该党员信息。")
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.name = _check_member(
            name=locked.name, category=locked.category, status=locked.status, joined_on=locked.joined_on
        )
        locked.dues_from = month_start(locked.dues_from)
        if (
            PartyMember.objects.filter(organization=locked.organization, name=locked.name)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ActionRefused(f"名册中已有“{locked.name}”。")
        locked._history_user = actor
        locked._change_reason = "修改党员信息"
        locked.save()
    return locked


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int = 0
    skipped: int = 0


def members_import(*, actor: User, organization: Organization, upload: UploadedFile) -> ImportResult:
    """Import the roster from .xlsx: new names are added, known names updated; all rows or none."""
    if not perms.can_keep_records(actor, organization):
        raise ActionRefused(f"您无权维护“{organization}”的党员名册。")
    rows = imports.read_sheet(upload, imports.MEMBER_COLUMNS, imports.MEMBER_REQUIRED)
    categories = {label: value for value, label in MemberCategory.choices}
    statuses = {label: value for value, label in MemberStatus.choices}
    errors: list[str] = []
    parsed: dict[str, dict] = {}
    for row in rows:
        v = row.values
        where = f"第{row.number}行"
        name = imports.text(v.get("姓名"))
        if not name:
            errors.append(f"{where}未填姓名")
            continue
        if name in parsed:
            errors.append(f"{where}姓名“{name}”与前面的行重复")
            continue
        category = categories.get(imports.text(v.get("类别")) or MemberCategory.FORMAL.label)
        status = statuses.get(imports.text(v.get("状态")) or MemberStatus.ACTIVE.label)
        if category is None:
            errors.append(f"{where}类别须为正式党员或预备党员")
        if status is None:
            errors.append(f"{where}状态须为在支部、已转出、离退休或流动党员")
        try:
            joined_on = imports.parse_date(v.get("入党日期"))
            dues_from = imports.parse_month(v.get("党费起算月份"))
        except ValueError:
            errors.append(f"{where}日期格式不正确（如 2015-07-01）")
            continue
        if joined_on is None:
            errors.append(f"{where}未填入党日期")
            continue
        if joined_on > local_today():
            errors.append(f"{where}入党日期晚于今天")
        exempt_text = imports.text(v.get("免交党费"))
        if exempt_text not in ("", "是", "否"):
            errors.append(f"{where}免交党费须填“是”或“否”")
        parsed[name] = {
            "category": category,
            "status": status,
            "joined_on": joined_on,
            "dues_from": dues_from,
            "dues_exempt": exempt_text == "是",
            "note": imports.text(v.get("备注"))[:200],
        }
    if not parsed and not errors:
        errors.append("文件中没有党员数据")
    imports.refuse_with(errors)
    existing = {m.name: m for m in PartyMember.objects.filter(organization=organization, name__in=list(parsed))}
    created = updated = 0
    with transaction.atomic():
        for name, data in parsed.items():
            member = existing.get(name)
            if member is None:
                member = PartyMember(organization=organization, name=name)
                created += 1
                member._change_reason = "导入党员名册"
            else:
                updated += 1
                member._change_reason = "导入党员名册（更新）"
            member.category = data["category"]
            member.status = data["status"]
            member.joined_on = data["joined_on"]
            member.dues_exempt = data["dues_exempt"]
            member.note = data["note"]
            if data["dues_from"] is not None:
                member.dues_from = data["dues_from"]
            elif member.pk is None:
                member.dues_from = default_dues_from(data["joined_on"])
            member._history_user = actor
            member.save()
    return ImportResult(created=created, updated=updated)


# ---- dues ---------------------------------------------------------------------------------------------


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """An amount paid for several months, split into monthly amounts that add up to it exactly."""
    each = (amount / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = add_months(month, 1)
    return months


MAX_MONTHS_AT_ONCE = 24


def dues_record(
    *,
    actor: User,
    member: PartyMember,
    first_month: datetime.date,
    amount: Decimal,
    paid_on: datetime.date,
    last_month: datetime.date | None = None,
) -> list[DuesPayment]:
    """Record dues paid for one month, or several paid together (also months paid in advance)."""
    if not perms.can_keep_records(actor, member.organization):
        raise ActionRefused("您无权登记该党员的党费。")
    months = _months(first_month, last_month or first_month)
    if not months:
        raise ActionRefused("截止月份不能早于起始月份。")
    if len(months) > MAX_MONTHS_AT_ONCE:
        raise ActionRefused(f"一次最多登记 {MAX_MONTHS_AT_ONCE} 个月。")
    if amount is None or amount < 0:
        raise ActionRefused("金额不能为负数。")
    if paid_on > local_today():
        raise ActionRefused("交纳日期不能晚于今天。")
    taken = set(DuesPayment.objects.filter(member=member, month__in=months).values_list("month", flat=True))
    if taken:
        shown = "、".join(f"{m:%Y-%m}" for m in sorted(taken))
        raise ActionRefused(f"{member.name} 已登记过 {shown} 的党费，请勿重复登记。")
    rows = [
        DuesPayment(member=member, month=m, amount=part, paid_on=paid_on, recorded_by=actor)
        for m, part in zip(months, _split(amount, len(months)), strict=True)
    ]
    try:
        with transaction.atomic():
            DuesPayment.objects.bulk_create(rows)
            generations.bump(GENERATION)
    except IntegrityError as exc:
        raise ActionRefused("这些月份刚刚已被登记，请刷新后查看。") from exc
    return rows


def dues_import(*, actor: User, organization: Organization, upload: UploadedFile) -> ImportResult:
    """Import dues from .xlsx. Months already recorded are skipped, so importing a file twice is harmless."""
    if not perms.can_keep_records(actor, organization):
        raise ActionRefused(f"您无权登记“{organization}”的党费。")
    rows = imports.read_sheet(upload, imports.DUES_COLUMNS, imports.DUES_REQUIRED)
    members = {m.name: m for m in PartyMember.objects.filter(organization=organization)}
    errors: list[str] = []
    planned: list[DuesPayment] = []
    seen: set[tuple[int, datetime.date]] = set()
    for row in rows:
        v = row.values
        where = f"第{row.number}行"
        name = imports.text(v.get("姓名"))
        member = members.get(name)
        if member is None:
            errors.append(f"{where}名册中没有“{name}”" if name else f"{where}未填姓名")
            continue
        try:
            first = imports.parse_month(v.get("起始月份"))
            last = imports.parse_month(v.get("截止月份")) or first
            paid_on = imports.parse_date(v.get("交纳日期"))
            amount = imports.parse_amount(v.get("金额"))
        except ValueError:
            errors.append(f"{where}月份、日期或金额格式不正确")
            continue
        if first is None or paid_on is None:
            errors.append(f"{where}未填起始月份或交纳日期")
            continue
        months = _months(first, last)
        if not months or len(months) > MAX_MONTHS_AT_ONCE:
            errors.append(f"{where}月份范围不正确（最多 {MAX_MONTHS_AT_ONCE} 个月）")
            continue
        if paid_on > local_today():
            errors.append(f"{where}交纳日期晚于今天")
            continue
        for month, part in zip(months, _split(amount, len(months)), strict=True):
            if (member.pk, month) in seen:
                errors.append(f"{where}{name} {month:%Y-%m} 在文件中重复")
                continue
            seen.add((member.pk, month))
            planned.append(DuesPayment(member=member, month=month, amount=part, paid_on=paid_on, recorded_by=actor))
    imports.refuse_with(errors)
    taken = set(DuesPayment.objects.filter(member__organization=organization).values_list("member_id", "month"))
    new = [p for p in planned if (p.member.pk, p.month) not in taken]
    with transaction.atomic():
        # ignore_conflicts: a payment recorded by hand at the same moment is kept, not doubled.
        DuesPayment.objects.bulk_create(new, ignore_conflicts=True)
        generations.bump(GENERATION)
    return ImportResult(created=len(new), skipped=len(planned) - len(new))


# ---- terms --------------------------------------------------------------------------------------------


def term_record_election(
    *, actor: User, organization: Organization, elected_on: datetime.date, term_years: int
) -> Organization:
    """换届: a new committee elected; the new term runs ``term_years`` from the election."""
    if not perms.can_record_term(actor, organization):
        raise ActionRefused(f"您无权登记“{organization}”的换届。")
    if not 1 <= term_years <= 10:
        raise ActionRefused("任期年限须在 1 至 10 年之间。")
    if elected_on > local_today():
        raise ActionRefused("换届日期不能晚于今天。")
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        locked.term_start = elected_on
        locked.term_end = add_months(elected_on, 12 * term_years)
        locked._history_user = actor
        locked._change_reason = f"登记换届：{elected_on:%Y-%m-%d} 起任期 {term_years} 年"
        locked.save()
    return locked


def term_extension_record(
    *,
    actor: User,
    organization: Organization,
    extended_to: datetime.date,
    approved_on: datetime.date,
    reason: str,
    approval_ref: str = "",
    term_years: int | None = None,
) -> TermExtension:
    """An extension of the current term approved by the higher organisation (延期换届)."""
    if not perms.can_record_term(actor, organization):
        raise ActionRefused(f"您无权登记“{organization}”的延期换届。")
    reason = require_text(reason, "延期理由")
    years = term_years or RuleBook.load().config(organization.kind, RuleCode.TERM_ENDING).term_years
    base = base_term_end(organization, years)
    if base is None:
        raise ActionRefused("该党组织尚未登记本届任期，请先登记换届日期。")
    if extended_to <= base:
        raise ActionRefused(f"延期后的日期须晚于本届任期届满日期（{base:%Y-%m-%d}）。")
    if approved_on > local_today():
        raise ActionRefused("批准日期不能晚于今天。")
    return TermExtension.objects.create(
        organization=organization,
        term_end=base,
        extended_to=extended_to,
        approved_on=approved_on,
        approval_ref=(approval_ref or "").strip(),
        reason=reason,
        recorded_by=actor,
    )
