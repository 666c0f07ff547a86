"""Local dates. Deadlines are calendar days in Asia/Shanghai, whatever the server's clock zone."""

import datetime

from django.utils import timezone


def local_today() -> datetime.date:
    return timezone.localdate()


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()
