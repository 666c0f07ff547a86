"""A new measure whose deadline is already past is never saved silently: the service refuses it until the
user confirms, the form says so beside the date and offers the box to confirm. Alice is committee staff."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partyreview.inspections.models import Finding
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification
from tests.inspections.test_finding_file import filing_data, url

# 23:30 in Beijing on 3 December: still the 3rd there, already 15:30 UTC; "yesterday" is the 2nd.
LATE_EVENING = datetime.datetime(2026, 12, 3, 15, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 3)
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(LATE_EVENING, tick=False):
        yield


def test_the_service_refuses_a_past_deadline_until_it_is_confirmed(world, clock):
    finding = world.finding(world.a1)
    with pytest.raises(services.PastDeadline, match="整改时限 2026-12-02 早于今天"):
        services.rectification_create(
            actor=world.alice, finding=finding, measure="补录的措施", assignee=world.mike, due_date=YESTERDAY
        )
    assert finding.rectifications.count() == 1

    added = services.rectification_create(
        actor=world.alice,
        finding=finding,
        measure="补录的措施",
        assignee=world.mike,
        due_date=YESTERDAY,
        past_due_confirmed=True,
    )
    assert added.due_date == YESTERDAY and added.is_overdue


def test_today_is_not_past(world, clock):
    finding = world.finding(world.a1)
    added = services.rectification_create(
        actor=world.alice, finding=finding, measure="今天到期", assignee=world.mike, due_date=TODAY
    )
    assert not added.is_overdue


def test_filing_with_a_past_deadline_warns_and_saves_nothing_until_confirmed(world, client_for, clock):
    client = client_for(world.alice)
    measures = [{"measure": "按季度制定“三会一课”计划", "assignee": world.mike.pk, "due_date": YESTERDAY.isoformat()}]
    data = filing_data(world, measures=measures, found_on=(TODAY - datetime.timedelta(days=30)).isoformat())

    page = client.post(url(world), data).content.decode()
    assert "整改时限 2026-12-02 早于今天" in page
    assert 'name="measures-0-past_due_confirmed"' in page
    assert not Finding.objects.exists() and not Rectification.objects.exists()

    response = client.post(url(world), data | {"measures-0-past_due_confirmed": "on"})
    assert response.status_code == 302
    assert Finding.objects.get().rectifications.get().due_date == YESTERDAY


def test_the_confirm_box_is_not_shown_while_the_deadline_is_ahead(world, client_for, clock):
    page = client_for(world.alice).get(url(world)).content.decode()
    assert 'name="measures-0-past_due_confirmed"' not in page


def test_adding_a_measure_with_a_past_deadline_asks_first(world, client_for, clock):
    finding = world.finding(world.a1)
    client = client_for(world.alice)
    data = {"measure": "追加", "kind": "deadline", "assignee": world.mike.pk, "due_date": YESTERDAY.isoformat()}
    target = reverse("inspections:measure_create", args=[finding.pk])

    page = client.post(target, data).content.decode()
    assert "早于今天" in page and 'name="past_due_confirmed"' in page
    assert finding.rectifications.count() == 1

    assert client.post(target, data | {"past_due_confirmed": "on"}).status_code == 302
    assert finding.rectifications.count() == 2
