"""The monthly trend of findings and closures."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partyreview.inspections.models import Finding
from partyreview.rectifications.models import Rectification, RectificationStatus

CLOSED = RectificationStatus.CLOSED
TREND_MONTHS = 12

# ---- monthly trend -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date  # the first day of the month
    new_findings: int
    closed_rectifications: int

    @property
    def last_day(self) -> datetime.date:
        return _add_months(self.month, 1) - datetime.timedelta(days=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _as_month(value: datetime.date | datetime.datetime) -> datetime.date:
    # TruncMonth returns a date for a DateField and an aware datetime (already in the zone) for a moment.
    return value.date() if isinstance(value, datetime.datetime) else value


def monthly_trend(
    findings: QuerySet[Finding],
    rectifications: QuerySet[Rectification],
    *,
    until: datetime.date,
    months: int = TREND_MONTHS,
) -> list[MonthPoint]:
    """新发现问题 vs 销号整改措施, per calendar month for ``months`` months ending with ``until``'s month.

    Two grouped queries. Months are cut in SQL in Asia/Shanghai: a measure closed at 00:30 on the 1st
    (Beijing time) counts in the new month although it is still the previous month in UTC.
    """
    zone = timezone.get_current_timezone()
    first = _add_months(until.replace(day=1), -(months - 1))
    after = _add_months(until.replace(day=1), 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), zone)
    end = timezone.make_aware(datetime.datetime.combine(after, datetime.time.min), zone)
    new = (
        findings.filter(found_on__gte=first, found_on__lt=after)
        .annotate(month=TruncMonth("found_on"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    closed = (
        rectifications.filter(status=CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    new_by_month = {_as_month(row["month"]): row["n"] for row in new}
    closed_by_month = {_as_month(row["month"]): row["n"] for row in closed}
    points = []
    for i in range(months):
        month = _add_months(first, i)
        points.append(MonthPoint(month, new_by_month.get(month, 0), closed_by_month.get(month, 0)))
    return points
