"""The meeting rows of the rule table, one case per line, judged as the nightly check judges them.

Every case checks A1 (a committee, party groups, ten formal members) as of a day, after the meetings it
lists, and names exactly the suggestions the check would raise: (rule, period).
"""

import datetime

import pytest

from partyreview.organizations.models import Organization
from partyreview.orglife.models import RuleSetting
from partyreview.orglife.rules import PeriodKind, period_of
from partyreview.orglife.selectors import Checker
from tests.orglife.conftest import beijing, hold

APRIL_1 = datetime.date(2026, 4, 1)
# As of 1 April 2026 the completed periods are March, the first quarter and the year 2025.
EVERYTHING_MISSING = {
    ("branch_assembly", "2026-Q1"),
    ("committee_meeting", "2026-03"),
    ("group_meeting", "2026-03"),
    ("theme_day", "2026-03"),
    ("party_lecture", "2026-Q1"),
    ("life_meeting", "2025"),
    ("member_review", "2025"),
}
FULL_YEAR = [
    (["life_meeting", "member_review"], beijing(2025, 12, 20)),
    (["branch_assembly", "party_lecture"], beijing(2026, 2, 10)),
    (["committee_meeting", "group_meeting", "theme_day"], beijing(2026, 3, 5)),
]


def breaches(org: Organization, as_of: datetime.date) -> set[tuple[str, str]]:
    checker = Checker(Organization.objects.filter(pk=org.pk), as_of)
    return {(v.rule, v.period_key) for v in checker.completed_verdicts() if v.is_breach}


