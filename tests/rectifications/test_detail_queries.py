"""A measure's page reads a fixed number of queries however long its history."""

from django.urls import reverse

from partyreview.rectifications import services
from tests.conftest import _fresh
from tests.factories import pdf_upload
from tests.inspections.rows import count_queries


def _close_again(world, r):
    """回头看 and 销号 once more: new versions that change the submitter and the closer."""
    r = services.rectification_reopen(actor=world.alice, rectification=_fresh(r), reason="回头看发现反弹")
    services.rectification_submit(actor=r.assignee, rectification=_fresh(r), summary="再次整改", files=[pdf_upload()])
    services.rectification_close(actor=world.alice, rectification=_fresh(r), note="再次核查属实")
    return _fresh(r)


def test_the_history_names_people_in_a_fixed_number_of_queries(world, client_for):
    r = world.rectification(world.a1, state="closed")
    client = client_for(world.sam)
    url = reverse("rectifications:detail", args=[r.pk])
    count_queries(client, url)
    once = count_queries(client, url)

    for _ in range(3):
        r = _close_again(world, r)
    response = client.get(url)
    thrice = count_queries(client, url)

    assert thrice == once
    assert response.status_code == 200
    assert str(world.alice) in response.content.decode()
