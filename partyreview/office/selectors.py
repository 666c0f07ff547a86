"""Reads behind the register export and the rectification report: fixed query counts whatever the size."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding, Inspection
from partyreview.office.exporters import RegisterRow, assignee_label
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import grants_of, is_admin
from partyreview.rectifications.models import (
    ExtensionRequest,
    ExtensionStatus,
    ProgressUpdate,
    Rectification,
    RectificationEffect,
    RectificationStatus,
    Timeliness,
    kept_up_q,
    overdue_q,
    timeliness_q,
)


def _latest_progress() -> Subquery:
    return Subquery(
        ProgressUpdate.objects.filter(rectification_id=OuterRef("pk")).order_by("-created_at", "-id").values("note")[:1]
    )


def register_rows(qs: QuerySet[Rectification], today: datetime.date | None = None) -> QuerySet[Rectification]:
    """Every column of the register in one query: related names, the light and the latest progress note."""
    return (
        qs.select_related(
            "finding__inspection",
            "finding__category",
            "finding__organization",
            "responsible_leader",
            "assignee",
        )
        .with_light(today)
        .annotate(latest_progress=_latest_progress())
    )


def register_scope(user: object, form: object) -> str:
    """What a printed register covers, in words: the user's organisations and every filter applied
    ("范围：示范集团党委及下级；状态：待整改、整改中；仅看逾期")."""
    top = set() if is_admin(user) else {g.organization_id for g in grants_of(user)}
    names = list(Organization.objects.filter(pk__in=top).order_by("path").values_list("name", flat=True))
    parts = [f"范围：{'、'.join(names) + '及下级' if names else '全部党组织'}"]
    data = form.cleaned_data if form.is_valid() else {}
    for name, field in form.fields.items():
        value = data.get(name)
        if name == "ordering" or value in (None, "", [], False):
            continue
        if hasattr(field, "choices") and not hasattr(field, "queryset"):
            labels = dict(field.choices)
            value = "、".join(str(labels.get(v, v)) for v in value) if isinstance(value, list) else labels.get(value)
        elif value is True:
            value = "是"
        elif isinstance(value, datetime.date):
            value = f"{value:%Y-%m-%d}"
        parts.append(f"{field.label}：{value}")
    return "；".join(parts)


REGISTER_CHUNK = 2000


def register_values(qs: QuerySet[Rectification], today: datetime.date | None = None) -> Iterator[RegisterRow]:
    """The register export's rows as tuples, streamed ``REGISTER_CHUNK`` at a time: two queries whatever
    the size (the people's names, then the rows). Model instances with five related objects each cost
    more than writing the row (docs/performance.md), so the columns are read as values. The printed
    register reads the same rows (a slice of ``qs``), so paper and file never disagree."""
    today = today or local_today()
    people = get_user_model()._default_manager.filter(
        Q(pk__in=qs.values("assignee_id")) | Q(pk__in=qs.values("responsible_leader_id"))
    )
    names = {person.pk: person.display_name for person in people}
    labels = dict(RectificationStatus.choices)
    rows = (
        qs.with_light(today)
        .annotate(
            latest_progress=_latest_progress(),
            closed_on=TruncDate("closed_at"),
            timeliness=_timeliness(),
            overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()),
        )
        .values_list(
            "finding__inspection__title",
            "finding__organization__name",
            "finding__category__name",
            "finding__description",
            "measure",
            "responsible_leader_id",
            "assignee_id",
            "due_date",
            "latest_progress",
            "status",
            "closed_on",
            "light",
            "named_assignee",
            "department",
            "timeliness",
            "overdue",
        )
    )
    for (
        inspection,
        org,
        category,
        description,
        measure,
        leader,
        assignee,
        due,
        progress,
        status,
        closed,
        light,
        named,
        department,
        timeliness,
        overdue,
    ) in rows.iterator(chunk_size=REGISTER_CHUNK):
        yield RegisterRow(
            inspection,
            org,
            category,
            description,
            measure,
            names.get(leader, ""),
            assignee_label(names.get(assignee, ""), named),
            due,
            progress,
            f"{labels[status]}（{Timeliness(timeliness).label}）" if timeliness else labels.get(status, status),
            closed,
            light,
            department,
            overdue,
        )


def _timeliness() -> Case:
    """``Rectification.timeliness`` in SQL, by the one rule (``timeliness_q``): '' while it has none."""
    return Case(
        *(When(timeliness_q(value), then=Value(value)) for value in Timeliness.values),
        default=Value(""),
        output_field=CharField(),
    )


# ---- the rectification report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressLine:
    """One line of a progress table: a category or an organisation."""

    name: str
    findings: int
    measures: int
    closed: int
    overdue: int

    @property
    def rate(self) -> float:
        return self.closed / self.measures if self.measures else 0.0


@dataclass(frozen=True)
class Headline:
    findings: int
    organizations: int
    measures: int
    closed: int
    closed_on_time: int
    closed_extended: int
    closed_late: int
    open: int
    submitted: int
    overdue: int
    extended: int
    kept_up: int
    stage_closed: int
    substantive: int
    follow_up: int

    @property
    def rate(self) -> float:
        return self.closed / self.measures if self.measures else 0.0


@dataclass(frozen=True)
class ReportData:
    inspection: Inspection
    today: datetime.date
    headline: Headline
    by_category: list[ProgressLine]
    by_organization: list[ProgressLine]
    unfinished: list[Rectification]
    closed: list[Rectification]
    # Every measure in the order of the problem list (finding's 序号, then the measure's), each problem's
    # measures together: the 逐项整改落实情况 section and the summary table read them by finding.
    measures: list[Rectification]

    @property
    def by_finding(self) -> list[tuple[Finding, list[Rectification]]]:
        groups: dict[int, tuple[Finding, list[Rectification]]] = {}
        for r in self.measures:
            groups.setdefault(r.finding_id, (r.finding, []))[1].append(r)
        return list(groups.values())


def _progress_lines(findings: QuerySet[Finding], group: str, order: str, today: datetime.date) -> list[ProgressLine]:
    r = "rectifications__"
    rows = (
        findings.values(group, order)
        .annotate(
            n_findings=Count("pk", distinct=True),
            n_measures=Count(f"{r}pk", distinct=True),
            n_closed=Count(f"{r}pk", filter=Q(**{f"{r}status": RectificationStatus.CLOSED}), distinct=True),
            n_overdue=Count(
                f"{r}pk",
                filter=overdue_q(today, prefix=r),
                distinct=True,
            ),
        )
        .order_by(order, group)
    )
    return [
        ProgressLine(
            name=row[group] or "—",
            findings=row["n_findings"],
            measures=row["n_measures"],
            closed=row["n_closed"],
            overdue=row["n_overdue"],
        )
        for row in rows
    ]


def inspection_report_data(
    *, inspection: Inspection, rectifications: QuerySet[Rectification], today: datetime.date | None = None
) -> ReportData:
    """Everything the 整改情况报告 states, limited to ``rectifications`` (the reader's scope).

    Archived findings are left out: they were withdrawn, not rectified.
    """
    today = today or local_today()
    measures = rectifications.filter(finding__inspection=inspection, finding__is_archived=False)
    findings = Finding.objects.filter(pk__in=measures.values("finding_id"))
    closed_q = Q(status=RectificationStatus.CLOSED)
    counts = measures.aggregate(
        measures=Count("pk"),
        closed=Count("pk", filter=closed_q),
        # The one definition of on time, extended and late (rectifications.models.Timeliness).
        closed_on_time=Count("pk", filter=timeliness_q(Timeliness.ON_TIME)),
        closed_extended=Count("pk", filter=timeliness_q(Timeliness.EXTENDED)),
        closed_late=Count("pk", filter=timeliness_q(Timeliness.LATE)),
        submitted=Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        overdue=Count("pk", filter=overdue_q(today)),
        extended=Count("pk", filter=~Q(due_date=F("original_due_date"))),
        kept_up=Count("pk", filter=kept_up_q()),
        stage_closed=Count("pk", filter=kept_up_q() & closed_q),
        substantive=Count("pk", filter=closed_q & Q(effect=RectificationEffect.SUBSTANTIVE)),
        follow_up=Count("pk", filter=closed_q & Q(effect=RectificationEffect.FOLLOW_UP)),
    )
    finding_counts = findings.aggregate(findings=Count("pk"), organizations=Count("organization", distinct=True))
    headline = Headline(
        findings=finding_counts["findings"],
        organizations=finding_counts["organizations"],
        measures=counts["measures"],
        closed=counts["closed"],
        closed_on_time=counts["closed_on_time"],
        closed_extended=counts["closed_extended"],
        closed_late=counts["closed_late"],
        open=counts["measures"] - counts["closed"],
        submitted=counts["submitted"],
        overdue=counts["overdue"],
        extended=counts["extended"],
        kept_up=counts["kept_up"],
        stage_closed=counts["stage_closed"],
        substantive=counts["substantive"],
        follow_up=counts["follow_up"],
    )
    # Measures outside the reader's scope must not be counted through the finding's relation.
    scoped_measures = findings.filter(rectifications__in=measures.values("pk"))
    by_category = _progress_lines(scoped_measures, "category__name", "category__sort_order", today)
    by_organization = _progress_lines(scoped_measures, "organization__name", "organization__path", today)

    approved_reason = Subquery(
        ExtensionRequest.objects.filter(rectification_id=OuterRef("pk"), status=ExtensionStatus.APPROVED)
        .order_by("-decided_at", "-id")
        .values("reason")[:1]
    )
    base = register_rows(measures, today).order_by("finding__sequence", "number")
    every = list(base.annotate(extension_reason=approved_reason))
    unfinished = [r for r in every if not r.is_closed]
    closed = [r for r in every if r.is_closed]
    return ReportData(
        inspection=inspection,
        today=today,
        headline=headline,
        by_category=by_category,
        by_organization=by_organization,
        unfinished=unfinished,
        closed=closed,
        measures=every,
    )
