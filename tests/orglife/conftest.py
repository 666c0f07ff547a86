"""Helpers for the organisational-life tests: Beijing times, meetings recorded through the services."""

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pytest

from partyreview.accounts.models import User
from partyreview.organizations.models import Organization
from partyreview.orglife import services
from partyreview.orglife.models import MeetingRecord

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def hold(
    org: Organization, actor: User, types: Sequence[str], at: datetime.datetime, *, topic: str = "学习会议精神"
) -> MeetingRecord:
    return services.meeting_record(
        actor=actor,
        organization=org,
        types=list(types),
        held_at=at,
        topic=topic,
        speaker="孙山" if "party_lecture" in types else "",
        expected_count=10,
        present_count=9,
        minutes="会议记录",
    )


@pytest.fixture
def branch(world) -> Organization:
    """A1 as a full branch: a committee, party groups, ten formal members, no term recorded."""
    org = world.a1
    org.has_committee = True
    org.has_party_groups = True
    org.formal_member_count = 10
    org.save()
    return org
