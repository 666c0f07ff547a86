"""Overdue, closed late, on time, lights and a finding's status: computed in SQL, pinned in queries."""

import datetime

import pytest
import time_machine

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.organizations.models import Organization
from partyreview.rectifications import services
from partyreview.rectifications.models import Light, Rectification, RectificationStatus, Timeliness, light_q
from partyreview.rectifications.selectors import (
    FindingStatus,
    finding_status_q,
    findings_with_progress,
    organization_lights,
    rectifications_for_list,
    with_people,
)
from partyreview.rectifications.services import compute_warn_from
from tests.factories import FindingFactory, RectificationFactory

D = datetime.date


def test_warn_from_is_the_earlier_of_seven_days_before_and_eighty_percent_used():
    # 100 days allotted: 80 % used on day 80 comes before "7 days left".
    assert compute_warn_from(D(2026, 1, 1), D(2026, 4, 11)) == D(2026, 3, 22)
    # 20 days allotted: "7 days left" (day 13) comes before 80 % (day 16).
    assert compute_warn_from(D(2026, 1, 1), D(2026, 1, 21)) == D(2026, 1, 14)
    # Already past both on creation: yellow from the start.
    assert compute_warn_from(D(2026, 1, 1), D(2026, 1, 3)) == D(2025, 12, 27)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 1), Light.GREEN),
        (D(2026, 3, 20), Light.GREEN),
        (D(2026, 3, 21), Light.YELLOW),  # day 48 of 59: 80 % of the allotted time is used
        (D(2026, 4, 1), Light.YELLOW),  # the deadline itself is not yet overdue
        (D(2026, 4, 2), Light.RED),
    ],
)
def test_the_light_of_an_open_measure_follows_the_calendar_in_sql_and_in_python(world, today, expected):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC), tick=False):
        finding = services.finding_file(
            actor=world.alice,
            inspection=world.inspection,
            organization=world.a1,
            category=world.category(),
            description="问题",
            found_on=D(2026, 2, 1),
            measures=[services.MeasureInput(measure="措施", assignee=world.mike, due_date=D(2026, 4, 1))],
        )
    r = finding.rectifications.get()
    annotated = Rectification.objects.with_light(today).get(pk=r.pk)
    assert annotated.light == expected
    assert Rectification.objects.filter(light_q(expected, today), pk=r.pk).exists()
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC), tick=False):
        assert Rectification.objects.get(pk=r.pk).current_light == expected
        assert Rectification.objects.get(pk=r.pk).is_overdue == (expected == Light.RED)


def test_overdue_uses_the_beijing_calendar_day(world):
    r = world.rectification(world.a1, state="pending")
    due = r.due_date
    # 23:30 UTC on the due date is already the next morning in Beijing: overdue there.
    late_evening_utc = datetime.datetime.combine(due, datetime.time(23, 30), tzinfo=datetime.UTC)
    with time_machine.travel(late_evening_utc, tick=False):
        assert local_today() == due + datetime.timedelta(days=1)
        assert Rectification.objects.overdue().filter(pk=r.pk).exists()
    with time_machine.travel(late_evening_utc - datetime.timedelta(hours=9), tick=False):
        assert not Rectification.objects.overdue().filter(pk=r.pk).exists()


def test_closed_on_time_and_closed_late_by_the_one_definition(world):
    r = world.rectification(world.a1, state="submitted")
    services.rectification_close(actor=world.alice, rectification=r, note="同意")
    r.refresh_from_db()
    assert r.timeliness == Timeliness.ON_TIME
    late = world.rectification(world.a1, state="submitted")
    Rectification.objects.filter(pk=late.pk).update(due_date=D(2020, 1, 1), original_due_date=D(2020, 1, 1))
    late.refresh_from_db()
    services.rectification_close(actor=world.alice, rectification=late, note="同意")
    late.refresh_from_db()
    assert late.timeliness == Timeliness.LATE
    assert Rectification.objects.with_light().get(pk=late.pk).light == Light.GREEN


def test_a_branch_takes_the_worst_light_of_its_open_measures(world):
    today = local_today()
    world.rectification(world.a1, state="closed")  # closed measures do not count
    overdue = world.rectification(world.a1, state="in_progress")
    Rectification.objects.filter(pk=overdue.pk).update(due_date=today - datetime.timedelta(days=3))
    soon = world.rectification(world.b1, state="pending", due_in=2)
    assert soon.warn_from <= today
    lights = {o.code: o.light for o in organization_lights(Organization.objects.all())}
    assert lights["T-A-1"] == Light.RED
    assert lights["T-B-1"] == Light.YELLOW
    assert lights["T-A-2"] == Light.GREEN


def test_a_finding_is_closed_exactly_when_all_its_measures_are(world):
    finding = world.finding(world.a1, measures=2)
    first, second = finding.rectifications.order_by("number")
    for r in (first, second):
        services.rectification_record_progress(actor=world.sam, rectification=r, note="进展")
    from tests.factories import pdf_upload

    services.rectification_submit(actor=world.sam, rectification=first, summary="完成", files=[pdf_upload()])
    services.rectification_close(actor=world.alice, rectification=first, note="同意")

    def status() -> str:
        qs = findings_with_progress(Finding.objects.filter(pk=finding.pk))
        return next(s for s in FindingStatus.LABELS if qs.filter(finding_status_q(s)).exists())

    assert status() == FindingStatus.OPEN
    services.rectification_submit(actor=world.sam, rectification=second, summary="完成", files=[pdf_upload()])
    services.rectification_close(actor=world.alice, rectification=second, note="同意")
    assert status() == FindingStatus.CLOSED
    services.rectification_reopen(actor=world.alice, rectification=second, reason="回头看发现反弹")
    assert status() == FindingStatus.OPEN
    row = findings_with_progress(Finding.objects.filter(pk=finding.pk)).get()
    assert (row.measures_total, row.measures_closed) == (2, 1)


def _bulk(world, n: int) -> None:
    findings = FindingFactory.create_batch(
        n, inspection=world.inspection, organization=world.a1, created_by=world.alice
    )
    RectificationFactory.create_batch(
        n,
        finding=factory_iter(findings),
        responsible_org=world.a1,
        assignee=world.mike,
        created_by=world.alice,
        status=RectificationStatus.IN_PROGRESS,
    )


def factory_iter(items):
    import factory

    return factory.Iterator(items)


@pytest.mark.parametrize("size", [10, 1000])
def test_lights_for_lists_and_branches_cost_the_same_queries_for_10_and_1000_rows(
    world, django_assert_num_queries, size
):
    _bulk(world, size)
    # The rows with their names, then their people in one query by id.
    with django_assert_num_queries(2):
        rows = with_people(rectifications_for_list(Rectification.objects.all()))
        assert len(rows) == size
        assert {r.finding.category.name for r in rows}  # related rows came in the same query
        assert {r.assignee.username for r in rows} == {world.mike.username}
        assert all(r.light in Light.values for r in rows)
    with django_assert_num_queries(1):
        assert len(list(organization_lights(Organization.objects.all()))) == 6
    with django_assert_num_queries(1):
        assert len(list(findings_with_progress(Finding.objects.all()))) == size
