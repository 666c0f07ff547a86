"""Writes of the nightly rule check and of the staff's decisions on its suggestions."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.accounts.services import notification_create
from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category, FindingSource, Inspection, InspectionKind, Severity
from partyreview.inspections.permissions import can_manage_inspection
from partyreview.inspections.services import inspection_create
from partyreview.organizations.models import Membership, Organization
from partyreview.organizations.permissions import grants_of, is_admin
from partyreview.organizations.selectors import ancestors
from partyreview.orglife import permissions as perms
from partyreview.orglife.models import Breach, BreachStatus
from partyreview.orglife.rules import TERM_RULES
from partyreview.orglife.selectors import GENERATION, Checker
from partyreview.orglife.services.records import require_text
from partyreview.rectifications.services import MeasureInput, finding_file

AUTO_INSPECTION_TITLE = "组织生活自动检查（{year}年）"


# ---- the nightly check --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    as_of: datetime.date
    organizations: int
    breaches: int  # breaches found this run, new or already known
    created: int  # new suggestions written


def org_life_check(*, as_of: datetime.date | None = None, lookback: int = 1, notify: bool = True) -> CheckResult:
    """Check every active organisation against the rules and raise a suggestion per new breach.

    At most one suggestion per (organisation, rule, period): known ones, including dismissed ones, are
    left alone, and the unique constraint makes a concurrent second run harmless. A fixed number of
    queries whatever the number of organisations.
    """
    as_of = as_of or local_today()
    checker = Checker(Organization.objects.all(), as_of)
    found = [v for v in checker.completed_verdicts(lookback) if v.is_breach]
    if not found:
        return CheckResult(as_of=as_of, organizations=len(checker.organizations), breaches=0, created=0)
    earliest = min((v.period_start for v in found if v.rule not in TERM_RULES), default=as_of)
    known = set(
        Breach.objects.filter(Q(period_end__gte=earliest) | Q(rule__in=TERM_RULES)).values_list(
            "organization_id", "rule", "period_key"
        )
    )
    categories = {c.code: c for c in Category.objects.filter(code__in={v.config.rule.category for v in found})}
    now = timezone.now()
    new = [
        Breach(
            organization=v.organization,
            rule=v.rule,
            period_key=v.period_key,
            period_label=v.period_label,
            period_start=v.period_start,
            period_end=v.period_end,
            light=v.light,
            category=categories[v.config.rule.category],
            description=v.description,
            basis=v.config.rule.basis[:200],
            detected_at=now,
        )
        for v in found
        if v.key not in known and v.config.rule.category in categories
    ]
    with transaction.atomic():
        Breach.objects.bulk_create(new, ignore_conflicts=True)
        generations.bump(GENERATION)
    created = Breach.objects.filter(detected_at=now).count() if new else 0
    if notify and created:
        _notify_staff(now)
    return CheckResult(as_of=as_of, organizations=len(checker.organizations), breaches=len(found), created=created)


def _notify_staff(detected_at: datetime.datetime) -> None:
    """One notification per staff member covering the organisations with new suggestions."""
    paths = list(Breach.objects.filter(detected_at=detected_at).values_list("organization__path", flat=True))
    staff = (
        Membership.objects.filter(role=Role.STAFF, user__is_active=True)
        .select_related("user", "organization")
        .order_by("user_id")
    )
    counts: dict[int, int] = defaultdict(int)
    users: dict[int, User] = {}
    for grant in staff:
        users[grant.user_id] = grant.user
        counts[grant.user_id] = max(
            counts[grant.user_id], sum(1 for p in paths if p.startswith(grant.organization.path))
        )
    url = reverse("orglife:breach_list")
    by_count: dict[int, list[User]] = defaultdict(list)
    for user_id, count in counts.items():
        if count:
            by_count[count].append(users[user_id])
    for count, recipients in by_count.items():
        notification_create(
            recipients=recipients,
            kind="orglife_breach",
            title=f"组织生活检查：{count} 条建议问题待确认",
            body="夜间检查发现“三会一课”、党费或换届方面的问题，请确认或驳回。",
            url=url,
        )


# ---- decisions on suggestions -------------------------------------------------------------------------


def _lock_breach(breach: Breach) -> Breach:
    locked = Breach.objects.select_for_update().select_related("organization", "category").get(pk=breach.pk)
    if locked.status != BreachStatus.SUGGESTED:
        who = locked.decided_by.display_name if locked.decided_by else "他人"
        raise ActionRefused(f"该建议问题已由 {who} 处理（{locked.get_status_display()}）。")
    return locked


def auto_inspection(*, actor: User, organization: Organization, year: int) -> Inspection:
    """The yearly 日常督查 that confirmed suggestions are filed under: "组织生活自动检查（YYYY年）".

    It belongs to the highest organisation above the breach that the confirming staff member covers
    (the committee, for committee staff), so whoever confirms may also own it.
    """
    chain = list(ancestors(organization))
    if is_admin(actor):
        owner_org = chain[0]
    else:
        staff_paths = [g.path for g in grants_of(actor) if g.role == Role.STAFF]
        covered = [org for org in chain if any(org.path.startswith(p) for p in staff_paths)]
        if not covered:
            raise ActionRefused(f"党组织“{organization}”不在您的管理范围内。")
        owner_org = covered[0]
    title = AUTO_INSPECTION_TITLE.format(year=year)
    # Lock the owning organisation so two staff confirming at once create one inspection, not two.
    Organization.objects.select_for_update().filter(pk=owner_org.pk).first()
    inspection = Inspection.objects.filter(
        inspecting_org=owner_org, kind=InspectionKind.ROUTINE, title=title, is_archived=False
    ).first()
    if inspection is None:
        inspection = inspection_create(
            actor=actor,
            title=title,
            kind=InspectionKind.ROUTINE,
            inspecting_org=owner_org,
            inspected_orgs=[],
            start_date=datetime.date(year, 1, 1),
            notes="由组织生活夜间检查的建议问题确认生成。",
        )
    return inspection


def default_due_date(breach: Breach) -> datetime.date:
    """The deadline offered when confirming: the category's usual time to rectify, else 30 days."""
    return local_today() + datetime.timedelta(days=breach.category.default_days or 30)


