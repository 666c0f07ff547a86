"""A pinned clock and an inspection with a known feedback date, so that "3月底前" has one meaning."""

import datetime

import pytest
import time_machine

from partyreview.inspections.models import Inspection
from partyreview.intake.fields import Field, SourceRow

NOW = datetime.datetime(2026, 11, 4, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
FEEDBACK = datetime.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def inspection(world) -> Inspection:
    Inspection.objects.filter(pk=world.inspection.pk).update(
        start_date=datetime.date(2026, 9, 1), feedback_date=FEEDBACK
    )
    world.inspection.refresh_from_db()
    return world.inspection


def source_row(number: int, group: str = "", **values) -> SourceRow:
    """A row as a reader hands it over: field names as keyword arguments (description="…")."""
    return SourceRow(number=number, values={Field(name): value for name, value in values.items()}, group=group)
