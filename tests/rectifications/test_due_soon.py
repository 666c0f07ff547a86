""" "Due soon" is one definition: the days before a deadline in which the yellow light comes on."""

import datetime

import pytest
import time_machine
from django.conf import settings

from partyreview.rectifications.models import DUE_SOON_DAYS, Light, Rectification
from partyreview.rectifications.selectors import reporter_worklist


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_due_soon_is_the_yellow_lights_days():
    assert settings.LIGHT_YELLOW_DAYS == DUE_SOON_DAYS


@pytest.mark.parametrize(
    ("due_in", "soon"), [(0, True), (DUE_SOON_DAYS, True), (DUE_SOON_DAYS + 1, False), (-1, False)]
)
def test_the_secretarys_group_the_list_and_the_light_agree_on_due_soon(world, due_in, soon):
    r = world.rectification(world.a1, state="in_progress", due_in=due_in)
    today = datetime.date(2026, 6, 15)
    in_list = Rectification.objects.due_soon(today).filter(pk=r.pk).exists()
    groups = {g.key: [x.pk for x in g.rectifications] for g in reporter_worklist(world.sam, today)}
    assert in_list is soon
    assert (r.pk in groups["due_soon"]) is soon
    if soon:
        assert Rectification.objects.with_light(today).get(pk=r.pk).light == Light.YELLOW