def breach_confirm(
    *,
    actor: User,
    breach: Breach,
    measure: str,
    assignee: User,
    due_date: datetime.date,
    severity: str = Severity.MINOR,
    responsible_leader: User | None = None,
    inspection: Inspection | None = None,
    description: str = "",
) -> Breach:
    """Staff confirm a suggestion: it becomes a normal finding (source: system rule) with one measure."""
    with transaction.atomic():
        locked = _lock_breach(breach)
        if not perms.can_decide_breach(actor, locked):
            raise ActionRefused("您无权处理该建议问题。")
        org = locked.organization
        if inspection is None:
            inspection = auto_inspection(actor=actor, organization=org, year=local_today().year)
        elif not can_manage_inspection(actor, inspection) or not org.is_within(inspection.inspecting_org):
            raise ActionRefused("所选检查不在您的管理范围内，或不包含该党组织。")
        finding = finding_file(
            actor=actor,
            inspection=inspection,
            organization=org,
            category=locked.category,
            description=(description or "").strip() or locked.description,
            basis=locked.basis,
            found_on=local_today(),
            severity=severity,
            source=FindingSource.RULE,
            measures=[
                MeasureInput(
                    measure=measure, assignee=assignee, due_date=due_date, responsible_leader=responsible_leader
                )
            ],
        )
        locked.status = BreachStatus.CONFIRMED
        locked.finding = finding
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
    return locked


def breach_dismiss(*, actor: User, breach: Breach, reason: str) -> Breach:
    """Staff dismiss a suggestion with a reason. It stays, so the same period is never raised again."""
    reason = require_text(reason, "驳回理由")
    with transaction.atomic():
        locked = _lock_breach(breach)
        if not perms.can_decide_breach(actor, locked):
            raise ActionRefused("您无权处理该建议问题。")
        locked.status = BreachStatus.DISMISSED
        locked.decision_note = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
    return locked
