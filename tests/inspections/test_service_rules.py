"""The rules of inspections and findings hold in the services, not only in the forms that show them: the
admin, commands, imports and Celery write through the same functions (style.md, rule 10)."""

import datetime

import pytest
import time_machine

from partyreview.common.errors import ActionRefused
from partyreview.inspections import services
from partyreview.inspections.models import Finding, Inspection

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _create(world, **dates):
    fields = {"start_date": TODAY - datetime.timedelta(days=30), **dates}
    return services.inspection_create(
        actor=world.alice,
        title="2026年专项检查",
        kind="special",
        inspecting_org=world.committee,
        inspected_orgs=[world.a1],
        **fields,
    )


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"end_date": TODAY - datetime.timedelta(days=31)}, "结束日期不能早于开始日期"),
        ({"feedback_date": TODAY - datetime.timedelta(days=40)}, "反馈日期不能早于开始日期"),
        (
            {"feedback_date": TODAY, "report_due_date": TODAY - datetime.timedelta(days=1)},
            "整改报告期限不能早于反馈日期",
        ),
        ({"feedback_date": TODAY, "report_submitted_on": TODAY + datetime.timedelta(days=1)}, "报送日期不能晚于今天"),
        (
            {"feedback_date": TODAY, "report_submitted_on": TODAY - datetime.timedelta(days=1)},
            "报送日期不能早于反馈日期",
        ),
    ],
)
def test_alice_cannot_create_an_inspection_whose_dates_are_out_of_order(world, dates, message):
    before = Inspection.objects.count()
    with pytest.raises(ActionRefused, match=message):
        _create(world, **dates)
    assert Inspection.objects.count() == before


def test_an_update_is_held_to_the_same_date_rules_and_changes_nothing(world):
    inspection = _create(world, feedback_date=TODAY)
    with pytest.raises(ActionRefused, match="反馈日期不能早于开始日期"):
        services.inspection_update(
            actor=world.alice, inspection=inspection, feedback_date=TODAY - datetime.timedelta(days=60)
        )
    inspection.refresh_from_db()
    assert inspection.feedback_date == TODAY


def test_inspected_organisations_must_stay_within_the_inspecting_one(world):
    inspection = services.inspection_create(
        actor=world.gina,
        title="第一党总支自查",
        kind="self",
        inspecting_org=world.general_a,
        inspected_orgs=[world.a1],
        start_date=TODAY,
    )
    with pytest.raises(ActionRefused, match=r"不在“.*”的范围内"):
        services.inspection_update(actor=world.gina, inspection=inspection, inspected_orgs=[world.b1])
    assert list(inspection.inspected_orgs.all()) == [world.a1]


def test_a_finding_cannot_be_found_tomorrow(world):
    with pytest.raises(ActionRefused, match="发现日期不能晚于今天"):
        services.finding_create(
            actor=world.alice,
            inspection=world.inspection,
            organization=world.a1,
            category=world.finding(world.a1).category,
            description="支部委员会未按月召开",
            found_on=TODAY + datetime.timedelta(days=1),
        )


def test_a_finding_cannot_move_past_its_earliest_measure_or_away_from_its_measures(world):
    finding = world.finding(world.a1, due_in=-3)
    due = finding.rectifications.get().due_date
    with pytest.raises(ActionRefused, match="发现日期不能晚于它"):
        services.finding_update(actor=world.alice, finding=finding, found_on=due + datetime.timedelta(days=1))
    with pytest.raises(ActionRefused, match="不能改到该党组织"):
        services.finding_update(actor=world.alice, finding=finding, organization=world.b1)
    with pytest.raises(ActionRefused, match="问题描述不能为空"):
        services.finding_update(actor=world.alice, finding=finding, description="  ")
    stored = Finding.objects.get(pk=finding.pk)
    assert (stored.organization, stored.found_on, stored.version) == (world.a1, finding.found_on, finding.version)
    # Within the rules, the same service writes.
    services.finding_update(actor=world.alice, finding=finding, found_on=due)
    assert Finding.objects.get(pk=finding.pk).found_on == due
