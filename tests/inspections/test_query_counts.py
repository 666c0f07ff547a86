"""The inspection and finding pages read a fixed number of queries whatever the number of rows (10 vs 200)."""

import pytest
from django.urls import reverse

from tests.inspections.rows import LIMIT, add_findings, add_measures, count_queries

PAGES = {
    "finding_list": lambda w: reverse("inspections:finding_list"),
    "finding_list_filtered": lambda w: (
        reverse("inspections:finding_list") + f"?organization={w.general_a.pk}&status=open&q=问题&ordering=-found_on"
    ),
    "inspection_list": lambda w: reverse("inspections:list"),
    "inspection_detail": lambda w: reverse("inspections:detail", args=[w.inspection.pk]),
    "workbench": lambda w: reverse("inspections:workbench"),
}


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_do_not_grow_with_rows(world, client_for, name, settings):
    settings.CACHED_FIGURES_SECONDS = 0  # what counting costs; cached totals: tests/rectifications/test_counts.py
    client = client_for(world.alice)
    url = PAGES[name](world)
    add_findings(world, 10)
    count_queries(client, url)  # warm up: session and per-process caches

    small = count_queries(client, url)
    add_findings(world, 190)
    large = count_queries(client, url)

    assert small == large
    assert large <= LIMIT


def test_finding_detail_does_not_grow_with_measures(world, client_for):
    client = client_for(world.alice)
    add_findings(world, 1)
    finding = world.inspection.findings.get()
    url = reverse("inspections:finding_detail", args=[finding.pk])
    add_measures(world, finding, 9)
    count_queries(client, url)

    small = count_queries(client, url)
    add_measures(world, finding, 190)
    large = count_queries(client, url)

    assert small == large
    assert large <= LIMIT
