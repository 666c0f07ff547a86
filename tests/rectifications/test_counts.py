"""The lists' totals come from the shared cache until a counted record changes (rectifications/counts.py).

What must hold: a reload does not count again; any write through the models shows in the next total; two
viewers, two filters or two days never share a total; with the cache off every load counts.
"""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.rectifications import counts, services
from partyreview.rectifications.models import Rectification

pytestmark = pytest.mark.django_db

REGISTER = reverse("rectifications:list")
FINDINGS = reverse("inspections:finding_list")
WORKBENCH = reverse("inspections:workbench")


def _total(client, url: str, pattern: str = r"共 (\d+) 项") -> tuple[int, int]:
    """The total a list page shows, and how many queries the page took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return int(re.search(pattern, response.content.decode()).group(1)), len(queries)


def _figure(client, label: str) -> int:
    page = client.get(WORKBENCH).content.decode()
    return int(re.search(label + r'</div><div class="fs-3 fw-semibold[^"]*">(\d+)<', page).group(1))


def test_a_reload_does_not_count_again_and_a_new_measure_shows(world, client_for):
    world.finding(measures=2)
    client = client_for(world.alice)
    first, first_queries = _total(client, REGISTER)
    again, again_queries = _total(client, REGISTER)
    assert (first, again) == (2, 2)
    assert again_queries == first_queries - 3  # the total, and the menus of organisations and inspections

    world.finding(world.b1, measures=3)
    assert _total(client, REGISTER)[0] == 5


def test_a_closure_shows_in_the_findings_total(world, client_for):
    measure = world.rectification(state="submitted")
    world.finding(world.b1)
    client = client_for(world.alice)
    url = f"{FINDINGS}?status=open"
    assert _total(client, url)[0] == 2
    services.rectification_close(actor=world.alice, rectification=measure, note="核查属实")
    assert _total(client, url)[0] == 1


def test_viewers_with_different_scopes_and_filters_never_share_a_total(world, client_for):
    world.finding(world.a1, measures=2)
    world.finding(world.b1, measures=1)
    assert _total(client_for(world.alice), REGISTER)[0] == 3
    assert _total(client_for(world.gina), REGISTER)[0] == 2  # general_a's staff: a1 only
    assert _total(client_for(world.alice), f"{REGISTER}?organization={world.b1.pk}")[0] == 1


def test_a_new_day_counts_afresh(world, client_for):
    world.finding(due_in=1)
    client = client_for(world.alice)
    url = f"{REGISTER}?overdue=1"
    assert _total(client, url)[0] == 0
    with time_machine.travel(local_today() + datetime.timedelta(days=3), tick=False):
        client.force_login(world.alice)  # the session has expired meanwhile
        assert _total(client, url)[0] == 1


def test_the_workbench_counts_follow_extension_requests(world, client_for):
    measure = world.rectification(state="in_progress")
    client = client_for(world.alice)
    assert _figure(client, "延期申请待审批") == 0
    services.extension_request(
        actor=world.mike,
        rectification=measure,
        new_due_date=measure.due_date + datetime.timedelta(days=10),
        reason="需协调",
    )
    assert _figure(client, "延期申请待审批") == 1
    assert _figure(client, "7 天内到期") == 0


def test_with_the_cache_off_every_load_counts(world, client_for, settings):
    settings.CACHED_FIGURES_SECONDS = 0
    world.finding()
    client = client_for(world.alice)
    url = f"{REGISTER}?overdue=1"
    first, first_queries = _total(client, url)
    assert _total(client, url) == (first, first_queries)  # counted again
    # A write no signal reports is seen at once when nothing is cached.
    Rectification.objects.update(due_date=local_today() - datetime.timedelta(days=1))
    assert (first, _total(client, url)[0]) == (0, 1)


def test_the_count_is_the_querysets(world, django_assert_num_queries):
    world.finding(measures=3)
    qs = Rectification.objects.filter(responsible_org=world.a1)
    assert counts.count(qs) == qs.count() == 3
    assert counts.count(qs.filter(number=2)) == 1
    with django_assert_num_queries(0):  # an empty scope cannot be written as SQL: nothing to ask or keep
        assert counts.count(qs.filter(pk__in=[])) == 0


def test_a_viewer_with_an_empty_scope_sees_an_empty_register(world, client_for):
    world.finding()
    assert _total(client_for(world.nobody), REGISTER)[0] == 0
