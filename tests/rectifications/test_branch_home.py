"""本支部整改: Sam's home page groups A1's open measures by what needs doing."""

import datetime
import re

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Role
from partyreview.common.dates import local_today
from partyreview.organizations.models import Membership
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification, RectificationStatus
from partyreview.rectifications.selectors import reporter_worklist
from tests.factories import FindingFactory, RectificationFactory
from tests.orglife.conftest import hold

HOME = reverse("rectifications:my_branch")


def _groups(html: str) -> list[str]:
    return re.findall(r'data-group="(\w+)"', html)


@pytest.fixture
def a1_mix(world):
    """One A1 measure in each situation, plus one in B1 that Sam must never see."""
    return {
        "rest": world.rectification(world.a1, due_in=30),
        "due_soon": world.rectification(world.a1, due_in=3),
        "overdue": world.rectification(world.a1, state="in_progress", due_in=-4),
        "returned": world.rectification(world.a1, state="returned"),
        "submitted": world.rectification(world.a1, state="submitted"),
        "closed": world.rectification(world.a1, state="closed"),
        "b1": world.rectification(world.b1, due_in=-2),
    }


def test_groups_come_returned_overdue_due_soon_rest_then_waiting_for_review(world, client_for, a1_mix):
    html = client_for(world.sam).get(HOME).content.decode()
    assert _groups(html) == ["returned", "overdue", "due_soon", "rest", "submitted"]
    groups = {g.key: [r.pk for r in g.rectifications] for g in reporter_worklist(world.sam)}
    for key in groups:
        # No 长期坚持 measure here: its two groups (report_due, long_term) stay empty.
        assert groups[key] == ([a1_mix[key].pk] if key in a1_mix else [])


def test_returned_measure_shows_the_staff_reason_first(world, client_for, a1_mix):
    html = client_for(world.sam).get(HOME).content.decode()
    first_card = html[html.index('data-group="returned"') : html.index('data-group="overdue"')]
    assert "退回原因：" in first_card
    assert "材料不全" in first_card


def test_each_measure_shows_its_light_days_and_finding(world, client_for, a1_mix):
    html = client_for(world.sam).get(HOME).content.decode()
    overdue = html[html.index('data-group="overdue"') : html.index('data-group="due_soon"')]
    assert "light-3" in overdue
    assert "逾期 4 天" in overdue
    assert "问题：支部未按期召开党员大会" in overdue
    due_soon = html[html.index('data-group="due_soon"') : html.index('data-group="rest"')]
    assert "light-2" in due_soon
    assert "剩余 3 天" in due_soon
    rest = html[html.index('data-group="rest"') : html.index('data-group="submitted"')]
    assert "light-1" in rest
    assert reverse("rectifications:detail", args=[a1_mix["rest"].pk]) in rest


def test_closed_measures_are_one_tap_away(world, client_for, a1_mix):
    client = client_for(world.sam)
    home = client.get(HOME).content.decode()
    closed_link = f"{HOME}?show=closed"
    assert closed_link in home
    assert reverse("rectifications:detail", args=[a1_mix["closed"].pk]) not in home
    closed = client.get(closed_link).content.decode()
    assert reverse("rectifications:detail", args=[a1_mix["closed"].pk]) in closed
    assert reverse("rectifications:detail", args=[a1_mix["rest"].pk]) not in closed


def test_secretary_never_sees_another_branch(world, client_for, a1_mix):
    html = client_for(world.sam).get(HOME).content.decode()
    assert reverse("rectifications:detail", args=[a1_mix["b1"].pk]) not in html
    html = client_for(world.sara).get(HOME).content.decode()
    assert reverse("rectifications:detail", args=[a1_mix["b1"].pk]) in html
    assert reverse("rectifications:detail", args=[a1_mix["rest"].pk]) not in html


def test_secretary_of_two_branches_sees_both_with_branch_names(world, client_for):
    Membership.objects.create(user=world.sam, organization=world.a2, role=Role.SECRETARY)
    a1 = world.rectification(world.a1)
    a2 = services.finding_file(
        actor=world.alice,
        inspection=world.inspection,
        organization=world.a2,
        category=world.category(),
        description="A2 党费台账缺失",
        found_on=local_today(),
        measures=[services.MeasureInput(measure="建立党费台账", assignee=world.sam, due_date=local_today())],
    ).rectifications.get()
    html = client_for(world.sam).get(HOME).content.decode()
    assert reverse("rectifications:detail", args=[a1.pk]) in html
    assert reverse("rectifications:detail", args=[a2.pk]) in html
    assert world.a2.name in html


