"""On time, extended and late: one definition (``Rectification.timeliness`` and ``timeliness_q``), shown the
same on every page and file that states it.

Alice files a measure due 2026-03-10; Sam's branch asks for more time and Alice approves 2026-03-20. The
measure is then closed on one of the boundary days. Closed on 03-10 is 按期完成; on 03-11 and on 03-20 it is
延期后按期完成 (neither on time nor late); on 03-21 it is 逾期完成. The secretary's closed list, the detail
page, the register list and export, the finding page, the report and the dashboard's on-time figure agree.
"""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification, Timeliness, timeliness_q
from tests.factories import pdf_upload

D = datetime.date
ORIGINAL = D(2026, 3, 10)
EXTENDED_TO = D(2026, 3, 20)


def _at(day: datetime.date, hour: int = 10) -> time_machine.travel:
    # 10:00 Beijing time; 23:30 is tested separately for the local-day boundary.
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        tick=False,
    )


def _closed_on(world, closed_on: datetime.date, *, extend: bool = True, hour: int = 10) -> Rectification:
    with _at(D(2026, 2, 1)):
        finding = services.finding_file(
            actor=world.alice,
            inspection=world.inspection,
            organization=world.a1,
            category=world.category(),
            description="支部未按期召开党员大会",
            found_on=D(2026, 2, 1),
            measures=[services.MeasureInput(measure="补开党员大会", assignee=world.mike, due_date=ORIGINAL)],
        )
        r = finding.rectifications.get()
        services.rectification_record_progress(actor=world.sam, rectification=r, note="已开展整改")
        if extend:
            ext = services.extension_request(
                actor=world.sam, rectification=r, new_due_date=EXTENDED_TO, reason="等待上级党委派员参加"
            )
            services.extension_decide(actor=world.alice, extension=ext, approve=True)
        services.rectification_submit(actor=world.sam, rectification=r, summary="已召开", files=[pdf_upload()])
    with _at(closed_on, hour):
        services.rectification_close(actor=world.alice, rectification=r, note="核查属实")
    return Rectification.objects.get(pk=r.pk)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


CASES = [
    (ORIGINAL, Timeliness.ON_TIME),
    (ORIGINAL + datetime.timedelta(days=1), Timeliness.EXTENDED),
    (EXTENDED_TO, Timeliness.EXTENDED),
    (EXTENDED_TO + datetime.timedelta(days=1), Timeliness.LATE),
]


@pytest.mark.parametrize(("closed_on", "expected"), CASES)
def test_an_extended_measure_closed_on_each_boundary_day_is_named_once(world, closed_on, expected):
    r = _closed_on(world, closed_on)
    assert r.timeliness == expected
    for timeliness in Timeliness:
        in_sql = Rectification.objects.filter(timeliness_q(timeliness), pk=r.pk).exists()
        assert in_sql == (timeliness == expected), timeliness


def test_closing_at_half_past_eleven_beijing_time_counts_the_local_day(world):
    # 23:30 on the original deadline is 15:30 UTC the same day: on time.
    r = _closed_on(world, ORIGINAL, hour=23)
    assert r.timeliness == Timeliness.ON_TIME
    assert Rectification.objects.filter(timeliness_q(Timeliness.ON_TIME), pk=r.pk).exists()


def test_a_measure_never_extended_and_closed_after_its_deadline_is_late(world):
    r = _closed_on(world, ORIGINAL + datetime.timedelta(days=1), extend=False)
    assert r.timeliness == Timeliness.LATE


def test_an_open_measure_has_no_timeliness(world):
    r = world.rectification(world.a1, state="submitted")
    assert r.timeliness is None
    assert not Rectification.objects.filter(pk=r.pk).filter(
        timeliness_q(Timeliness.ON_TIME) | timeliness_q(Timeliness.EXTENDED) | timeliness_q(Timeliness.LATE)
    )


@pytest.mark.parametrize(("closed_on", "expected"), CASES)
def test_every_page_that_shows_the_fact_says_the_same(world, client_for, closed_on, expected):
    r = _closed_on(world, closed_on)
    label = expected.label
    others = [t.label for t in Timeliness if t != expected]
    with _at(D(2026, 4, 1)):
        pages = {
            "secretary's closed list": client_for(world.sam).get(reverse("rectifications:my_branch") + "?show=closed"),
            "detail": client_for(world.alice).get(reverse("rectifications:detail", args=[r.pk])),
            "register list": client_for(world.alice).get(reverse("rectifications:list")),
            "finding page": client_for(world.alice).get(reverse("inspections:finding_detail", args=[r.finding_id])),
        }
        for name, response in pages.items():
            assert response.status_code == 200, name
            html = response.content.decode()
            assert f'data-timeliness="{expected.value}">{label}<' in html, name
            for other in Timeliness:
                assert f'data-timeliness="{other.value}"' not in html or other == expected, name

        export = client_for(world.alice).get(reverse("office:register_export"))
        sheet = load_workbook(
            io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)
        ).active
        header = [c.value for c in sheet[1]]
        status = sheet.cell(row=2, column=header.index("状态") + 1).value
        assert status == f"已销号（{label}）"

        report = client_for(world.alice).get(reverse("office:inspection_report", args=[world.inspection.pk]))
        text = "\n".join(p.text for p in Document(io.BytesIO(_body(report))).paragraphs)
        counts = {t: int(t == expected) for t in Timeliness}
        assert (
            f"其中按期完成{counts[Timeliness.ON_TIME]}项、延期后按期完成{counts[Timeliness.EXTENDED]}项、"
            f"逾期完成{counts[Timeliness.LATE]}项" in text
        )
        assert all(f"（{o}）" not in status for o in others)

        headline = dashboard_build(world.leo, DashboardFilter()).headline
        assert headline.closed == 1
        assert headline.on_time == int(expected == Timeliness.ON_TIME)
