"""Small helpers shared by the reminder tests."""

import datetime

from partyreview.accounts.models import User
from partyreview.reminders.models import ReminderItem, SweepRun


def items_for(run: SweepRun | None, user: User) -> list[tuple[str, int]]:
    """What one run claimed for one person, as (kind, offset) pairs."""
    if run is None:
        return []
    return sorted(ReminderItem.objects.filter(run=run, recipient=user).values_list("kind", "offset"))


def due(days: int) -> datetime.date:
    from tests.reminders.conftest import START

    return START + datetime.timedelta(days=days)