# name → (organisation fields, meetings held [(types, Beijing time)], as of, suggestions expected)
CASES = {
    "nothing held: every meeting rule is missed in its last completed period": ({}, [], APRIL_1, EVERYTHING_MISSING),
    "everything held: nothing to raise": ({}, FULL_YEAR, APRIL_1, set()),
    "a branch without a committee is not asked for 支委会": (
        {"has_committee": False, "formal_member_count": 5},
        [],
        APRIL_1,
        EVERYTHING_MISSING - {("committee_meeting", "2026-03")},
    ),
    "a branch without party groups is not asked for 党小组会": (
        {"has_party_groups": False},
        [],
        APRIL_1,
        EVERYTHING_MISSING - {("group_meeting", "2026-03")},
    ),
    "one meeting counts for two types (党员大会 held as the month's 主题党日)": (
        {},
        [(["branch_assembly", "theme_day"], beijing(2026, 3, 10))],
        APRIL_1,
        EVERYTHING_MISSING - {("branch_assembly", "2026-Q1"), ("theme_day", "2026-03")},
    ),
    "a meeting at 23:30 Beijing time on the last day of a quarter belongs to that quarter": (
        {},
        [(["branch_assembly"], beijing(2026, 3, 31, 23, 30))],
        APRIL_1,
        EVERYTHING_MISSING - {("branch_assembly", "2026-Q1")},
    ),
    "a meeting at 00:30 on the first day of the next quarter does not count for the one before": (
        {},
        [(["branch_assembly"], beijing(2026, 4, 1, 0, 30))],
        datetime.date(2026, 4, 2),
        EVERYTHING_MISSING,
    ),
    "a meeting in an earlier month does not cover this month": (
        {},
        [(["committee_meeting"], beijing(2026, 2, 28, 23, 59))],
        APRIL_1,
        EVERYTHING_MISSING,
    ),
    "a branch founded mid-quarter is asked from its first full month, quarter and year": (
        {"founded_on": datetime.date(2026, 2, 15)},
        [],
        APRIL_1,
        {("committee_meeting", "2026-03"), ("group_meeting", "2026-03"), ("theme_day", "2026-03")},
    ),
    "a branch founded on the first day of a period is asked for it": (
        {"founded_on": datetime.date(2026, 1, 1)},
        [],
        APRIL_1,
        EVERYTHING_MISSING - {("life_meeting", "2025"), ("member_review", "2025")},
    ),
    "a branch founded mid-month is not asked for that month": (
        {"founded_on": datetime.date(2026, 3, 2)},
        [],
        APRIL_1,
        set(),
    ),
    "an inactive branch is not checked": ({"is_active": False}, [], APRIL_1, set()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_meeting_rule_table(world, branch, name):
    fields, meetings, as_of, expected = CASES[name]
    for field, value in fields.items():
        setattr(branch, field, value)
    branch.save()
    for types, at in meetings:
        hold(branch, world.sam, types, at)
    assert breaches(branch, as_of) == expected


def test_the_next_quarter_counts_the_meeting_held_just_after_midnight(world, branch):
    hold(branch, world.sam, ["branch_assembly"], beijing(2026, 4, 1, 0, 30))
    assert ("branch_assembly", "2026-Q2") not in breaches(branch, datetime.date(2026, 7, 1))


def test_a_void_meeting_does_not_count(world, branch):
    from partyreview.orglife.services import meeting_void

    meeting = hold(branch, world.sam, ["theme_day"], beijing(2026, 3, 10))
    assert ("theme_day", "2026-03") not in breaches(branch, APRIL_1)
    meeting_void(actor=world.sam, meeting=meeting, reason="录错了支部")
    assert ("theme_day", "2026-03") in breaches(branch, APRIL_1)


def test_another_branchs_meeting_does_not_count(world, branch):
    hold(world.b1, world.sara, ["theme_day"], beijing(2026, 3, 10))
    assert ("theme_day", "2026-03") in breaches(branch, APRIL_1)


def test_a_disabled_rule_is_not_checked(world, branch):
    RuleSetting.objects.filter(organization_kind="branch", rule="theme_day").update(is_enabled=False)
    assert ("theme_day", "2026-03") not in breaches(branch, APRIL_1)


def test_a_rule_can_ask_for_more_meetings_or_a_shorter_period(world, branch):
    RuleSetting.objects.filter(organization_kind="branch", rule="party_lecture").update(period=PeriodKind.MONTH)
    RuleSetting.objects.filter(organization_kind="branch", rule="committee_meeting").update(threshold=2)
    hold(branch, world.sam, ["committee_meeting", "party_lecture"], beijing(2026, 3, 5))
    found = breaches(branch, APRIL_1)
    assert ("committee_meeting", "2026-03") in found  # one held, two asked
    assert ("party_lecture", "2026-03") not in found
    assert ("party_lecture", "2026-Q1") not in found


def test_meeting_rules_are_off_for_general_branches_by_default(world):
    assert breaches(world.general_a, APRIL_1) == set()


def test_lookback_judges_earlier_completed_periods_too(world, branch):
    checker = Checker(Organization.objects.filter(pk=branch.pk), APRIL_1)
    keys = {(v.rule, v.period_key) for v in checker.completed_verdicts(lookback=3) if v.is_breach}
    assert {("theme_day", "2026-01"), ("theme_day", "2026-02"), ("theme_day", "2026-03")} <= keys


@pytest.mark.parametrize(
    ("kind", "day", "key", "label", "start", "end"),
    [
        (
            "month",
            datetime.date(2026, 12, 31),
            "2026-12",
            "2026年12月",
            datetime.date(2026, 12, 1),
            datetime.date(2027, 1, 1),
        ),
        (
            "quarter",
            datetime.date(2026, 3, 31),
            "2026-Q1",
            "2026年第一季度",
            datetime.date(2026, 1, 1),
            datetime.date(2026, 4, 1),
        ),
        (
            "quarter",
            datetime.date(2026, 11, 22),
            "2026-Q4",
            "2026年第四季度",
            datetime.date(2026, 10, 1),
            datetime.date(2027, 1, 1),
        ),
        ("year", datetime.date(2026, 6, 1), "2026", "2026年", datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)),
    ],
)
def test_periods(kind, day, key, label, start, end):
    period = period_of(kind, day)
    assert (period.key, period.label, period.start, period.end) == (key, label, start, end)
    assert period.previous().end == period.start
    lo, hi = period.bounds()
    assert lo.utcoffset() == datetime.timedelta(hours=8)
    assert (lo.date(), hi.date()) == (start, end)
