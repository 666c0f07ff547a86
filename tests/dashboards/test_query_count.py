"""The dashboard asks the database the same number of questions for 10 rectifications or 2,000."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partyreview.common.dates import local_today
from partyreview.inspections.models import Category, Finding
from partyreview.rectifications.models import Rectification, RectificationStatus
from tests.conftest import World
from tests.factories import FindingFactory, InspectionFactory, RectificationFactory

pytestmark = pytest.mark.django_db

# Session, user, memberships; the dashboard, each share grouped by organisation as well (partials.py):
# findings per (organisation, category), categories and their measures, inspections with their findings
# and measures, branches and their measures (the headline and the rankings are summed and sorted from
# those), the lifecycle figures (立行立改, 长期坚持, 整改成效) and the findings found back (问题反弹),
# recurrence totals, the recurrences' findings and earlier candidates to pair (2), 2 trend months,
# escalations, the scope's organisations; the navigation's unread count, the filter's organisations and
# inspections (no COUNT: partyreview.common.widgets.FastSelect);
# saving the session (savepoint, update, release); the organisational-life summary card (rule settings,
# branches, meetings, dues, terms and suggestions in scope). Grouped queries rather than correlated
# subqueries: docs/performance.md.
DASHBOARD_QUERIES = 33
# Of those, what counts the organisations' shares (dashboards/selectors/partials.py): findings per
# (organisation, category) twice, measures per organisation, per category, per inspection, the lifecycle
# figures and the findings found back, findings per inspection, and two trend months.
SHARE_QUERIES = 10
# And what finds the recurrence pairs of the shown recurrences: their findings and the earlier candidates.
PAIR_QUERIES = 2


@pytest.fixture(autouse=True)
def _counted_every_time(settings) -> None:
    # These tests pin what counting costs (and write with bulk_create, which no cache hears of); what a
    # cached reload costs is pinned in test_cache.py.
    settings.CACHED_FIGURES_SECONDS = 0


STATUSES = [
    RectificationStatus.PENDING,
    RectificationStatus.IN_PROGRESS,
    RectificationStatus.SUBMITTED,
    RectificationStatus.RETURNED,
    RectificationStatus.CLOSED,
]


def _bulk(world: World, count: int) -> None:
    """``count`` rectifications (four per finding) over three branches, every category and two
    inspections (so that problems recur), in every state and light, written with bulk_create."""
    today = local_today()
    earlier = InspectionFactory(
        inspecting_org=world.committee, created_by=world.alice, start_date=today - datetime.timedelta(days=400)
    )
    later = InspectionFactory(inspecting_org=world.committee, created_by=world.alice)
    categories = list(Category.objects.all())
    branches = [world.a1, world.a2, world.b1]
    start = Finding.objects.count() + 1
    findings = Finding.objects.bulk_create(
        FindingFactory.build(
            # Two by two in one (branch, category), the earlier inspection's then the later one's: each
            # data set has recurrences, whose pairs the page reads too.
            inspection=earlier if i % 2 == 0 else later,
            organization=branches[(i // 2) % 3],
            category=categories[(i // 2) % len(categories)],
            created_by=world.alice,
            sequence=start + i,
            found_on=today - datetime.timedelta(days=i % 300),
        )
        for i in range((count + 3) // 4)
    )
    now = timezone.now()
    rows = []
    for i in range(count):
        status = STATUSES[i % len(STATUSES)]
        closed = status == RectificationStatus.CLOSED
        finding = findings[i // 4]
        rows.append(
            RectificationFactory.build(
                finding=finding,
                number=i % 4 + 1,
                responsible_org=finding.organization,
                assignee=world.mike,
                created_by=world.alice,
                status=status,
                due_date=today + datetime.timedelta(days=i % 60 - 20),
                closed_at=now - datetime.timedelta(days=i % 200) if closed else None,
                closed_by=world.alice if closed else None,
            )
        )
    Rectification.objects.bulk_create(rows)


def _count_queries(client, **params: object) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:index"), params)
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_the_data(world: World, client_for):
    client = client_for(world.leo)

    _bulk(world, 10)
    assert Rectification.objects.count() == 10
    small = _count_queries(client)

    _bulk(world, 1990)
    assert Rectification.objects.count() == 2000
    large = _count_queries(client)

    assert small == large == DASHBOARD_QUERIES


def test_a_grouped_and_a_drilled_down_dashboard_query_count_does_not_grow_either(world: World, client_for, monkeypatch):
    from partyreview.dashboards.selectors import branches

    monkeypatch.setattr(branches, "TABLE_ROWS", 1)  # three branches are "too many": one row per general branch
    client = client_for(world.leo)

    _bulk(world, 10)
    grouped_small = _count_queries(client)
    drilled_small = _count_queries(client, organization=world.general_a.pk)

    _bulk(world, 1990)
    grouped_large = _count_queries(client)
    drilled_large = _count_queries(client, organization=world.general_a.pk)

    # Drilled down: the form looks the organisation up, which is then the scope (one query less).
    assert grouped_small == grouped_large == drilled_small == drilled_large == DASHBOARD_QUERIES


def test_export_query_count_does_not_grow_with_the_data(world: World, client_for):
    client = client_for(world.leo)
    _bulk(world, 10)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("dashboards:export"))
    _bulk(world, 1990)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("dashboards:export"))
    assert len(small) == len(large)
