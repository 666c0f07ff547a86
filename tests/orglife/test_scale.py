"""The nightly check over 1,000 branches and a year of their records: the same number of queries as over ten.

Rows are written with bulk_create (the services would take minutes to build this much); the check itself
runs as at night. The time it takes is printed (run with -s), not asserted: machines differ.
"""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partyreview.accounts.models import Notification, Role, User
from partyreview.common.dates import local_today
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.orglife.models import Breach, DuesPayment, MeetingRecord, MeetingRecordType, PartyMember
from partyreview.orglife.rules import add_months
from partyreview.orglife.selectors import compliance
from partyreview.orglife.services import org_life_check
from tests.factories import UserFactory
from tests.orglife.conftest import beijing

AS_OF = datetime.date(2026, 4, 1)
FIRST_MONTH = datetime.date(2025, 4, 1)  # a year of records: April 2025 to March 2026
LAGGARDS = 3  # branches that skipped March's meetings, in every run
MEMBERS_PER_BRANCH = 5


def seed_branches(committee: Organization, clerk: User, count: int, start: int) -> None:
    """``count`` branches under the committee with a year of meetings and dues paid to date."""
    branches = Organization.objects.bulk_create(
        [
            Organization(
                name=f"第{start + i}党支部",
                code=f"S{start + i:05d}",
                kind=OrganizationKind.BRANCH,
                parent=committee,
                has_committee=True,
                formal_member_count=10,
                term_start=datetime.date(2025, 1, 1),
                term_end=datetime.date(2028, 1, 1),
            )
            for i in range(count)
        ]
    )
    for branch in branches:  # bulk_create skips save(), which keeps the materialised path
        branch.path, branch.depth = f"{committee.path}{branch.pk:06d}/", 1
    Organization.objects.bulk_update(branches, ["path", "depth"])

    meetings, types = [], []
    for index, branch in enumerate(branches):
        laggard = start + index < LAGGARDS
        for offset in range(12):
            month = add_months(FIRST_MONTH, offset)
            if laggard and month.month == 3:
                continue
            held = [["committee_meeting", "theme_day"]]
            if month.month in (2, 5, 8, 11):
                held.append(["branch_assembly", "party_lecture"])
            if month.month == 12:
                held.append(["life_meeting", "member_review"])
            for day, kinds in enumerate(held, start=5):
                meetings.append(
                    MeetingRecord(
                        organization=branch,
                        held_at=beijing(month.year, month.month, day, 15),
                        topic="例会",
                        expected_count=10,
                        present_count=9,
                        recorded_by=clerk,
                    )
                )
                types.append(kinds)
    meetings = MeetingRecord.objects.bulk_create(meetings, batch_size=2000)
    MeetingRecordType.objects.bulk_create(
        [MeetingRecordType(meeting=m, type=t) for m, kinds in zip(meetings, types, strict=True) for t in kinds],
        batch_size=5000,
    )
    members = PartyMember.objects.bulk_create(
        [
            PartyMember(
                organization=branch,
                name=f"党员{n}",
                joined_on=datetime.date(2000, 7, 1),
                dues_from=FIRST_MONTH,
            )
            for branch in branches
            for n in range(MEMBERS_PER_BRANCH)
        ],
        batch_size=5000,
    )
    DuesPayment.objects.bulk_create(
        [
            DuesPayment(
                member=m,
                month=add_months(FIRST_MONTH, k),
                amount=Decimal("20.00"),
                paid_on=FIRST_MONTH,
                recorded_by=clerk,
            )
            for m in members
            for k in range(12)
        ],
        batch_size=5000,
    )


def analyze_as_autovacuum_would() -> None:
    """Give PostgreSQL's planner statistics of the rows just written, as autovacuum gives a real database
    after a large change. Without them it planned from whatever the tables held when last analysed (often
    nearly nothing, after other tests): nested loops over 60,000 rows took 200–300 s instead of under one,
    now and then, on the same queries. ANALYZE counts the rows this transaction inserted."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table for model in (Organization, MeetingRecord, MeetingRecordType, PartyMember, DuesPayment)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def timed_check() -> tuple[int, float, int]:
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        result = org_life_check(as_of=AS_OF)
        elapsed = time.perf_counter() - began
    return len(queries), elapsed, result.created


@pytest.mark.django_db
def test_the_check_over_a_thousand_branches_costs_the_same_queries_as_over_ten(capsys):
    committee = Organization.objects.create(name="大党委", code="BIG", kind=OrganizationKind.COMMITTEE)
    clerk = UserFactory(username="clerk")
    Membership.objects.create(user=clerk, organization=committee, role=Role.STAFF)

    seed_branches(committee, clerk, 10, start=0)
    small_queries, small_time, small_created = timed_check()
    assert small_created == LAGGARDS * 2  # 支委会 and 主题党日 for March
    Breach.objects.all().delete()
    Notification.objects.all().delete()

    seed_branches(committee, clerk, 990, start=10)
    assert Organization.objects.filter(kind=OrganizationKind.BRANCH).count() == 1000
    analyze_as_autovacuum_would()
    large_queries, large_time, large_created = timed_check()
    assert large_created == small_created
    assert large_queries == small_queries

    began = time.perf_counter()
    with CaptureQueriesContext(connection) as view_queries:
        rows = compliance(Organization.objects.filter(kind=OrganizationKind.BRANCH), local_today())
    view_time = time.perf_counter() - began
    assert len(rows) == 1000
    with capsys.disabled():
        print(
            f"\norg_life_check: 10 branches {small_time:.2f}s, 1,000 branches and a year of records "
            f"{large_time:.2f}s, {large_queries} queries; compliance view over 1,000 branches "
            f"{view_time:.2f}s, {len(view_queries)} queries"
        )
