"""A measure's timeline speaks local time: every date and time a person reads there is Asia/Shanghai and
formatted, never a stored UTC value ("2026-12-03 06:56:09.740177+00:00" beside "14:56")."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from partyreview.rectifications import services
from partyreview.rectifications.selectors import rectification_timeline
from tests.factories import pdf_upload

# 06:56 UTC is 14:56 in Beijing; 16:30 UTC is already the next day there.
AFTERNOON = datetime.datetime(2026, 12, 3, 6, 56, 9, 740177, tzinfo=datetime.UTC)
PAST_MIDNIGHT = datetime.datetime(2026, 12, 3, 16, 30, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("moment", "local"), [(AFTERNOON, "2026-12-03 14:56"), (PAST_MIDNIGHT, "2026-12-04 00:30")])
def test_the_closing_time_in_the_timeline_is_local_and_to_the_minute(world, moment, local):
    with time_machine.travel(moment - datetime.timedelta(hours=2), tick=False):
        r = world.rectification(world.a1, state="submitted")
    with time_machine.travel(moment, tick=False):
        services.rectification_close(actor=world.alice, rectification=r, note="核查属实")

    closing = next(e for e in rectification_timeline(r) if e.title.startswith("销号"))
    assert f"销号时间：— → {local}" in closing.text
    assert "+00:00" not in closing.text and ".740177" not in closing.text
    assert closing.at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") == local


def test_the_detail_page_shows_no_utc_value_anywhere(world, client_for):
    with time_machine.travel(AFTERNOON, tick=False):
        r = world.rectification(world.a1, state="in_progress")
        services.rectification_submit(actor=world.mike, rectification=r, summary="整改完成", files=[pdf_upload()])
        services.rectification_close(actor=world.alice, rectification=r, note="核查属实")
    page = client_for(world.alice).get(f"/rectifications/{r.pk}/").content.decode()
    assert "2026-12-03 14:56" in page
    assert "+00:00" not in page and "06:56" not in page
