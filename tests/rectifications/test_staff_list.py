"""整改台账 list: every filter the register export and the dashboard links use, by its URL name."""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.rectifications.models import Rectification

TODAY = local_today()
LIST = reverse("rectifications:list")


def listed(client, **params) -> list[Rectification]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return list(response.context["page"])


@pytest.fixture
def three(world):
    """A1 submitted, A1 overdue by 2 days, B1 due in 5 days (yellow)."""
    return {
        "submitted": world.rectification(world.a1, state="submitted"),
        "overdue": world.rectification(world.a1, due_in=-2),
        "soon": world.rectification(world.b1, due_in=5),
    }


def test_organisation_takes_the_subtree(world, client_for, three):
    client = client_for(world.alice)

    assert set(listed(client, organization=world.general_a.pk)) == {three["submitted"], three["overdue"]}
    assert listed(client, organization=world.b1.pk) == [three["soon"]]


def test_status_takes_one_or_more_values(world, client_for, three):
    client = client_for(world.alice)

    assert listed(client, status="submitted") == [three["submitted"]]
    assert set(listed(client, status=["submitted", "pending"])) == set(three.values())


def test_overdue_light_and_due_within(world, client_for, three):
    client = client_for(world.alice)

    assert listed(client, overdue="1") == [three["overdue"]]
    assert listed(client, light="3") == [three["overdue"]]
    assert listed(client, light="2") == [three["soon"]]
    assert listed(client, due_within="7") == [three["soon"]]


def test_due_date_range(world, client_for, three):
    client = client_for(world.alice)

    found = listed(client, due_from=TODAY.isoformat(), due_to=(TODAY + datetime.timedelta(days=10)).isoformat())

    assert found == [three["soon"]]


def test_inspection_category_and_severity(world, client_for, three):
    client = client_for(world.alice)
    dues = world.finding(world.a1, category="dues_arrears").rectifications.get()

    assert len(listed(client, inspection=world.inspection.pk)) == 4
    assert listed(client, category=world.category("dues_arrears").pk) == [dues]
    assert listed(client, severity="severe") == []


def test_keyword_searches_measures_and_finding_descriptions(world, client_for, three):
    client = client_for(world.alice)
    special = world.finding(world.b1, description="党费台账未按月登记").rectifications.get()
    Rectification.objects.filter(pk=three["overdue"].pk).update(measure="建立按月登记的台账")

    assert listed(client, q="党费台账") == [special]
    assert listed(client, q="按月登记") == [three["overdue"], special]


def test_ordering_by_columns(world, client_for, three):
    client = client_for(world.alice)

    assert listed(client, ordering="-due_date")[0] == three["submitted"]
    assert listed(client, ordering="due_date")[0] == three["overdue"]
    assert listed(client, ordering="-organization")[0] == three["soon"]


def test_the_filters_live_in_the_page_links(world, client_for, three):
    response = client_for(world.alice).get(LIST, {"status": "submitted", "organization": world.general_a.pk})

    page = response.content.decode()
    assert f"status=submitted&amp;organization={world.general_a.pk}&amp;ordering=due_date" in page


def test_a_secretary_sees_only_their_branch_and_a_leader_the_whole_tree(world, client_for, three):
    assert listed(client_for(world.sara)) == [three["soon"]]
    assert len(listed(client_for(world.leo))) == 3
    assert listed(client_for(world.nobody)) == []


def test_nonsense_values_are_reported_not_fatal(world, client_for, three):
    response = client_for(world.alice).get(LIST, {"due_within": "abc", "light": "9", "inspection": "x"})

    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    assert "输入一个数字" in response.content.decode()


def test_the_export_link_carries_the_current_filters(world, client_for, three):
    response = client_for(world.alice).get(LIST, {"status": "submitted", "page": "1", "ordering": "due_date"})

    assert f'{reverse("office:register_export")}?status=submitted"' in response.content.decode()
