"""The monthly trend of findings and closures (counted per organisation in ``partials``)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

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


def as_month(value: datetime.date | datetime.datetime) -> datetime.date:
    # TruncMonth returns a date for a DateField and an aware datetime (already in the zone) for a moment.
    return value.date() if isinstance(value, datetime.datetime) else value


def trend_window(
    until: datetime.date, months: int = TREND_MONTHS
) -> tuple[datetime.date, datetime.date, datetime.datetime, datetime.datetime]:
    """The trend's months ending with ``until``'s: its first day, the day after it, and both as moments in
    Asia/Shanghai (a measure's closing is a moment)."""
    zone = timezone.get_current_timezone()
    first = _add_months(until.replace(day=1), -(months - 1))
    after = _add_months(until.replace(day=1), 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), zone)
    end = timezone.make_aware(datetime.datetime.combine(after, datetime.time.min), zone)
    return first, after, start, end


def trend_points(
    new_by_month: dict[datetime.date, int],
    closed_by_month: dict[datetime.date, int],
    *,
    until: datetime.date,
    months: int = TREND_MONTHS,
) -> list[MonthPoint]:
    """新发现问题 vs 销号整改措施, per calendar month for ``months`` months ending with ``until``'s month,
    from the counts per month (keyed by its first day). Months are cut in SQL in Asia/Shanghai: a measure
    closed at 00:30 on the 1st (Beijing time) counts in the new month although it is still the previous
    month in UTC."""
    first = trend_window(until, months)[0]
    return [
        MonthPoint(
            _add_months(first, i),
            new_by_month.get(_add_months(first, i), 0),
            closed_by_month.get(_add_months(first, i), 0),
        )
        for i in range(months)
    ]
