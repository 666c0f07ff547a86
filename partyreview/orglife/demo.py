"""Demo data for organisational life, on top of the rectification demo (rectifications/demo.py): a year of
meetings with a few gaps, rosters and dues ledgers for three branches, one approved term extension, and
the nightly check run once so the suggestion queue is not empty.

The secretary's branch (办公室党支部) has held no 支委会 or 主题党日 this month, so its page says
"本月还需：支委会、主题党日" until someone records them.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.organizations.models import Organization
from partyreview.orglife import services
from partyreview.orglife.models import MemberCategory, MemberStatus, PartyMember
from partyreview.orglife.rules import add_months, local_midnight, month_start

SECRETARY_BRANCH = "办公室党支部"
ROSTER_BRANCHES = ["办公室党支部", "第一车间党支部", "离退休党支部"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "秀英", "志强", "丽娟", "国庆", "海燕", "永刚", "晓明", "桂兰", "德胜", "红梅", "文杰"]
TOPICS = {
    "committee_meeting": "研究本月党建工作安排",
    "theme_day": "主题党日：重温入党誓词",
    "group_meeting": "党小组学习讨论",
    "branch_assembly": "支部党员大会：通报季度工作",
    "party_lecture": "专题党课：学习党的二十届三中全会精神",
    "life_meeting": "年度组织生活会",
    "member_review": "民主评议党员",
}


def _secretary_of(branch: Organization) -> User:
    return User.objects.filter(memberships__organization=branch, memberships__role=Role.SECRETARY).first()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return local_midnight(day) + datetime.timedelta(hours=hour)


def _hold(branch: Organization, actor: User, types: list[str], when: datetime.datetime) -> None:
    if when >= timezone.now():
        return
    services.meeting_record(
        actor=actor,
        organization=branch,
        types=types,
        held_at=when,
        topic=TOPICS[types[0]],
        speaker="支部书记" if "party_lecture" in types else "",
        expected_count=max(branch.formal_member_count, 3),
        present_count=max(branch.formal_member_count - 1, 3),
        minutes="一、传达学习上级精神；二、结合实际研究落实措施；三、明确分工和完成时限。",
    )


def _meetings(branch: Organization, actor: User, index: int, today: datetime.date) -> None:
    """Twelve months up to last month, with a gap here and there; this month only what the plan leaves."""
    this_month = month_start(today)
    for offset in range(12, 0, -1):
        month = add_months(this_month, -offset)
        # Every fifth branch-month goes without a 支委会, every seventh without a 主题党日: the check finds them.
        monthly = []
        if branch.has_committee and (index + offset) % 5:
            monthly.append("committee_meeting")
        if (index + offset) % 7:
            monthly.append("theme_day")
        if branch.has_party_groups:
            _hold(branch, actor, ["group_meeting"], _at(month + datetime.timedelta(days=2), 10))
        if month.month % 3 == 2 and (index + offset) % 4:
            monthly = ["branch_assembly", *monthly]  # the quarter's 党员大会 held as the month's 主题党日
        if monthly:
            _hold(branch, actor, monthly, _at(month + datetime.timedelta(days=9), 15))
        if month.month % 3 == 0 and index % 6:
            _hold(branch, actor, ["party_lecture"], _at(month + datetime.timedelta(days=19), 14))
        if month.month == 12 and index % 5:
            _hold(branch, actor, ["life_meeting", "member_review"], _at(month + datetime.timedelta(days=24), 9))
    if branch.has_party_groups:
        _hold(branch, actor, ["group_meeting"], _at(this_month, 10))


def _roster(branch: Organization, actor: User, today: datetime.date) -> list[PartyMember]:
    members = []
    size = max(branch.formal_member_count, 5)
    ledger_start = add_months(month_start(today), -12)
    for n in range(size):
        name = SURNAMES[(n * 7 + branch.pk) % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        if any(m.name == name for m in members):
            name += str(n)
        members.append(
            services.member_create(
                actor=actor,
                organization=branch,
                name=name,
                joined_on=datetime.date(1985 + n % 35, 7, 1),
                category=MemberCategory.FORMAL,
                status=MemberStatus.RETIRED if branch.name == "离退休党支部" else MemberStatus.ACTIVE,
                dues_from=ledger_start,
            )
        )
    newcomer = today - datetime.timedelta(days=50)
    members.append(
        services.member_create(
            actor=actor,
            organization=branch,
            name="新同志" + branch.name[:2],
            joined_on=newcomer,
            category=MemberCategory.PROBATIONARY,
        )
    )
    return members


def _dues(members: list[PartyMember], actor: User, today: datetime.date) -> None:
    """Paid quarterly in advance by most; the second member stopped 4 months ago, the third 7 months ago."""
    last = add_months(month_start(today), -1)
    for n, member in enumerate(members):
        stop = {1: 4, 2: 7}.get(n, 0)
        month = member.dues_from
        while month <= add_months(last, -stop):
            end = min(add_months(month, 2), add_months(last, -stop))
            months = (end.year - month.year) * 12 + end.month - month.month + 1
            services.dues_record(
                actor=actor,
                member=member,
                first_month=month,
                last_month=end,
                amount=Decimal("25.00") * months,
                paid_on=min(month + datetime.timedelta(days=4), today),
            )
            month = add_months(end, 1)


@transaction.atomic
def seed_orglife_demo() -> None:
    today = local_today()
    branches = list(Organization.objects.filter(code__startswith="DEMO-", kind="branch").order_by("path"))
    staff = User.objects.get(username="staff")
    for index, branch in enumerate(branches):
        secretary = _secretary_of(branch) or staff
        if branch.name == SECRETARY_BRANCH:
            # The demo secretary's branch keeps only a few gaps, so its page is not all red.
            _meetings(branch, secretary, 1, today)
        else:
            _meetings(branch, secretary, index, today)
        if branch.name in ROSTER_BRANCHES:
            _dues(_roster(branch, secretary, today), secretary, today)
    extended = next((b for b in branches if b.name == "组织人事党支部"), None)
    if extended is not None and extended.term_end:
        services.term_extension_record(
            actor=staff,
            organization=extended,
            extended_to=max(extended.term_end, today) + datetime.timedelta(days=180),
            approved_on=min(extended.term_end, today),
            approval_ref="示范集团党委〔2026〕12号",
            reason="单位机构改革期间，经党委批准延期换届。",
        )
    services.org_life_check(as_of=today, notify=False)