def test_assignee_sees_only_what_is_assigned_to_them(world, client_for):
    mikes = world.rectification(world.a1)
    sams = services.rectification_create(
        actor=world.alice,
        finding=mikes.finding,
        measure="书记本人负责的措施",
        assignee=world.sam,
        due_date=local_today() + datetime.timedelta(days=20),
    )
    html = client_for(world.mike).get(HOME).content.decode()
    assert "我的整改任务" in html
    assert reverse("rectifications:detail", args=[mikes.pk]) in html
    assert reverse("rectifications:detail", args=[sams.pk]) not in html
    html = client_for(world.sam).get(HOME).content.decode()
    assert reverse("rectifications:detail", args=[sams.pk]) in html


def test_staff_home_lists_only_what_they_report_on(world, client_for, a1_mix):
    html = client_for(world.alice).get(HOME).content.decode()
    assert 'data-group="' not in html
    assert "目前没有待办的整改任务" in html


def _bulk_a1_measures(world, count: int) -> None:
    """``count`` measures in A1 spread over every group; factories, so 200 rows stay fast."""
    today = local_today()
    finding = FindingFactory(
        inspection=world.inspection, organization=world.a1, created_by=world.alice, category=world.category()
    )
    plans = [
        (RectificationStatus.RETURNED, 10),
        (RectificationStatus.IN_PROGRESS, -5),
        (RectificationStatus.PENDING, 2),
        (RectificationStatus.IN_PROGRESS, 40),
        (RectificationStatus.SUBMITTED, 5),
    ]
    RectificationFactory.create_batch(
        count,
        finding=finding,
        number=factory.Iterator(range(1, count + 1)),
        responsible_org=world.a1,
        assignee=world.mike,
        created_by=world.alice,
        status=factory.Iterator([status for status, _ in plans]),
        due_date=factory.Iterator([today + datetime.timedelta(days=days) for _, days in plans]),
        return_reason="请补充签到表",
    )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_home_query_count_does_not_grow_with_the_number_of_measures(
    world, client_for, django_assert_num_queries, settings
):
    settings.CACHED_FIGURES_SECONDS = 0  # what counting costs; the cached card is tested below
    client = client_for(world.sam)
    _bulk_a1_measures(world, 10)
    small = _queries(client)
    _bulk_a1_measures(world, 200)
    # Request: session, user, grants, unread count, and the session saved again (three statements).
    # The page: the two counts, the branch names, the measures with everything a card shows and their
    # people; the branch's organisational-life card (rule settings, meetings, dues, terms, suggestions,
    # record permission).
    with django_assert_num_queries(17):
        response = client.get(HOME)
    assert response.content.decode().count("list-group-item branch-card") == 210
    assert small == 17


def test_closed_list_query_count_does_not_grow(world, client_for):
    client = client_for(world.sam)
    counts = []
    for batch in (10, 200):
        _bulk_a1_measures(world, batch)
        Rectification.objects.filter(responsible_org=world.a1).update(
            status=RectificationStatus.CLOSED, closed_by=world.alice, closed_at=datetime.datetime.now(datetime.UTC)
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{HOME}?show=closed").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_org_life_card_sits_below_the_tabs_not_inside_a_link(world, client_for, a1_mix):
    html = client_for(world.sam).get(HOME).content.decode()
    tabs = html[html.index('<ul class="nav nav-pills') : html.index("</ul>", html.index('<ul class="nav nav-pills'))]
    closed_tab = f'<a class="nav-link" href="{HOME}?show=closed">已销号'

    assert closed_tab in tabs
    assert "组织生活" not in tabs
    assert "本月还需" in html[html.index(closed_tab) :]
    assert "本月还需" not in client_for(world.sam).get(HOME, {"show": "closed"}).content.decode()


def test_the_org_life_card_is_counted_once_until_a_record_changes_it(world, client_for, a1_mix):
    """The branch card checks the branch against the rules; it is kept in the cache (common.generations)
    until an organisational-life record changes, so a reload skips its queries and a meeting recorded
    since shows at once."""
    world.a1.has_committee = True
    world.a1.save()
    client = client_for(world.sam)
    first = _queries(client)
    again = _queries(client)
    before = _still_needed(client.get(HOME).content.decode())
    hold(world.a1, world.sam, ["committee_meeting"], timezone.now() - datetime.timedelta(hours=1))
    after = _still_needed(client.get(HOME).content.decode())

    assert again == first - 6  # the six queries that check the branch against the rules
    assert "支委会" in before
    assert "支委会" not in after


def _still_needed(html: str) -> str:
    start = html.index("本月还需")
    return html[start : html.index("</div>", start)]
