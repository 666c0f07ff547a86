"""工作台: the staff home starts from what needs them today."""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.inspections.services import inspection_create
from partyreview.rectifications import services

WORKBENCH = reverse("inspections:workbench")


def test_staff_land_on_the_workbench(world, client_for):
    response = client_for(world.alice).get(reverse("home"))

    assert response["Location"] == WORKBENCH


def test_the_workbench_counts_reviews_extensions_overdue_and_due_soon(world, client_for):
    world.rectification(world.a1, state="submitted")
    world.rectification(world.b1, due_in=-2)
    pending = world.rectification(world.a1, due_in=5)
    services.extension_request(
        actor=world.mike,
        rectification=pending,
        new_due_date=pending.due_date + datetime.timedelta(days=30),
        reason="人员调整",
    )

    context = client_for(world.alice).get(WORKBENCH).context

    assert context["review_count"] == 1
    assert context["extension_count"] == 1
    assert context["overdue_count"] == 1
    assert context["due_soon_count"] == 1


def test_the_workbench_keeps_to_the_staff_scope(world, client_for):
    world.rectification(world.b1, state="submitted")
    world.rectification(world.b1, due_in=-2)

    context = client_for(world.gina).get(WORKBENCH).context

    assert context["review_count"] == 0
    assert context["overdue_count"] == 0


def test_inspections_with_a_report_due_within_30_days_are_listed(world, client_for):
    today = local_today()
    soon = inspection_create(
        actor=world.alice,
        title="报告将到期的检查",
        kind="tour",
        inspecting_org=world.committee,
        inspected_orgs=[],
        start_date=today - datetime.timedelta(days=70),
        feedback_date=today - datetime.timedelta(days=40),
    )
    inspection_create(
        actor=world.alice,
        title="报告早已过期的检查",
        kind="tour",
        inspecting_org=world.committee,
        inspected_orgs=[],
        start_date=today - datetime.timedelta(days=200),
        feedback_date=today - datetime.timedelta(days=180),
    )

    context = client_for(world.alice).get(WORKBENCH).context

    assert list(context["reports"]) == [soon]


@pytest.mark.parametrize("persona", ["leo", "sam", "mike"])
def test_people_who_are_not_staff_are_sent_to_their_own_home(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(WORKBENCH)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
