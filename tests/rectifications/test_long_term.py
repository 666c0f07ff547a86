"""长期坚持: a cadence instead of a deadline, a report each period, lights for the missing report and never
for age, the stage closure (阶段性销号，长期坚持) and the end of the keeping-up.

Alice files a measure kept up with quarterly reports on 2026-02-01; Sam, A1's secretary, reports.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services
from partyreview.rectifications.models import (
    Light,
    ProgressKind,
    Rectification,
    RectificationKind,
    RectificationStatus,
    ReportCadence,
    light_q,
    period_end,
)
from tests.factories import pdf_upload

D = datetime.date
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=BEIJING), tick=False)


def light_on(r: Rectification, day: datetime.date) -> int:
    """The light in SQL and in Python, held to the same answer."""
    with at(day):
        in_sql = Rectification.objects.with_light(day).get(pk=r.pk).light
        in_python = Rectification.objects.get(pk=r.pk).current_light
        filtered = [light for light in Light if Rectification.objects.filter(light_q(light, day), pk=r.pk).exists()]
    assert filtered == [in_sql], (day, filtered, in_sql)
    assert in_python == in_sql, day
    return in_sql


FILED_ON = D(2026, 2, 1)


def file_long_term(world, *, cadence=ReportCadence.QUARTERLY, stage=None, day=FILED_ON) -> Rectification:
    with at(day):
        finding = services.finding_file(
            actor=world.alice,
            inspection=world.inspection,
            organization=world.a1,
            category=world.category("meeting_lapses"),
            description="“三会一课”制度坚持不经常",
            found_on=day,
            measures=[
                services.MeasureInput(
                    measure="建立“三会一课”季度检查制度并长期坚持",
                    assignee=world.mike,
                    due_date=None,
                    kind=RectificationKind.LONG_TERM,
                    report_cadence=cadence,
                    stage_due_date=stage,
                )
            ],
        )
    return finding.rectifications.get()


def report(world, r, day, note="本季度按期召开支部党员大会") -> None:
    with at(day):
        services.rectification_report_period(actor=world.sam, rectification=r, note=note)


@pytest.mark.parametrize(
    ("day", "cadence", "end"),
    [
        (D(2026, 2, 1), ReportCadence.MONTHLY, D(2026, 2, 28)),
        (D(2026, 2, 1), ReportCadence.QUARTERLY, D(2026, 3, 31)),
        (D(2026, 12, 31), ReportCadence.QUARTERLY, D(2026, 12, 31)),
        (D(2026, 7, 1), ReportCadence.HALF_YEARLY, D(2026, 12, 31)),
        (D(2026, 6, 30), ReportCadence.HALF_YEARLY, D(2026, 6, 30)),
    ],
)
def test_a_period_ends_on_the_last_day_of_its_month_quarter_or_half_year(day, cadence, end):
    assert period_end(day, cadence) == end


def test_the_first_report_is_due_at_the_end_of_the_period_unless_it_ends_within_a_week():
    assert services.first_report_due(D(2026, 2, 1), ReportCadence.QUARTERLY) == D(2026, 3, 31)
    assert services.first_report_due(D(2026, 3, 28), ReportCadence.QUARTERLY) == D(2026, 6, 30)


def test_a_long_term_measure_needs_a_cadence_but_no_deadline(world):
    with pytest.raises(ActionRefused, match="报告周期"):
        file_long_term(world, cadence="")
    r = file_long_term(world)
    assert (r.report_cadence, r.stage_due_date, r.report_due_on) == ("quarterly", None, D(2026, 3, 31))
    assert not r.has_deadline


def test_without_its_period_report_the_light_turns_yellow_then_red_and_never_for_its_age(world):
    r = file_long_term(world)
    assert light_on(r, D(2026, 3, 23)) == Light.GREEN
    assert light_on(r, D(2026, 3, 24)) == Light.YELLOW  # a week before the quarter ends, no report yet
    assert light_on(r, D(2026, 3, 31)) == Light.YELLOW
    assert light_on(r, D(2026, 4, 1)) == Light.RED  # Q1 ended without its report
    with at(D(2026, 4, 1)):
        # Red for the missing report, yet never "overdue": it has no deadline to miss.
        assert not Rectification.objects.overdue().filter(pk=r.pk).exists()
        assert not Rectification.objects.get(pk=r.pk).is_overdue
    report(world, r, D(2026, 4, 2))  # late: fills Q2, the next is due at the end of Q3
    r.refresh_from_db()
    assert r.report_due_on == D(2026, 9, 30)
    assert light_on(r, D(2026, 4, 2)) == Light.GREEN


def test_reported_every_quarter_for_three_years_it_stays_green_however_old(world):
    r = file_long_term(world)
    day = D(2026, 3, 10)
    while day.year < 2029:
        report(world, r, day)
        assert light_on(r, day + datetime.timedelta(days=30)) == Light.GREEN
        day = period_end(day, "quarterly") + datetime.timedelta(days=10)
    r.refresh_from_db()
    assert r.status == RectificationStatus.IN_PROGRESS
    assert r.progress_updates.filter(kind=ProgressKind.PERIOD_REPORT).count() == 12


def test_a_second_report_in_the_same_period_does_not_cover_the_next(world):
    r = file_long_term(world)
    report(world, r, D(2026, 2, 10))
    report(world, r, D(2026, 3, 20))
    r.refresh_from_db()
    assert r.report_due_on == D(2026, 6, 30)
    assert list(r.progress_updates.values_list("period_end", flat=True)) == [D(2026, 3, 31), D(2026, 3, 31)]


def test_a_stage_goal_is_a_real_deadline(world):
    r = file_long_term(world, stage=D(2026, 6, 30))
    assert r.due_date == D(2026, 6, 30) and r.has_deadline
    report(world, r, D(2026, 3, 1))
    report(world, r, D(2026, 6, 1))
    assert light_on(r, D(2026, 6, 30)) == Light.GREEN
    assert light_on(r, D(2026, 7, 1)) == Light.RED
    with at(D(2026, 7, 1)):
        assert Rectification.objects.overdue().filter(pk=r.pk).exists()


def test_stage_closure_keeps_it_on_the_long_term_list_with_its_reports_until_staff_end_it(world):
    r = file_long_term(world)
    report(world, r, D(2026, 3, 1))
    with at(D(2026, 3, 5)):
        services.rectification_submit(actor=world.sam, rectification=r, summary="制度已建立", files=[pdf_upload()])
        services.rectification_close(actor=world.alice, rectification=r, note="制度已建立并运行", effect="substantive")
    r.refresh_from_db()
    assert r.status == RectificationStatus.CLOSED and r.is_stage_closed and r.effect == "substantive"
    assert r.history.first().history_change_reason.startswith("阶段性销号，长期坚持")
    assert Rectification.objects.kept_up().filter(pk=r.pk).exists()
    # Closed for the stage, still reported on: without the Q2 report it turns yellow, then red.
    assert light_on(r, D(2026, 6, 24)) == Light.YELLOW
    assert light_on(r, D(2026, 7, 1)) == Light.RED
    report(world, r, D(2026, 7, 2))
    assert light_on(r, D(2026, 7, 3)) == Light.GREEN
    r.refresh_from_db()
    assert r.status == RectificationStatus.CLOSED

    with at(D(2026, 12, 1)):
        services.rectification_end_long_term(actor=world.alice, rectification=r, reason="制度已固化")
    r.refresh_from_db()
    assert not Rectification.objects.kept_up().filter(pk=r.pk).exists()
    assert light_on(r, D(2027, 6, 1)) == Light.GREEN  # ended: no reports owed
    with pytest.raises(ActionRefused), at(D(2027, 1, 5)):
        report(world, r, D(2027, 1, 5))


def test_a_secretary_cannot_end_the_keeping_up_and_a_plain_measure_has_no_period_report(world):
    r = file_long_term(world)
    report(world, r, D(2026, 2, 20))
    with at(D(2026, 3, 1)):
        services.rectification_submit(actor=world.sam, rectification=r, summary="已建立", files=[pdf_upload()])
        services.rectification_close(actor=world.alice, rectification=r, note="属实")
        with pytest.raises(ActionRefused):
            services.rectification_end_long_term(actor=world.sam, rectification=r, reason="不再需要")
    plain = world.rectification(world.a1, state="in_progress")
    with pytest.raises(ActionRefused, match="只有长期坚持"):
        services.rectification_report_period(actor=world.sam, rectification=plain, note="报告")


def test_a_long_term_measure_without_a_stage_goal_asks_for_no_extension(world):
    r = file_long_term(world)
    with pytest.raises(ActionRefused, match="无需申请延期"), at(D(2026, 2, 5)):
        services.extension_request(actor=world.sam, rectification=r, new_due_date=D(2027, 1, 1), reason="人员调整")


def test_staff_turn_a_deadline_measure_into_a_long_term_one_and_back(world):
    r = world.rectification(world.a1, state="in_progress")
    old_due = r.due_date
    with pytest.raises(ActionRefused, match="报告周期"):
        services.rectification_update(actor=world.alice, rectification=r, kind=RectificationKind.LONG_TERM)
    services.rectification_update(
        actor=world.alice, rectification=r, kind=RectificationKind.LONG_TERM, report_cadence="monthly"
    )
    r.refresh_from_db()
    assert (r.kind, r.report_cadence, r.stage_due_date) == ("long_term", "monthly", old_due)
    assert r.report_due_on is not None
    services.rectification_update(actor=world.alice, rectification=r, kind=RectificationKind.DEADLINE)
    r.refresh_from_db()
    assert (r.kind, r.report_cadence, r.stage_due_date, r.report_due_on) == ("deadline", "", None, None)


def test_an_immediate_measure_without_a_date_is_due_thirty_days_after_the_feedback(world, settings):
    finding = world.finding(world.a1)
    r = services.rectification_create(
        actor=world.alice,
        finding=finding,
        measure="立即补齐会议记录",
        assignee=world.mike,
        due_date=None,
        kind=RectificationKind.IMMEDIATE,
        past_due_confirmed=True,  # the world's feedback was long ago: its default is already past
    )
    assert r.due_date == world.inspection.feedback_date + datetime.timedelta(days=30)
    settings.IMMEDIATE_DEFAULT_DAYS = 15
    r2 = services.rectification_create(
        actor=world.alice,
        finding=finding,
        measure="立即补缴",
        assignee=world.mike,
        due_date=None,
        kind="immediate",
        past_due_confirmed=True,
    )
    assert r2.due_date == world.inspection.feedback_date + datetime.timedelta(days=15)
    with pytest.raises(ActionRefused, match="请填写整改时限"):
        services.rectification_create(
            actor=world.alice, finding=finding, measure="限期整改", assignee=world.mike, due_date=None
        )


def test_a_measure_closed_for_its_stage_speaks_of_its_period_report_not_of_a_deadline_passed(world, client_for):
    # The stage goal was met in March; by December the stage date is long past and two reports are missing.
    r = file_long_term(world, stage=D(2026, 6, 30))
    report(world, r, D(2026, 3, 1))
    with at(D(2026, 3, 5)):
        services.rectification_submit(actor=world.sam, rectification=r, summary="制度已建立", files=[pdf_upload()])
        services.rectification_close(actor=world.alice, rectification=r, note="制度已建立并运行", effect="substantive")
    sam = client_for(world.sam)
    with at(D(2026, 12, 1)):
        home = sam.get(reverse("rectifications:my_branch")).content.decode()
        form = sam.get(reverse("rectifications:report_period", args=[r.pk])).content.decode()
    card = home[home.index(f'href="{reverse("rectifications:detail", args=[r.pk])}"') - 1500 :]
    summary = form[form.index("branch-summary") :]
    for page in (card[:1600], summary[:1500]):
        assert "定期报告已过期" in page
        assert "逾期 1" not in page and "剩余" not in page
