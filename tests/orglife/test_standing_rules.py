"""The dues, term and set-up rows of the rule table, as tables of cases.

Dues: the month in progress is not owed; 3 consecutive unpaid months raise a yellow suggestion, 6 a red
one (and then not the yellow one too). Terms: yellow within 6 months of the end, red after it, an approved
extension moves the end. Set-up: 7 formal members need a committee; more than 50 members are flagged.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from partyreview.organizations.models import Organization
from partyreview.orglife import services
from partyreview.orglife.models import MemberCategory, MemberStatus, PartyMember
from partyreview.orglife.selectors import Checker, last_completed_month, member_arrears

D = datetime.date
APRIL_10 = D(2026, 4, 10)  # the last completed month is March 2026


def standing(org: Organization, as_of: datetime.date) -> dict[str, tuple[str, int]]:
    """rule → (period key, light) for the standing rules that break."""
    checker = Checker(Organization.objects.filter(pk=org.pk), as_of)
    return {v.rule: (v.period_key, v.light) for v in checker.standing_verdicts() if v.is_breach}


def member(world, org: Organization, name: str, *, dues_from: datetime.date, **fields: object) -> PartyMember:
    return services.member_create(
        actor=world.alice,
        organization=org,
        name=name,
        joined_on=fields.pop("joined_on", D(2010, 7, 1)),
        dues_from=dues_from,
        **fields,
    )


def pay(
    world, m: PartyMember, first: datetime.date, last: datetime.date | None = None, paid_on: datetime.date | None = None
) -> None:
    services.dues_record(
        actor=world.sam, member=m, first_month=first, last_month=last, amount=Decimal("30.00"), paid_on=paid_on or first
    )


# ---- dues ----------------------------------------------------------------------------------------------

# name → (dues_from, months paid [(first, last)], as of, months behind, rules raised)
DUES_CASES = {
    "paid up to last month: not behind": (D(2025, 1, 1), [(D(2025, 1, 1), D(2026, 3, 1))], APRIL_10, 0, {}),
    "the month in progress is not owed yet": (D(2026, 1, 1), [(D(2026, 1, 1), D(2026, 3, 1))], D(2026, 4, 30), 0, {}),
    "two months behind: nothing raised": (D(2025, 1, 1), [(D(2025, 1, 1), D(2026, 1, 1))], APRIL_10, 2, {}),
    "three consecutive months unpaid: yellow": (
        D(2025, 1, 1),
        [(D(2025, 1, 1), D(2025, 12, 1))],
        APRIL_10,
        3,
        {"dues_arrears": ("2026-Q2", 2)},
    ),
    "six consecutive months unpaid: red, and not yellow as well": (
        D(2025, 1, 1),
        [(D(2025, 1, 1), D(2025, 9, 1))],
        APRIL_10,
        6,
        {"dues_long_arrears": ("2026-Q2", 3)},
    ),
    "never paid since dues began: every month since counts": (
        D(2025, 10, 1),
        [],
        APRIL_10,
        6,
        {"dues_long_arrears": ("2026-Q2", 3)},
    ),
    "months paid in advance cover the months they name": (
        D(2026, 1, 1),
        [(D(2026, 1, 1), D(2026, 12, 1))],
        APRIL_10,
        0,
        {},
    ),
    "a gap before an advance payment is not consecutive arrears": (
        D(2025, 10, 1),
        [(D(2025, 10, 1), None), (D(2026, 3, 1), D(2026, 8, 1))],
        APRIL_10,
        0,
        {},
    ),
    "a later gap after advance months counts from the month after them": (
        D(2025, 1, 1),
        [(D(2025, 1, 1), D(2025, 12, 1))],
        D(2026, 7, 2),
        6,
        {"dues_long_arrears": ("2026-Q3", 3)},
    ),
}


@pytest.mark.parametrize("name", list(DUES_CASES))
def test_dues_rule_table(world, name):
    dues_from, payments, as_of, behind, raised = DUES_CASES[name]
    m = member(world, world.a1, "赵一", dues_from=dues_from)
    for first, last in payments:
        pay(world, m, first, last, paid_on=min(first, D(2026, 1, 5)))
    arrears = member_arrears(Organization.objects.filter(pk=world.a1.pk), last_completed_month(as_of))
    assert [a.months_behind for a in arrears] == [behind]
    assert standing(world.a1, as_of) == raised


@time_machine.travel(datetime.datetime(2026, 4, 10, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_a_probationary_members_first_month_is_owed(world):
    """预备党员从支部大会通过之日起交纳党费: the month of admission is the first month owed."""
    m = services.member_create(
        actor=world.sam,
        organization=world.a1,
        name="钱二",
        joined_on=D(2026, 1, 20),
        category=MemberCategory.PROBATIONARY,
    )
    assert m.dues_from == D(2026, 1, 1)
    assert "dues_arrears" not in standing(world.a1, D(2026, 3, 31))  # January and February: two months
    assert standing(world.a1, D(2026, 4, 1))["dues_arrears"] == ("2026-Q2", 2)  # January to March: three
    pay(world, m, D(2026, 1, 1), D(2026, 3, 1), paid_on=D(2026, 3, 31))
    assert standing(world.a1, D(2026, 4, 1)) == {}


def test_members_who_do_not_owe_dues_are_not_counted(world):
    member(world, world.a1, "孙三", dues_from=D(2025, 1, 1), status=MemberStatus.TRANSFERRED)
    member(world, world.a1, "李四", dues_from=D(2025, 1, 1), dues_exempt=True)
    retired = member(world, world.a1, "周五", dues_from=D(2025, 1, 1), status=MemberStatus.RETIRED)
    assert standing(world.a1, APRIL_10) == {"dues_long_arrears": ("2026-Q2", 3)}
    pay(world, retired, D(2025, 1, 1), D(2026, 3, 1), paid_on=D(2026, 3, 1))
    assert standing(world.a1, APRIL_10) == {}


def test_a_branch_without_a_roster_raises_no_dues_suggestion(world):
    assert standing(world.a1, APRIL_10) == {}


def test_the_dues_suggestion_names_the_members_behind(world):
    member(world, world.a1, "吴六", dues_from=D(2025, 10, 1))
    checker = Checker(Organization.objects.filter(pk=world.a1.pk), APRIL_10)
    (verdict,) = [v for v in checker.standing_verdicts() if v.is_breach]
    assert "吴六（6个月）" in verdict.description
    assert "系统不作自动处理" in verdict.description


def test_months_paid_together_are_split_into_monthly_rows_that_add_up(world):
    m = member(world, world.a1, "郑七", dues_from=D(2026, 1, 1))
    rows = services.dues_record(
        actor=world.sam,
        member=m,
        first_month=D(2026, 1, 1),
        last_month=D(2026, 3, 1),
        amount=Decimal("100.00"),
        paid_on=D(2026, 1, 5),
    )
    assert [r.month for r in rows] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert sum(r.amount for r in rows) == Decimal("100.00")
    assert {r.paid_on for r in rows} == {D(2026, 1, 5)}


# ---- terms ---------------------------------------------------------------------------------------------

# name → (term_start, term_end, extension (term it extends, to) or None, as of, rules raised)
TERM_CASES = {
    "more than six months left: nothing": (D(2023, 12, 1), D(2026, 12, 1), None, APRIL_10, {}),
    "six months left: yellow, once for this term": (
        D(2023, 9, 1),
        D(2026, 9, 1),
        None,
        APRIL_10,
        {"term_ending": ("term-20260901", 2)},
    ),
    "the last day of the term is not yet expired": (
        D(2023, 4, 10),
        D(2026, 4, 10),
        None,
        APRIL_10,
        {"term_ending": ("term-20260410", 2)},
    ),
    "expired: red, and not yellow as well": (
        D(2023, 4, 1),
        D(2026, 4, 1),
        None,
        APRIL_10,
        {"term_expired": ("term-20260401", 3)},
    ),
    "expired but extended by approval: judged by the approved date": (
        D(2023, 4, 1),
        D(2026, 4, 1),
        (D(2026, 4, 1), D(2026, 12, 31)),
        APRIL_10,
        {},
    ),
    "extended, and the extension itself ends within six months: yellow for the extended end": (
        D(2023, 4, 1),
        D(2026, 4, 1),
        (D(2026, 4, 1), D(2026, 8, 31)),
        APRIL_10,
        {"term_ending": ("term-20260831", 2)},
    ),
    "an extension of an earlier term does not extend this one": (
        D(2023, 4, 1),
        D(2026, 4, 1),
        (D(2023, 1, 1), D(2026, 12, 31)),
        APRIL_10,
        {"term_expired": ("term-20260401", 3)},
    ),
    "only the start recorded: a branch term is three years": (
        D(2023, 4, 1),
        None,
        None,
        APRIL_10,
        {"term_expired": ("term-20260401", 3)},
    ),
    "no term recorded: nothing to judge": (None, None, None, APRIL_10, {}),
}


@pytest.mark.parametrize("name", list(TERM_CASES))
def test_term_rule_table(world, name):
    start, end, extension, as_of, raised = TERM_CASES[name]
    org = world.a1
    org.term_start, org.term_end = start, end
    org.save()
    if extension:
        from partyreview.orglife.models import TermExtension

        TermExtension.objects.create(
            organization=org,
            term_end=extension[0],
            extended_to=extension[1],
            approved_on=D(2026, 3, 1),
            reason="重大任务期间",
            recorded_by=world.alice,
        )
    assert standing(org, as_of) == raised


def test_a_committee_term_is_five_years_when_only_the_start_is_recorded(world):
    world.committee.term_start = D(2021, 6, 1)
    world.committee.save()
    assert standing(world.committee, APRIL_10) == {"term_ending": ("term-20260601", 2)}


def test_staff_record_an_extension_for_the_current_term(world):
    org = world.a1
    org.term_start, org.term_end = D(2023, 4, 1), D(2026, 4, 1)
    org.save()
    extension = services.term_extension_record(
        actor=world.alice,
        organization=org,
        extended_to=D(2026, 12, 31),
        approved_on=D(2026, 3, 20),
        reason="待上级统一部署",
    )
    assert extension.term_end == D(2026, 4, 1)
    assert standing(org, APRIL_10) == {}


def test_a_new_election_starts_a_new_term(world):
    org = services.term_record_election(
        actor=world.alice, organization=world.a1, elected_on=D(2026, 3, 1), term_years=3
    )
    assert (org.term_start, org.term_end) == (D(2026, 3, 1), D(2029, 3, 1))


# ---- set-up --------------------------------------------------------------------------------------------

# name → (organisation fields, roster [(category, status)], rules raised)
SETUP_CASES = {
    "seven formal members and no committee: red": ({"formal_member_count": 7}, [], {"committee_missing": ("2026", 3)}),
    "six formal members need no committee": ({"formal_member_count": 6, "probationary_member_count": 3}, [], {}),
    "seven formal members with a committee: fine": ({"formal_member_count": 7, "has_committee": True}, [], {}),
    "more than fifty members: flagged yellow": (
        {"formal_member_count": 45, "probationary_member_count": 6, "has_committee": True},
        [],
        {"branch_too_large": ("2026", 2)},
    ),
    "fifty members exactly: fine": (
        {"formal_member_count": 45, "probationary_member_count": 5, "has_committee": True},
        [],
        {},
    ),
    "the roster, when kept, counts instead of the recorded figures": (
        {"formal_member_count": 3},
        [("formal", "active")] * 6 + [("formal", "retired"), ("formal", "transferred"), ("probationary", "active")],
        {"committee_missing": ("2026", 3)},
    ),
    "transferred members and probationary ones do not make a committee necessary": (
        {"formal_member_count": 30},
        [("formal", "active")] * 6 + [("formal", "transferred"), ("probationary", "active")],
        {},
    ),
}


@pytest.mark.parametrize("name", list(SETUP_CASES))
def test_setup_rule_table(world, name):
    fields, roster, raised = SETUP_CASES[name]
    org = world.a1
    for field, value in fields.items():
        setattr(org, field, value)
    org.save()
    for index, (category, status) in enumerate(roster):
        PartyMember.objects.create(
            organization=org,
            name=f"党员{index}",
            category=category,
            status=status,
            joined_on=D(2010, 1, 1),
            dues_from=D(2026, 1, 1),
            dues_exempt=True,
        )
    assert standing(org, APRIL_10) == raised
