"""Writes for inspections and findings. Each checks permission and records who did it and why."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Min

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused, StaleEdit
from partyreview.inspections.models import Category, Finding, FindingSource, Inspection
from partyreview.inspections.permissions import can_create_inspection, can_manage_finding, can_manage_inspection
from partyreview.organizations.models import Organization


def default_report_due_date(feedback_date: datetime.date | None) -> datetime.date | None:
    """整改报告期限: two calendar months after the feedback date (巡视工作条例 art. 27)."""
    if feedback_date is None:
        return None
    month = feedback_date.month + 2
    year = feedback_date.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (feedback_date.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _check_inspection(inspection: Inspection, inspected: Iterable[Organization]) -> None:
    """The rules of an inspection's dates and scope; the form shows the same refusals beside its fields."""
    start, end, feedback = inspection.start_date, inspection.end_date, inspection.feedback_date
    if start and end and end < start:
        raise ActionRefused("结束日期不能早于开始日期。")
    if start and feedback and feedback < start:
        raise ActionRefused("反馈日期不能早于开始日期。")
    if feedback and inspection.report_due_date and inspection.report_due_date < feedback:
        raise ActionRefused("整改报告期限不能早于反馈日期。")
    submitted = inspection.report_submitted_on
    if submitted and submitted > local_today():
        raise ActionRefused("整改报告报送日期不能晚于今天。")
    if submitted and submitted < (feedback or start):
        raise ActionRefused(f"整改报告报送日期不能早于{'反馈' if feedback else '开始'}日期。")
    outside = [org.name for org in inspected if not org.is_within(inspection.inspecting_org)]
    if outside:
        raise ActionRefused(f"被检查党组织“{'、'.join(outside)}”不在“{inspection.inspecting_org}”的范围内。")


def inspection_create(
    *,
    actor: User,
    title: str,
    kind: str,
    inspecting_org: Organization,
    inspected_orgs: Iterable[Organization],
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    feedback_date: datetime.date | None = None,
    report_due_date: datetime.date | None = None,
    report_submitted_on: datetime.date | None = None,
    notes: str = "",
    owners: Iterable[User] = (),
) -> Inspection:
    if not can_create_inspection(actor, inspecting_org):
        raise ActionRefused("您无权以该党组织名义创建检查。")
    inspected = list(inspected_orgs)
    with transaction.atomic():
        inspection = Inspection(
            title=title,
            kind=kind,
            inspecting_org=inspecting_org,
            start_date=start_date,
            end_date=end_date,
            feedback_date=feedback_date,
            report_due_date=report_due_date or default_report_due_date(feedback_date),
            report_submitted_on=report_submitted_on,
            notes=notes,
            created_by=actor,
        )
        _check_inspection(inspection, inspected)
        inspection._history_user = actor
        inspection._change_reason = "创建检查"
        inspection.save()
        inspection.inspected_orgs.set(inspected)
        inspection.owners.set(list(owners) or [actor])
    return inspection


def inspection_update(
    *, actor: User, inspection: Inspection, owners: Iterable[User] | None = None, **fields
) -> Inspection:
    if not can_manage_inspection(actor, inspection):
        raise ActionRefused("您无权修改该检查。")
    inspected = fields.pop("inspected_orgs", None)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(inspection, name, value)
        if "feedback_date" in fields and "report_due_date" not in fields:
            inspection.report_due_date = default_report_due_date(inspection.feedback_date)
        _check_inspection(inspection, inspected if inspected is not None else inspection.inspected_orgs.all())
        inspection._history_user = actor
        inspection._change_reason = "修改检查"
        inspection.save()
        if inspected is not None:
            inspection.inspected_orgs.set(inspected)
        if owners is not None:
            inspection.owners.set(owners)
    return inspection


def _next_sequence(inspection: Inspection) -> int:
    # Lock the inspection row so two staff filing at once never get the same sequence number.
    Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
    current = Finding.objects.filter(inspection=inspection).aggregate(m=Max("sequence"))["m"] or 0
    return current + 1


