"""Non-trivial reads: derived facts (overdue, on time, lights, a finding's status) computed in SQL."""

import calendar
import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today, value_text
from partyreview.inspections.models import Finding, Inspection
from partyreview.organizations.models import Membership, Organization
from partyreview.organizations.permissions import grants_of, scope_q
from partyreview.rectifications.models import (
    DUE_SOON_DAYS,
    ExtensionRequest,
    ExtensionStatus,
    FollowUpOutcome,
    FollowUpReview,
    Light,
    Rectification,
    RectificationStatus,
    StandardMeasure,
    attach_people,
    kept_up_q,
    light_q,
)
from partyreview.rectifications.permissions import rectifications_visible_to


class FindingStatus:
    """问题状态, derived from its measures: closed exactly when it has measures and all are closed."""

    OPEN = "open"
    CLOSED = "closed"
    NO_MEASURES = "empty"
    LABELS = {OPEN: "整改中", CLOSED: "已完成", NO_MEASURES: "未制定措施"}


def _measure_count(condition: Q | None = None) -> Coalesce:
    measures = Rectification.objects.filter(finding_id=OuterRef("pk"))
    if condition is not None:
        measures = measures.filter(condition)
    counted = measures.order_by().values("finding_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def findings_with_progress(qs: QuerySet[Finding], today: datetime.date | None = None) -> QuerySet[Finding]:
    """Annotate counts of measures (total, closed, overdue, submitted), in one query; ``finding_status_q``
    filters on the derived status.

    Correlated counts rather than a join and GROUP BY: PostgreSQL computes them after the sort and limit,
    so a page of 50 counts the measures of 50 findings, not of every finding the filter matches (1.5 s of
    grouping 45,000 findings at committee scale, docs/performance.md)."""
    today = today or local_today()
    open_measure = Rectification.objects.filter(finding_id=OuterRef("pk")).exclude(status=RectificationStatus.CLOSED)
    any_measure = Rectification.objects.filter(finding_id=OuterRef("pk"))
    closed = Q(status=RectificationStatus.CLOSED)
    # has_open/has_measures only filter (finding_status_q), as semi-joins. Selected, PostgreSQL computed
    # them as hashed subplans over every measure (130 ms a page at committee scale, docs/performance.md);
    # the page reads the status from the counts (templates/inspections/_finding_status.html).
    return qs.annotate(
        measures_total=_measure_count(),
        measures_closed=_measure_count(closed),
        measures_overdue=_measure_count(~closed & Q(due_date__lt=today)),
        measures_submitted=_measure_count(Q(status=RectificationStatus.SUBMITTED)),
    ).alias(has_open=Exists(open_measure), has_measures=Exists(any_measure))


def finding_status_q(status: str) -> Q:
    """Filter findings by derived status; use on a queryset from ``findings_with_progress``."""
    if status == FindingStatus.CLOSED:
        return Q(has_measures=True, has_open=False)
    if status == FindingStatus.NO_MEASURES:
        return Q(has_measures=False)
    return Q(has_open=True)


def finding_is_closed(finding: Finding) -> bool:
    statuses = list(finding.rectifications.values_list("status", flat=True))
    return bool(statuses) and all(s == RectificationStatus.CLOSED for s in statuses)


def rectifications_for_list(qs: QuerySet[Rectification], today: datetime.date | None = None) -> QuerySet[Rectification]:
    """Everything a list row shows but its people: related names and the light in one query. The rows a
    page shows then get their people from ``with_people`` (one query more). The finding's organisation is
    left to the pages of one measure, which add it."""
    return qs.select_related("finding__inspection", "finding__category", "responsible_org").with_light(today)


def with_people(rows: Iterable[Rectification]) -> list[Rectification]:
    """The rows, read, with their ``PEOPLE`` loaded in one query by id (models.attach_people)."""
    return attach_people(rows)


def rectification_for_page(qs: QuerySet[Rectification], pk: int) -> Rectification:
    """One measure of ``qs`` (a list's queryset) with its people, or 404."""
    return with_people([get_object_or_404(qs, pk=pk)])[0]


def organization_lights(
    organizations: QuerySet[Organization], today: datetime.date | None = None
) -> QuerySet[Organization]:
    """Each organisation's light: the worst light of its open measures (green when none is open)."""
    today = today or local_today()
    open_q = ~Q(rectifications__status=RectificationStatus.CLOSED)
    return organizations.annotate(
        red_count=Count("rectifications", filter=open_q & light_q(Light.RED, today, "rectifications__")),
        yellow_count=Count("rectifications", filter=open_q & light_q(Light.YELLOW, today, "rectifications__")),
        open_count=Count("rectifications", filter=open_q),
    ).annotate(
        light=Case(
            When(red_count__gt=0, then=Value(Light.RED)),
            When(yellow_count__gt=0, then=Value(Light.YELLOW)),
            default=Value(Light.GREEN),
            output_field=IntegerField(),
        )
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # history, progress, extension, decision, escalation
    actor: object
    title: str
    text: str
    obj: object = None


def rectification_timeline(rectification: Rectification) -> list[TimelineEntry]:
    """Progress, evidence, extension requests and decisions, 督办 and field changes, newest first.

    A fixed number of queries whatever the length of the history.
    """
    progress = rectification.progress_updates.select_related("author").prefetch_related("evidence")
    extensions = rectification.extension_requests.select_related("requested_by", "decided_by")
    escalations = rectification.escalations.select_related("created_by")
    history = rectification.history.select_related("history_user").order_by("history_date")
    versions: list[tuple[object, object, list]] = []  # (record, previous record, changed fields)
    previous = None
    for record in history:
        fields = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                if change.field not in {"version", "updated_at", "warn_from"}:
                    fields.append(Rectification._meta.get_field(change.field))
        versions.append((record, previous, fields))
        previous = record
    names = _related_names(versions)
    entries: list[TimelineEntry] = []
    for record, previous, fields in versions:
        changes = [f"{f.verbose_name}：{_show(previous, f, names)} → {_show(record, f, names)}" for f in fields]
        entries.append(
            TimelineEntry(
                at=record.history_date,
                kind="history",
                actor=record.history_user,
                title=record.history_change_reason or ("创建" if record.history_type == "+" else "修改"),
                text="；".join(changes),
            )
        )
    for update in progress:
        entries.append(
            TimelineEntry(
                at=update.created_at,
                kind="progress",
                actor=update.author,
                title=update.get_kind_display(),
                text=update.note,
                obj=update,
            )
        )
    for ext in extensions:
        entries.append(
            TimelineEntry(
                at=ext.requested_at,
                kind="extension",
                actor=ext.requested_by,
                title=f"申请延期至 {ext.requested_due_date:%Y-%m-%d}",
                text=ext.reason,
                obj=ext,
            )
        )
        if ext.decided_at:
            entries.append(
                TimelineEntry(
                    at=ext.decided_at,
                    kind="decision",
                    actor=ext.decided_by,
                    title=f"延期申请{ext.get_status_display()}",
                    text=ext.decision_note,
                    obj=ext,
                )
            )
    for esc in escalations:
        entries.append(
            TimelineEntry(
                at=esc.created_at, kind="escalation", actor=esc.created_by, title="督办", text=esc.instruction, obj=esc
            )
        )
    return sorted(chain(entries), key=lambda e: e.at, reverse=True)


def _related_names(versions: list[tuple[object, object, list]]) -> dict[tuple[type, object], str]:
    """The names of the people and organisations the changes point to, one query per related model
    (not one per change: a measure closed, reopened and closed again named its closer each time)."""
    wanted: dict[type, set] = {}
    for record, previous, fields in versions:
        for field in fields:
            if field.is_relation:
                for version in (record, previous):
                    value = getattr(version, field.attname, None)
                    if value is not None:
                        wanted.setdefault(field.related_model, set()).add(value)
    return {
        (model, pk): str(obj)
        for model, pks in wanted.items()
        for pk, obj in model._default_manager.in_bulk(pks).items()
    }


def _show(record: object, field: object, names: dict[tuple[type, object], str]) -> str:
    value = getattr(record, field.attname, None)
    if field.choices:
        return str(dict(field.choices).get(value, value or "—"))
    if field.is_relation:
        return names.get((field.related_model, value), "—") if value is not None else "—"
    return value_text(value) if value not in (None, "") else "—"


# ---- staff: what waits for them ----------------------------------------------------------------------


def inspections_with_progress(
    qs: QuerySet[Inspection], *, findings: QuerySet[Finding], today: datetime.date | None = None
) -> QuerySet[Inspection]:
    """Per inspection, counted over ``findings`` only (the viewer's scope): findings, and their measures
    in total, closed, overdue and waiting for review. One query for the whole list."""
    today = today or local_today()
    mine = Q(findings__in=findings)
    status = "findings__rectifications__status"
    return qs.annotate(
        findings_count=Count("findings", filter=mine, distinct=True),
        measures_total=Count("findings__rectifications", filter=mine, distinct=True),
        measures_closed=Count(
            "findings__rectifications", filter=mine & Q(**{status: RectificationStatus.CLOSED}), distinct=True
        ),
        measures_overdue=Count(
            "findings__rectifications",
            filter=mine & ~Q(**{status: RectificationStatus.CLOSED}) & Q(findings__rectifications__due_date__lt=today),
            distinct=True,
        ),
        measures_submitted=Count(
            "findings__rectifications", filter=mine & Q(**{status: RectificationStatus.SUBMITTED}), distinct=True
        ),
    )


def rectifications_awaiting_review(user: User) -> QuerySet[Rectification]:
    """待我审核: submitted measures in the user's staff scope, the longest waiting first."""
    qs = Rectification.objects.filter(
        scope_q(user, field="responsible_org", roles={Role.STAFF}), status=RectificationStatus.SUBMITTED
    )
    return rectifications_for_list(qs).order_by("submitted_at", "id")


def extensions_awaiting_decision(user: User) -> QuerySet[ExtensionRequest]:
    """Extension requests waiting for a decision in the user's staff scope, the longest waiting first."""
    return (
        ExtensionRequest.objects.filter(
            scope_q(user, field="rectification__responsible_org", roles={Role.STAFF}),
            status=ExtensionStatus.PENDING,
        )
        # What the lists name, no more: each join multiplies the plans PostgreSQL weighs (with_people).
        .select_related("rectification__responsible_org", "requested_by")
        .order_by("requested_at", "id")
    )


# ---- branch secretaries and assignees: what they owe -------------------------------------------------


def rectifications_reported_by(user: User) -> QuerySet[Rectification]:
    """本支部整改: the measures of the branches the user is secretary of, and those assigned to them.

    Narrower than ``rectifications_visible_to`` on purpose: a secretary who is also staff somewhere sees
    the branch's work here and the whole register elsewhere.
    """
    branch_ids = [g.organization_id for g in grants_of(user) if g.role == Role.SECRETARY]
    return rectifications_visible_to(user).filter(Q(responsible_org_id__in=branch_ids) | Q(assignee_id=user.pk))


@dataclass(frozen=True)
class Worklist:
    """One group of the secretary's home page, in the order the groups are shown."""

    key: str  # returned, overdue, due_soon, rest, submitted
    title: str
    hint: str
    rectifications: list[Rectification]


def reporter_worklist(user: User, today: datetime.date | None = None) -> list[Worklist]:
    """The user's open measures grouped by what needs doing: returned (the staff's reason first), overdue,
    due within ``DUE_SOON_DAYS``, the rest, and those waiting for the staff's review. One query."""
    today = today or local_today()
    reported = rectifications_reported_by(user)
    # Open measures, and 长期坚持 ones closed for their stage: the branch still reports on them each period.
    rows = with_people(
        rectifications_for_list(reported.filter(~Q(status=RectificationStatus.CLOSED) | kept_up_q()), today).order_by(
            "due_date", "id"
        )
    )
    keys = ("returned", "report_due", "overdue", "due_soon", "rest", "long_term", "submitted")
    groups: dict[str, list[Rectification]] = {k: [] for k in keys}
    for r in rows:
        if r.status == RectificationStatus.RETURNED:
            groups["returned"].append(r)
        elif r.status == RectificationStatus.SUBMITTED:
            # Nothing for the branch to do until staff decide, however late it is.
            groups["submitted"].append(r)
        elif r.is_kept_up and not r.is_overdue:
            groups["report_due" if r.report_warn_from <= today else "long_term"].append(r)
        elif r.due_date < today:
            groups["overdue"].append(r)
        elif r.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            groups["due_soon"].append(r)
        else:
            groups["rest"].append(r)
    titles = {
        "returned": ("已退回", "党务工作人员退回了销号申请，请按退回原因补充整改后重新申请。"),
        "overdue": ("已逾期", "已过整改时限，请尽快整改，确需延期的请申请延期。"),
        "due_soon": (f"{DUE_SOON_DAYS}天内到期", "即将到期，请抓紧落实并上传佐证材料。"),
        # Named by the deadline, not a status: it holds 待整改 and 整改中 cards alike, and a group
        # called 整改中 beside cards marked 待整改 contradicted itself.
        "rest": ("未到期", f"距整改时限超过 {DUE_SOON_DAYS} 天，请按计划推进。"),
        "report_due": ("定期报告待报", "长期坚持的措施本期报告即将截止或已过期，请填报定期报告。"),
        "long_term": ("长期坚持", "按报告周期填报定期报告；阶段性销号后仍需坚持报告。"),
        "submitted": ("待审核", "已申请销号，等待党务工作人员审核，审核前不能修改。"),
    }
    return [Worklist(key, *titles[key], items) for key, items in groups.items()]


@dataclass(frozen=True)
class MeasureSuggestion:
    """整改措施建议：words for a new measure, its usual kind, and how often the committee closed a measure
    in these very words (0 for a library measure nobody has used yet)."""

    text: str
    kind: str
    uses: int
    from_library: bool


# A committee's own wording is offered once it has served twice: once is just one measure's text.
MIN_OWN_USES = 2


def measure_suggestions(user: User, *, limit: int = 6) -> dict[int, list[MeasureSuggestion]]:
    """The measure library (整改措施库) by category id, learning from the committee: the measures the user
    can see closed most often in a category come first, whether library words or the committee's own.

    Only closed measures within the user's scope count, so no one sees another committee's wording. Two
    queries whatever the data size: the library, and the closed measures grouped by category and text.
    """
    library: dict[int, list[StandardMeasure]] = {}
    for measure in StandardMeasure.objects.filter(is_active=True, category__is_active=True).order_by(
        "category_id", "sort_order", "id"
    ):
        library.setdefault(measure.category_id, []).append(measure)
    used: dict[int, dict[str, tuple[int, str]]] = {}
    closed = (
        rectifications_visible_to(user)
        .filter(status=RectificationStatus.CLOSED)
        .values("finding__category_id", "measure", "kind")
        .annotate(uses=Count("id"))
    )
    for row in closed:
        words = row["measure"].strip()
        counted = used.setdefault(row["finding__category_id"], {})
        uses, kind = counted.get(words, (0, row["kind"]))
        counted[words] = (uses + row["uses"], kind)

    suggestions: dict[int, list[MeasureSuggestion]] = {}
    for category_id in library.keys() | used.keys():
        own = used.get(category_id, {})
        offered = [
            MeasureSuggestion(m.text, m.kind, own.get(m.text.strip(), (0, ""))[0], True)
            for m in library.get(category_id, [])
        ]
        known = {s.text.strip() for s in offered}
        offered += [
            MeasureSuggestion(text, kind, uses, False)
            for text, (uses, kind) in own.items()
            if uses >= MIN_OWN_USES and text not in known
        ]
        # Stable sort: equal uses keep the library's order, then the committee's texts.
        suggestions[category_id] = sorted(offered, key=lambda s: -s.uses)[:limit]
    return suggestions


# ---- 回头看 ------------------------------------------------------------------------------------------


def followup_candidates(
    rectifications: QuerySet[Rectification],
    *,
    closed_on_or_before: datetime.date | None = None,
    per_branch: int | None = None,
    seed: int = 0,
) -> list[Rectification]:
    """Closed measures to look back at: those closed on or before a day (e.g. six months ago), without an open
    check, optionally a sample of ``per_branch`` per responsible organisation (the same sample for the same
    ``seed``, so a plan shown is the plan scheduled)."""
    qs = rectifications.filter(status=RectificationStatus.CLOSED).exclude(follow_ups__outcome="pending")
    if closed_on_or_before is not None:
        qs = qs.filter(closed_at__date__lte=closed_on_or_before)
    rows = list(qs.select_related("finding__inspection", "responsible_org").order_by("responsible_org_id", "pk"))
    if per_branch is None:
        return rows
    by_branch: dict[int, list[Rectification]] = {}
    for r in rows:
        by_branch.setdefault(r.responsible_org_id, []).append(r)
    chooser = random.Random(seed)
    sample = []
    for measures in by_branch.values():
        sample.extend(measures if len(measures) <= per_branch else chooser.sample(measures, per_branch))
    return sorted(sample, key=lambda r: (r.responsible_org_id, r.pk))


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier, clamped to the end of a shorter month (销号满 N 个月 counts from it)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def followups_for_list(qs: QuerySet[FollowUpReview], today: datetime.date | None = None) -> QuerySet[FollowUpReview]:
    """回头看任务 for a list: pending first (the nearest deadline first), then the decided ones, the newest
    decision first; ``is_overdue`` annotated (pending past its deadline). One query whatever the length."""
    today = today or local_today()
    pending = Q(outcome=FollowUpOutcome.PENDING)
    return (
        qs.select_related(
            "rectification__finding__inspection", "rectification__responsible_org", "inspector", "created_by"
        )
        .annotate(
            is_open=Case(When(pending, then=Value(0)), default=Value(1), output_field=IntegerField()),
            is_overdue=Case(
                When(pending & Q(due_date__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("is_open", "due_date", "-decided_at", "id")
    )


def followup_inspectors(user: User) -> QuerySet[User]:
    """Who may be chosen to check (复查人): the user and the staff of the organisations in the user's staff
    scope. The service checks again that the one chosen covers every measure of the plan."""
    staff_here = Membership.objects.filter(
        scope_q(user, field="organization", roles={Role.STAFF}), role=Role.STAFF
    ).values("user_id")
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=staff_here), is_active=True).order_by("full_name", "pk")


def relapsed_q() -> Q:
    """问题反弹, on measures: a 回头看 of this measure found the problem back. A subquery, so that counting
    with it never multiplies the rows being counted."""
    relapsed = FollowUpReview.objects.filter(rectification_id=OuterRef("pk"), outcome=FollowUpOutcome.RELAPSED)
    return Q(Exists(relapsed))


def finding_relapsed_q() -> Q:
    """问题反弹, on findings: a 回头看 of one of its measures found the problem back."""
    relapsed = FollowUpReview.objects.filter(rectification__finding_id=OuterRef("pk"), outcome=FollowUpOutcome.RELAPSED)
    return Q(Exists(relapsed))
