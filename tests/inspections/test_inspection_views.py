"""Inspections: list, create, detail with progress, edit.

Alice covers the whole committee; Gina only general branch A; Sara (secretary of B1) reads what touches B1.
"""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.inspections.models import Inspection
from partyreview.inspections.services import default_report_due_date, inspection_create, inspection_update
from tests.pages import rendered

TODAY = local_today()


def inspection_data(world, **overrides) -> dict:
    data = {
        "title": "2026年机关党总支专项检查",
        "kind": "special",
        "inspecting_org": world.general_a.pk,
        "inspected_orgs": [world.a1.pk, world.a2.pk],
        "start_date": (TODAY - datetime.timedelta(days=10)).isoformat(),
        "end_date": "",
        "feedback_date": (TODAY - datetime.timedelta(days=2)).isoformat(),
        "report_due_date": "",
        "report_submitted_on": "",
        "owners": [],
        "notes": "",
    }
    data.update(overrides)
    return data


def test_staff_create_an_inspection_and_the_report_deadline_defaults(world, client_for):
    response = client_for(world.gina).post(reverse("inspections:create"), inspection_data(world))

    inspection = Inspection.objects.get(title="2026年机关党总支专项检查")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:detail", args=[inspection.pk])
    assert inspection.report_due_date == default_report_due_date(inspection.feedback_date)
    assert list(inspection.owners.all()) == [world.gina]
    assert set(inspection.inspected_orgs.all()) == {world.a1, world.a2}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"inspecting_org": "general_b"}, "所选党组织不在您的管理范围内"),  # outside Gina's scope
        ({"title": ""}, "这个字段是必填项"),
        ({"end_date": (TODAY - datetime.timedelta(days=20)).isoformat()}, "结束日期不能早于开始日期"),
        ({"feedback_date": (TODAY - datetime.timedelta(days=20)).isoformat()}, "反馈日期不能早于开始日期"),
        ({"report_due_date": (TODAY - datetime.timedelta(days=5)).isoformat()}, "整改报告期限不能早于反馈日期"),
        (
            {"report_submitted_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "整改报告报送日期不能晚于今天",
        ),
        (
            {"report_submitted_on": (TODAY - datetime.timedelta(days=5)).isoformat()},
            "整改报告报送日期不能早于反馈日期",
        ),
    ],
)
def test_bad_inspections_are_refused_beside_the_field(world, client_for, overrides, message):
    before = Inspection.objects.count()
    if "inspecting_org" in overrides:
        overrides = {"inspecting_org": getattr(world, overrides["inspecting_org"]).pk}

    response = client_for(world.gina).post(reverse("inspections:create"), inspection_data(world, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Inspection.objects.count() == before


def test_inspected_organisations_must_lie_under_the_inspecting_one(world, client_for):
    data = inspection_data(world, inspecting_org=world.a1.pk, inspected_orgs=[world.a1.pk, world.a2.pk])

    response = client_for(world.alice).post(reverse("inspections:create"), data)

    assert "不在检查组织“机关第一党支部”的范围内" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("gina", 200), ("leo", 403), ("sam", 403)])
def test_only_staff_create_inspections(world, client_for, persona, status):
    assert client_for(getattr(world, persona)).get(reverse("inspections:create")).status_code == status


def _gina_inspection(world) -> Inspection:
    return inspection_create(
        actor=world.gina,
        title="机关党总支自查",
        kind="self",
        inspecting_org=world.general_a,
        inspected_orgs=[world.a1],
        start_date=TODAY - datetime.timedelta(days=5),
    )


def test_the_list_shows_what_the_user_covers(world, client_for):
    own = _gina_inspection(world)

    sara_page = rendered(client_for(world.sara).get(reverse("inspections:list")))
    alice_page = client_for(world.alice).get(reverse("inspections:list")).content.decode()

    assert world.inspection.title in sara_page
    assert own.title not in sara_page
    assert own.title in alice_page