def finding_create(
    *,
    actor: User,
    inspection: Inspection,
    organization: Organization,
    category: Category,
    description: str,
    found_on: datetime.date,
    severity: str = "minor",
    basis: str = "",
    source: str = FindingSource.MANUAL,
    sequence: int | None = None,
) -> Finding:
    """Create one finding. Callers that also create its measures wrap both in one transaction."""
    if not can_manage_finding(actor, organization):
        raise ActionRefused(f"党组织“{organization}”不在您的管理范围内。")
    if not organization.is_within(inspection.inspecting_org):
        raise ActionRefused(f"党组织“{organization}”不在本次检查的范围内。")
    if not description.strip():
        raise ActionRefused("问题描述不能为空。")
    _check_found_on(found_on)
    with transaction.atomic():
        if sequence is None:
            sequence = _next_sequence(inspection)
        elif Finding.objects.filter(inspection=inspection, sequence=sequence).exists():
            raise ActionRefused(f"本次检查已有序号为 {sequence} 的问题。")
        finding = Finding(
            inspection=inspection,
            sequence=sequence,
            organization=organization,
            category=category,
            severity=severity,
            description=description.strip(),
            basis=basis.strip(),
            found_on=found_on,
            source=source,
            created_by=actor,
        )
        finding._history_user = actor
        finding._change_reason = "录入问题"
        finding.save()
        # Only when it is new: add() records the inspection's history (and copies all its inspected
        # organisations into it) even for an organisation already there, which made importing 5,000
        # findings quadratic (docs/performance.md).
        if not inspection.inspected_orgs.filter(pk=organization.pk).exists():
            inspection.inspected_orgs.add(organization)
    return finding


def _check_found_on(found_on: datetime.date) -> None:
    if found_on > local_today():
        raise ActionRefused("发现日期不能晚于今天。")


def _check_finding_against_measures(finding: Finding) -> None:
    """A finding's measures stay within its organisation and no measure is due before it was found. Read
    through the reverse relation: this app does not import the rectifications below which it stands."""
    measures = finding.rectifications.all()
    outside = sorted(
        {
            name
            for path, name in measures.values_list("responsible_org__path", "responsible_org__name")
            if not path.startswith(finding.organization.path)
        }
    )
    if outside:
        raise ActionRefused(
            f"该问题的整改措施由“{'、'.join(outside)}”负责，不在“{finding.organization}”之下，不能改到该党组织。"
        )
    earliest = measures.aggregate(earliest=Min("due_date"))["earliest"]
    if earliest and finding.found_on > earliest:
        raise ActionRefused(f"已有整改措施的时限为 {earliest:%Y-%m-%d}，发现日期不能晚于它。")


EDITABLE_FINDING_FIELDS = frozenset({"organization", "category", "severity", "description", "basis", "found_on"})


def _lock_finding(finding: Finding, expected_version: int | None) -> Finding:
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if expected_version is not None and locked.version != expected_version:
        last = locked.history.select_related("history_user").first()
        who = last.history_user if last and last.history_user else "他人"
        raise StaleEdit(f"该问题已被 {who} 修改（{last.history_change_reason if last else ''}），请刷新页面后再提交。")
    return locked


def finding_update(*, actor: User, finding: Finding, expected_version: int | None = None, **fields) -> Finding:
    unknown = set(fields) - EDITABLE_FINDING_FIELDS
    if unknown:
        raise ActionRefused(f"不能修改字段：{', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _lock_finding(finding, expected_version)
        if not can_manage_finding(actor, locked.organization):
            raise ActionRefused("您无权修改该问题。")
        if "organization" in fields and not can_manage_finding(actor, fields["organization"]):
            raise ActionRefused(f"党组织“{fields['organization']}”不在您的管理范围内。")
        for name, value in fields.items():
            setattr(locked, name, value)
        if "found_on" in fields:
            _check_found_on(locked.found_on)
        if {"organization", "found_on"} & fields.keys():
            _check_finding_against_measures(locked)
        if "description" in fields and not locked.description.strip():
            raise ActionRefused("问题描述不能为空。")
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = "修改问题"
        locked.save()
    return locked


def finding_archive(*, actor: User, finding: Finding, reason: str, expected_version: int | None = None) -> Finding:
    """Archive instead of delete: the finding leaves the lists but its record and history stay."""
    if not reason.strip():
        raise ActionRefused("请填写归档原因。")
    with transaction.atomic():
        locked = _lock_finding(finding, expected_version)
        if not can_manage_finding(actor, locked.organization):
            raise ActionRefused("您无权归档该问题。")
        if locked.is_archived:
            raise ActionRefused("该问题已归档。")
        locked.is_archived = True
        locked.archive_reason = reason.strip()
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = f"归档：{reason.strip()}"
        locked.save()
    return locked
