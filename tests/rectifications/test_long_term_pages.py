"""The pages of 长期坚持: Sam reports a period from his phone, Alice closes the stage and later ends the
keeping-up; the register's 长期坚持 list and Sam's home follow. Sara (B1) and Nobody get 404."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partyreview.rectifications import services
from partyreview.rectifications.models import ProgressKind, Rectification, RectificationKind
from tests.factories import pdf_upload

D = datetime.date
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def long_term(world) -> Rectification:
    finding = world.finding(world.a1)
    return services.rectification_create(
        actor=world.alice,
        finding=finding,
        measure="建立“三会一课”季度检查制度并长期坚持",
        assignee=world.mike,
        due_date=None,
        kind=RectificationKind.LONG_TERM,
        report_cadence="quarterly",
    )


def test_the_secretary_reports_a_period_from_the_measure_page(world, client_for, long_term):
    client = client_for(world.sam)
    detail = client.get(reverse("rectifications:detail", args=[long_term.pk])).content.decode()
    assert "填报定期报告" in detail and "每季度报告一次" in detail
    url = reverse("rectifications:report_period", args=[long_term.pk])
    page = client.get(url)
    assert page.status_code == 200 and "本期报告截止" in page.content.decode()
    response = client.post(url, {"version": long_term.version, "note": "本季度召开党员大会1次"})
    assert response.status_code == 302
    update = long_term.progress_updates.get()
    assert (update.kind, update.author, update.note) == (ProgressKind.PERIOD_REPORT, world.sam, "本季度召开党员大会1次")
    long_term.refresh_from_db()
    assert long_term.status == "in_progress"


def test_an_empty_report_is_refused_in_chinese_and_changes_nothing(world, client_for, long_term):
    response = client_for(world.sam).post(
        reverse("rectifications:report_period", args=[long_term.pk]), {"version": long_term.version, "note": " "}
    )
    assert response.status_code == 200
    assert "请填写本期落实情况" in response.content.decode()
    assert not long_term.progress_updates.exists()


@pytest.mark.parametrize("persona", ["sara", "nobody"])
def test_out_of_scope_users_get_404_for_the_period_report_and_the_end(world, client_for, long_term, persona):
    client = client_for(getattr(world, persona))
    for name in ("rectifications:report_period", "rectifications:end_long_term"):
        assert client.get(reverse(name, args=[long_term.pk])).status_code == 404
        assert (
            client.post(reverse(name, args=[long_term.pk]), {"version": 1, "text": "x", "note": "x"}).status_code == 404
        )
    assert not long_term.progress_updates.exists()


def test_a_plain_measure_has_no_period_report_page(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    response = client_for(world.sam).get(reverse("rectifications:report_period", args=[r.pk]), follow=True)
    assert "只有长期坚持的整改措施需要填报定期报告" in response.content.decode()


def test_stage_closure_with_its_effect_keeps_the_measure_on_the_long_term_list_until_staff_end_it(
    world, client_for, long_term
):
    services.rectification_report_period(actor=world.sam, rectification=long_term, note="本季度检查一次")
    services.rectification_submit(actor=world.sam, rectification=long_term, summary="已建立", files=[pdf_upload()])
    long_term.refresh_from_db()
    alice = client_for(world.alice)
    alice.post(
        reverse("rectifications:close", args=[long_term.pk]),
        {"version": long_term.version, "text": "制度运行良好", "effect": "substantive"},
    )
    long_term.refresh_from_db()
    assert long_term.status == "closed" and long_term.effect == "substantive"

    register = reverse("rectifications:list") + "?kind=long_term&kept_up=1"
    html = alice.get(register).content.decode()
    assert long_term.measure[:20] in html and "阶段性销号，长期坚持" in html
    detail = alice.get(reverse("rectifications:detail", args=[long_term.pk])).content.decode()
    assert "结束长期坚持" in detail and "实质整改" in detail

    sam_home = client_for(world.sam).get(reverse("rectifications:my_branch")).content.decode()
    assert 'data-group="long_term"' in sam_home and "阶段性销号" in sam_home

    # Sam may not end it (in scope, not staff): 403, nothing changes.
    assert (
        client_for(world.sam)
        .post(
            reverse("rectifications:end_long_term", args=[long_term.pk]), {"version": long_term.version, "text": "结束"}
        )
        .status_code
        == 403
    )
    long_term.refresh_from_db()
    assert long_term.long_term_ended_at is None

    alice = client_for(world.alice)
    response = alice.post(
        reverse("rectifications:end_long_term", args=[long_term.pk]),
        {"version": long_term.version, "text": "制度已固化为常态"},
    )
    assert response.status_code == 302
    long_term.refresh_from_db()
    assert long_term.long_term_ended_at is not None
    html = alice.get(register).content.decode()
    assert "共 0 项整改措施" in html
    assert "长期坚持已于" in alice.get(reverse("rectifications:detail", args=[long_term.pk])).content.decode()


def test_a_missing_period_report_shows_on_the_secretarys_home(world, client_for, long_term):
    long_term.refresh_from_db()
    past_due = long_term.report_due_on + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(past_due, datetime.time(10), tzinfo=BEIJING), tick=False):
        html = client_for(world.sam).get(reverse("rectifications:my_branch")).content.decode()
    assert 'data-group="report_due"' in html and "定期报告已过期" in html
