"""Reads behind the register export and the rectification report: fixed query counts whatever the size."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding, Inspection
from partyreview.office.exporters import RegisterRow
from partyreview.rectifications.models import (
    ExtensionRequest,
    ExtensionStatus,
    ProgressUpdate,
    Rectification,
    RectificationStatus,
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


REGISTER_CHUNK = 2000


def register_values(qs: QuerySet[Rectification], today: datetime.date | None = None) -> Iterator[RegisterRow]:
    """The register export's rows as tuples, streamed ``REGISTER_CHUNK`` at a time: two queries whatever
    the size (the people's names, then the rows). Model instances with five related objects each cost
    more than writing the row (docs/performance.md), so the columns are read as values."""
    people = get_user_model()._default_manager.filter(
        Q(pk__in=qs.values("assignee_id")) | Q(pk__in=qs.values("responsible_leader_id"))
    )
    names = {person.pk: person.display_name for person in people}
    labels = dict(RectificationStatus.choices)
    rows = (
        qs.with_light(today)
        .annotate(latest_progress=_latest_progress(), closed_on=TruncDate("closed_at"))
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
    ) in rows.iterator(chunk_size=REGISTER_CHUNK):
        yield RegisterRow(
            inspection,
            org,
            category,
            description,
            measure,
            names.get(leader, ""),
            names.get(assignee, ""),
            due,
            progress,
            labels.get(status, status),
            closed,
            light,
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
    open: int
    submitted: int
    overdue: int
    extended: int

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
                filter=~Q(**{f"{r}status": RectificationStatus.CLOSED}) & Q(**{f"{r}due_date__lt": today}),
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
        # On time: closed no later than the deadline first set (domain.md); __date is the local date.
        closed_on_time=Count("pk", filter=closed_q & Q(closed_at__date__lte=F("original_due_date"))),
        submitted=Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        overdue=Count("pk", filter=~closed_q & Q(due_date__lt=today)),
        extended=Count("pk", filter=~Q(due_date=F("original_due_date"))),
    )
    finding_counts = findings.aggregate(findings=Count("pk"), organizations=Count("organization", distinct=True))
    headline = Headline(
        findings=finding_counts["findings"],
        organizations=finding_counts["organizations"],
        measures=counts["measures"],
        closed=counts["closed"],
        closed_on_time=counts["closed_on_time"],
        open=counts["measures"] - counts["closed"],
        submitted=counts["submitted"],
        overdue=counts["overdue"],
        extended=counts["extended"],
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
    unfinished = list(base.exclude(closed_q).annotate(extension_reason=approved_reason))
    closed = list(base.filter(closed_q))
    return ReportData(
        inspection=inspection,
        today=today,
        headline=headline,
        by_category=by_category,
        by_organization=by_organization,
        unfinished=unfinished,
        closed=closed,
    )
