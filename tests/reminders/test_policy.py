"""The schedule itself, without a database row in sight: which reminder a measure is owed on a given day."""

import pytest
from django.core.exceptions import ValidationError

from partyreview.reminders.models import ReminderKind, ReminderPolicy, parse_days
from partyreview.reminders.selectors import escalation_steps, reminder_step

K = ReminderKind


def default_policy(**changes) -> ReminderPolicy:
    return ReminderPolicy(**changes)


def test_overdue_reminders_back_off_1_2_4_8_then_weekly():
    policy = default_policy()
    days_with_a_new_step = [d for d in range(1, 60) if policy.overdue_step(d) == d]
    assert days_with_a_new_step == [1, 2, 4, 8, 15, 22, 29, 36, 43, 50, 57]


def test_between_steps_the_latest_step_stays_owed():
    policy = default_policy()
    assert [policy.overdue_step(d) for d in range(1, 17)] == [1, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 15, 15]


def test_a_daily_cap_reminds_every_day():
    policy = default_policy(overdue_max_interval_days=1)
    assert [policy.overdue_step(d) for d in range(1, 6)] == [1, 2, 3, 4, 5]


def test_no_overdue_step_when_switched_off_or_not_late():
    assert default_policy(overdue_enabled=False).overdue_step(5) is None
    assert default_policy().overdue_step(0) is None


@pytest.mark.parametrize(
    ("days_after_due", "expected"),
    [
        (-30, None),
        (-8, None),
        (-7, (K.UPCOMING, -7)),
        (-3, (K.UPCOMING, -7)),
        (-1, (K.UPCOMING, -1)),
        (0, (K.DUE_TODAY, 0)),
        (1, (K.OVERDUE, 1)),
        (3, (K.OVERDUE, 2)),
        (9, (K.OVERDUE, 8)),
        (100, (K.OVERDUE, 99)),
    ],
)
def test_the_step_owed_on_each_day(days_after_due, expected):
    assert reminder_step(default_policy(), days_after_due) == expected


def test_custom_days_before():
    policy = default_policy(days_before="14, 3")
    assert reminder_step(policy, -10) == (K.UPCOMING, -14)
    assert reminder_step(policy, -2) == (K.UPCOMING, -3)
    # Without 0 in the list, the day itself owes nothing new: the "3 days" step stays the latest.
    assert reminder_step(policy, 0) == (K.UPCOMING, -3)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (6, []),
        (7, [(K.ESCALATION_LEADER, 7)]),
        (29, [(K.ESCALATION_LEADER, 7)]),
        (30, [(K.ESCALATION_LEADER, 7), (K.ESCALATION_COMMITTEE, 30)]),
    ],
)
def test_escalation_at_7_and_30_days(days, expected):
    assert escalation_steps(default_policy(), days) == expected


def test_escalation_switched_off_with_zero():
    assert escalation_steps(default_policy(escalate_leader_after_days=0, escalate_committee_after_days=0), 40) == []


def test_days_before_are_parsed_and_validated():
    assert parse_days("7,1,0") == [7, 1, 0]
    assert parse_days("1，7, 7") == [7, 1]
    with pytest.raises(ValidationError):
        parse_days("7,x")
    with pytest.raises(ValidationError):
        parse_days("100")
