"""立行立改 measures are reminded on their own days before the deadline (3 and 1 by default), 限期整改
keeps its 7, 1 and the day itself; once late both follow the same overdue steps and 督办.

The world is built on Monday 2 March 2026 (START), 20 days after the inspection's feedback, so a
立行立改 measure without a date is due IMMEDIATE_DEFAULT_DAYS (30) after the feedback: START + 10.
"""

import pytest

from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification, RectificationKind
from partyreview.reminders.models import ReminderItem, ReminderKind
from tests.reminders.helpers import due

K = ReminderKind


def create(world, kind: str) -> Rectification:
    return services.rectification_create(
        actor=world.alice,
        finding=world.finding(world.a1),
        measure=f"{RectificationKind(kind).label}的整改措施",
        assignee=world.mike,
        due_date=None if kind == RectificationKind.IMMEDIATE else due(10),
        kind=kind,
        responsible_leader=world.leo,
    )


def schedule(sweep, user, r: Rectification, days: range) -> dict[int, list]:
    """{days after the deadline: [(kind, offset)]} of what the sweeps claimed for ``user`` about ``r``."""
    seen = {}
    for day in days:
        run = sweep(day)
        if run is None:
            continue
        got = sorted(
            ReminderItem.objects.filter(run=run, recipient=user, rectification=r).values_list("kind", "offset")
        )
        if got:
            seen[day - 10] = got
    return seen


def test_an_immediate_measure_is_reminded_3_and_1_days_before_and_from_the_day_after(world, policy, sweep):
    immediate = create(world, RectificationKind.IMMEDIATE)
    assert immediate.due_date == due(10)
    seen = schedule(sweep, world.mike, immediate, range(0, 20))
    assert seen == {
        -3: [(K.UPCOMING, -3)],
        -1: [(K.UPCOMING, -1)],
        1: [(K.OVERDUE, 1)],
        2: [(K.OVERDUE, 2)],
        4: [(K.OVERDUE, 4)],
        8: [(K.OVERDUE, 8)],
    }


def test_a_deadline_measure_beside_it_keeps_the_general_days(world, policy, sweep):
    immediate = create(world, RectificationKind.IMMEDIATE)
    deadline = create(world, RectificationKind.DEADLINE)
    days = {}
    for day in range(0, 12):
        run = sweep(day)
        for r in (immediate, deadline):
            got = sorted(
                ReminderItem.objects.filter(run=run, recipient=world.sam, rectification=r).values_list(
                    "offset", flat=True
                )
            )
            days.setdefault(r.kind, []).extend(got)
    assert days[RectificationKind.IMMEDIATE] == [-3, -1, 1]
    assert days[RectificationKind.DEADLINE] == [-7, -1, 0, 1]


@pytest.mark.parametrize(("setting", "expected"), [("5", [-5]), ("3,1,0", [-3, -1, 0]), ("", [])])
def test_the_immediate_days_come_from_the_policy(world, policy, sweep, setting, expected):
    policy.immediate_days_before = setting
    policy.save()
    immediate = create(world, RectificationKind.IMMEDIATE)
    seen = schedule(sweep, world.mike, immediate, range(0, 11))
    assert [offset for got in seen.values() for _, offset in got] == expected


def test_a_late_immediate_measure_is_escalated_like_any_other(world, policy, sweep):
    immediate = create(world, RectificationKind.IMMEDIATE)
    seen = schedule(sweep, world.leo, immediate, range(10, 41))
    assert seen == {7: [(K.ESCALATION_LEADER, 7)], 30: [(K.ESCALATION_COMMITTEE, 30)]}


def test_the_same_day_swept_twice_reminds_an_immediate_measure_once(world, policy, sweep):
    immediate = create(world, RectificationKind.IMMEDIATE)
    first = sweep(7)
    assert ReminderItem.objects.filter(run=first, rectification=immediate, recipient=world.mike).count() == 1
    second = sweep(7)
    assert not ReminderItem.objects.filter(run=second, rectification=immediate).exists()
