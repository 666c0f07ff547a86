"""What management commands share."""

import datetime

from django.core.management.base import CommandError


def date_argument(value: str) -> datetime.date:
    """``type=`` of a ``--date`` option: an ISO day, or a one-line Chinese error naming the format."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc
