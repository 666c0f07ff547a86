"""The register list and the review queue read a fixed number of queries whatever the number of rows."""

import pytest
from django.urls import reverse

from tests.inspections.rows import LIMIT, add_findings, count_queries

PAGES = {
    "register": lambda w: reverse("rectifications:list"),
    "register_filtered": lambda w: (
        reverse("rectifications:list")
        + f"?organization={w.general_a.pk}&status=submitted&status=in_progress&light=1&q=整改&ordering=-organization"
    ),
    "register_overdue": lambda w: reverse("rectifications:list") + "?overdue=1&due_within=400",
    "review_queue": lambda w: reverse("rectifications:review_queue"),
}


@pytest.mark.parametrize("name", PAGES)
def test_staff_lists_do_not_grow_with_rows(world, client_for, name, settings):
    settings.CACHED_FIGURES_SECONDS = 0  # what counting costs; cached totals: tests/rectifications/test_counts.py
    client = client_for(world.alice)
    url = PAGES[name](world)
    add_findings(world, 10)
    count_queries(client, url)

    small = count_queries(client, url)
    add_findings(world, 190)
    large = count_queries(client, url)

    assert small == large
    assert large <= LIMIT


def test_the_queue_shows_every_row_it_counts(world, client_for):
    add_findings(world, 12)

    response = client_for(world.alice).get(reverse("rectifications:review_queue"))

    assert len(response.context["page"]) == 12
    assert response.context["extension_count"] == 12