def test_the_list_filters_by_kind_and_keyword(world, client_for):
    _gina_inspection(world)
    client = client_for(world.alice)

    by_kind = client.get(reverse("inspections:list"), {"kind": "self"}).content.decode()
    by_word = client.get(reverse("inspections:list"), {"q": "巡察"}).content.decode()

    assert "机关党总支自查" in by_kind and "2026年巡察" not in by_kind
    assert "2026年巡察" in by_word and "机关党总支自查" not in by_word


def test_the_detail_shows_progress_and_the_report_deadline(world, client_for):
    world.rectification(world.a1, state="closed")
    world.rectification(world.a1, state="submitted")
    world.rectification(world.b1, due_in=-3)

    response = client_for(world.alice).get(reverse("inspections:detail", args=[world.inspection.pk]))

    totals = response.context["totals"]
    assert (totals.findings_count, totals.measures_total, totals.measures_closed) == (3, 3, 1)
    assert (totals.measures_overdue, totals.measures_submitted) == (1, 1)
    assert f"{world.inspection.report_due_date:%Y-%m-%d}" in response.content.decode()


def test_staff_record_that_the_report_went_out_and_the_detail_says_so(world, client_for):
    alice = client_for(world.alice)
    url = reverse("inspections:detail", args=[world.inspection.pk])
    assert "报送）" not in alice.get(url).content.decode()
    inspection_update(actor=world.alice, inspection=world.inspection, report_submitted_on=TODAY)
    page = alice.get(url).content.decode()
    assert f"已于 {TODAY:%Y-%m-%d} 报送" in page
    assert "剩余" not in page.split("report-deadline")[1][:300]


def test_a_secretary_sees_only_their_branch_in_the_detail(world, client_for):
    world.rectification(world.a1)
    world.rectification(world.b1)

    response = client_for(world.sara).get(reverse("inspections:detail", args=[world.inspection.pk]))

    assert response.context["totals"].findings_count == 1
    assert [f.organization for f in response.context["page"]] == [world.b1]
    assert not response.context["can_file"]


def test_an_inspection_outside_scope_is_404(world, client_for):
    own = _gina_inspection(world)

    assert client_for(world.sara).get(reverse("inspections:detail", args=[own.pk])).status_code == 404
    assert client_for(world.nobody).get(reverse("inspections:detail", args=[own.pk])).status_code == 404


def test_staff_edit_an_inspection(world, client_for):
    data = inspection_data(
        world,
        title="2026年巡察（修订）",
        kind="tour",
        inspecting_org=world.committee.pk,
        inspected_orgs=[world.a1.pk, world.b1.pk],
        start_date=world.inspection.start_date.isoformat(),
        feedback_date=world.inspection.feedback_date.isoformat(),
    )

    response = client_for(world.alice).post(reverse("inspections:update", args=[world.inspection.pk]), data)

    world.inspection.refresh_from_db()
    assert response.status_code == 302
    assert world.inspection.title == "2026年巡察（修订）"
    assert world.inspection.history.first().history_user == world.alice


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("gina", 403), ("leo", 403), ("sam", 403)])
def test_only_staff_of_the_inspecting_organisation_edit_it(world, client_for, persona, status):
    response = client_for(getattr(world, persona)).get(reverse("inspections:update", args=[world.inspection.pk]))

    assert response.status_code == status


def test_a_refused_edit_changes_nothing(world, client_for):
    title = world.inspection.title

    response = client_for(world.gina).post(
        reverse("inspections:update", args=[world.inspection.pk]), inspection_data(world, title="改名")
    )

    world.inspection.refresh_from_db()
    assert response.status_code == 403
    assert world.inspection.title == title


def test_staff_reach_the_excel_import_and_the_report_from_the_detail(world, client_for):
    url = reverse("inspections:detail", args=[world.inspection.pk])

    staff_page = client_for(world.alice).get(url).content.decode()
    secretary_page = rendered(client_for(world.sam).get(url))

    assert f"{reverse('intake:start')}?inspection={world.inspection.pk}" in staff_page
    assert reverse("office:inspection_report", args=[world.inspection.pk]) in staff_page
    assert reverse("intake:start") not in secretary_page
    assert reverse("office:inspection_report", args=[world.inspection.pk]) not in secretary_page
