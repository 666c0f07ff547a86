"""Local dates. Deadlines are calendar days in Asia/Shanghai, whatever the server's clock zone."""

import datetime

from django.utils import timezone


def local_today() -> datetime.date:
    return timezone.localdate()


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def local_datetime_text(moment: datetime.datetime) -> str:
    """A moment as a person reads it: local (Asia/Shanghai), to the minute, "2026-12-03 14:56"."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def value_text(value: object) -> str:
    """A stored value as a person reads it (history diffs, audit pages): local times, ISO dates, 是/否."""
    if isinstance(value, datetime.datetime):
        return local_datetime_text(value) if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
