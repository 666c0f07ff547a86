"""Headline figures and the findings counted per (organisation, category), from which the heat map,
the categories and recurrence are drawn."""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connections
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
)

from partyreview.dashboards.selectors.base import on_time_q, overdue_q, share
from partyreview.inspections.models import Finding
from partyreview.rectifications.models import Light, RectificationStatus, light_q

CLOSED = RectificationStatus.CLOSED

# ---- headline figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """核心指标."""

    findings: int
    recurring_findings: int
    rectifications: int
    closed: int
    on_time: int
    overdue: int
    submitted: int
    open: int
    red: int
    yellow: int
    average_days_to_close: float | None

    @property
    def green(self) -> int:
        """Open measures neither overdue nor near their deadline."""
        return self.open - self.red - self.yellow

    @property
    def completion_rate(self) -> float | None:
        return share(self.closed, self.rectifications)

    @property
    def on_time_rate(self) -> float | None:
        return share(self.on_time, self.closed)


def headline_figures(cells: "dict[tuple[int, int], Cell]", measures: "dict[int, dict]") -> Headline:
    """The headline is the sum of what the other tables read: the findings per (organisation, category)
    and the measures per organisation (``partials``). No query of its own."""
    f = {"total": sum(c.findings for c in cells.values()), "recurring": sum(c.recurring for c in cells.values())}
    r = {name: sum(row[name] or 0 for row in measures.values()) for name in MEASURE_FIGURES}
    to_close = sum((row["close_time"] for row in measures.values() if row["close_time"]), datetime.timedelta())
    average = to_close / r["closed"] if r["closed"] else None
    return Headline(
        findings=f["total"],
        recurring_findings=f["recurring"],
        rectifications=r["rect_total"],
        closed=r["closed"],
        on_time=r["on_time"],
        overdue=r["overdue"],
        submitted=r["submitted"],
        open=r["rect_total"] - r["closed"],
        red=r["red"],
        yellow=r["yellow"],
        average_days_to_close=round(average.total_seconds() / 86400, 1) if average is not None else None,
    )


MEASURE_FIGURES = ("rect_total", "closed", "on_time", "overdue", "submitted", "red", "yellow")


def measure_figures(today: datetime.date) -> dict:
    to_close = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    return {
        "rect_total": Count("pk"),
        "closed": Count("pk", filter=Q(status=CLOSED)),
        "on_time": Count("pk", filter=on_time_q()),
        "overdue": Count("pk", filter=overdue_q(today)),
        "submitted": Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        # Open measures' lights (green is the rest of the open ones); a 长期坚持 measure closed for its stage
        # keeps a light for its reports, counted among the lifecycle figures instead.
        "red": Count("pk", filter=light_q(Light.RED, today) & ~Q(status=CLOSED)),
        "yellow": Count("pk", filter=light_q(Light.YELLOW, today) & ~Q(status=CLOSED)),
        "close_time": Sum(to_close, filter=Q(status=CLOSED)),
    }


# ---- findings per (organisation, category): heat map, categories, recurrence, headline -----------------


class Cell(NamedTuple):
    """The findings of one (organisation, category): counted ones, recurring among them, and in all; which
    the heat map, the category table, the recurrence table and the headline all sum from.

    反复出现 without an EXISTS per finding (3 s over 100,000 findings): a finding recurs exactly when its
    inspection started after the earliest inspection that found the same category in the same
    organisation (that earliest one is then necessarily another inspection), which is ``recurring_q``
    stated per group (``counted_per_cell``). The earliest inspection is looked for among the scope's
    findings without filters: an earlier inspection counts even when the filter leaves it out."""

    findings: int = 0
    recurring: int = 0
    times_found: int = 0  # every inspection, not only the filtered ones
    inspections: int = 0
    # A tuple: a committee's sums hold some 15,000 cells, which the cache reads back after every write.


def counted_per_cell(findings: QuerySet[Finding], everywhere: QuerySet[Finding]) -> list[tuple[int, int, int, int]]:
    """(organisation id, category id, findings, recurring findings) of ``findings``, in one query.

    Joining each counted finding to its cell's earliest inspection date happens in the database: grouped
    by inspection in Python, a committee's 100,000 findings came back as 100,000 rows (a fifth of its
    dashboard's time). The two querysets are the application's own, compiled and joined as common table
    expressions with named columns (PostgreSQL and SQLite alike)."""
    first_sql, first_params = (
        everywhere.order_by()
        .values("organization_id", "category_id")
        .annotate(first=Min("inspection__start_date"))
        .values_list("organization_id", "category_id", "first")
        .query.sql_with_params()
    )
    counted_sql, counted_params = (
        findings.order_by()
        .values_list("organization_id", "category_id", "inspection__start_date")
        .query.sql_with_params()
    )
    # Only compiled SQL is interpolated; every value stays a parameter.
    sql = (
        f"WITH earliest(org, cat, first_start) AS ({first_sql}), counted(org, cat, start) AS ({counted_sql}) "  # noqa: S608
        "SELECT counted.org, counted.cat, COUNT(*),"
        " SUM(CASE WHEN counted.start > earliest.first_start THEN 1 ELSE 0 END)"
        " FROM counted LEFT JOIN earliest ON earliest.org = counted.org AND earliest.cat = counted.cat"
        " GROUP BY counted.org, counted.cat"
    )
    with connections[findings.db].cursor() as cursor:
        cursor.execute(sql, (*first_params, *counted_params))
        return [(org, cat, n, recurring or 0) for org, cat, n, recurring in cursor.fetchall()]
