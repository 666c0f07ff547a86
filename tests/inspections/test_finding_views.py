"""问题清单 and a finding's own pages: filters in the URL, detail with its measures, edit, archive, add a measure."""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.inspections.services import finding_create, finding_update, inspection_create
from partyreview.rectifications.models import Rectification

TODAY = local_today()
LIST = reverse("inspections:finding_list")


def listed(client, **params) -> list[Finding]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return list(response.context["page"])


def bare_finding(world, org, description: str = "尚未制定措施的问题") -> Finding:
    return finding_create(
        actor=world.alice,
        inspection=world.inspection,
        organization=org,
        category=world.category(),
        description=description,
        found_on=TODAY,
    )


# ---- the list ----------------------------------------------------------------------------------------


def test_organisation_filter_takes_the_whole_subtree(world, client_for):
    a1, a2, b1 = world.finding(world.a1), bare_finding(world, world.a2), world.finding(world.b1)

    found = listed(client_for(world.alice), organization=world.general_a.pk)

    assert set(found) == {a1, a2}
    assert b1 not in found


def test_status_filter_derives_from_the_measures(world, client_for):
    closed = world.rectification(world.a1, state="closed").finding
    still_open = world.finding(world.a1)
    empty = bare_finding(world, world.a2)
    client = client_for(world.alice)

    assert listed(client, status="closed") == [closed]
    assert listed(client, status="empty") == [empty]
    assert listed(client, status="open") == [still_open]


def test_keyword_searches_descriptions_and_measures(world, client_for):
    by_description = world.finding(world.a1, description="党费台账未按月登记")
    other = world.finding(world.b1, description="支部未按期换届")
    Rectification.objects.filter(finding=other).update(measure="制定换届工作方案并报批")
    client = client_for(world.alice)

    assert listed(client, q="党费台账") == [by_description]
    assert listed(client, q="换届工作方案") == [other]


def test_category_severity_and_dates_filter(world, client_for):
    dues = world.finding(world.a1, category="dues_arrears")
    world.finding(world.a1)
    client = client_for(world.alice)

    assert listed(client, category=world.category("dues_arrears").pk) == [dues]
    assert listed(client, severity="severe") == []
    assert len(listed(client, found_from=(TODAY - datetime.timedelta(days=10)).isoformat())) == 2
    assert listed(client, found_to=(TODAY - datetime.timedelta(days=11)).isoformat()) == []


def test_inspection_filter(world, client_for):
    mine = world.finding(world.a1)
    other = inspection_create(
        actor=world.alice,
        title="另一次检查",
        kind="routine",
        inspecting_org=world.committee,
        inspected_orgs=[],
        start_date=TODAY - datetime.timedelta(days=30),
    )
    finding_create(
        actor=world.alice,
        inspection=other,
        organization=world.a1,
        category=world.category(),
        description="另一次检查的问题",
        found_on=TODAY,
    )

    assert listed(client_for(world.alice), inspection=world.inspection.pk) == [mine]


def test_recurring_finds_the_same_category_again_in_the_same_branch(world, client_for):
    first = world.finding(world.a1)
    other = inspection_create(
        actor=world.alice,
        title="回头看检查",
        kind="routine",
        inspecting_org=world.committee,
        inspected_orgs=[],
        start_date=TODAY - datetime.timedelta(days=5),
    )
    again = finding_create(
        actor=world.alice,
        inspection=other,
        organization=world.a1,
        category=world.category(),
        description="仍未按期召开党员大会",
        found_on=TODAY,
    )
    world.finding(world.b1)

    assert set(listed(client_for(world.alice), recurring="1")) == {first, again}


def test_archived_findings_leave_the_list_unless_asked_for(world, client_for):
    kept = world.finding(world.a1)
    gone = world.finding(world.b1)
    gone.is_archived = True
    gone.save()
    client = client_for(world.alice)

    assert listed(client) == [kept]
    assert set(listed(client, archived="1")) == {kept, gone}


def test_sorting_keeps_the_filters_in_the_links(world, client_for):
    world.finding(world.a1)
    world.finding(world.b1)

    response = client_for(world.alice).get(LIST, {"severity": "minor", "ordering": "-organization"})

    assert [f.organization for f in response.context["page"]] == [world.b1, world.a1]
    assert "severity=minor&amp;ordering=organization" in response.content.decode()


def test_a_secretary_lists_only_their_branch(world, client_for):
    world.finding(world.a1)
    mine = world.finding(world.b1)

    assert listed(client_for(world.sara)) == [mine]


def test_a_leader_reaches_the_list_from_a_dashboard_link(world, client_for):
    world.finding(world.a1)
    b1 = world.finding(world.b1)

    assert listed(client_for(world.leo), organization=world.general_b.pk, status="open") == [b1]


def test_nonsense_filter_values_are_reported_not_fatal(world, client_for):
    world.finding(world.a1)

    response = client_for(world.alice).get(LIST, {"organization": "999999", "found_from": "昨天", "status": "x"})

    assert response.status_code == 200
    assert len(response.context["page"]) == 1
    assert "选择一个有效的选项" in response.content.decode()


# ---- detail ------------------------------------------------------------------------------------------


def test_the_detail_shows_the_finding_its_measures_and_history(world, client_for):
    finding = world.finding(world.a1, measures=2)

    response = client_for(world.sam).get(reverse("inspections:finding_detail", args=[finding.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "整改措施1" in page and "整改措施2" in page
    assert "录入问题" in page
    assert not response.context["can_manage"]
    assert "修改问题" not in page


@pytest.mark.parametrize("persona", ["sara", "mona", "nobody"])
def test_a_finding_outside_scope_is_404(world, client_for, persona):
    finding = world.finding(world.a1)

    assert (
        client_for(getattr(world, persona)).get(reverse("inspections:finding_detail", args=[finding.pk])).status_code
        == 404
    )


# ---- edit --------------------------------------------------------------------------------------------


def edit_data(finding: Finding, **overrides) -> dict:
    data = {
        "organization": finding.organization_id,
        "category": finding.category_id,
        "severity": finding.severity,
        "description": finding.description,
        "basis": finding.basis,
        "found_on": finding.found_on.isoformat(),
        "version": finding.version,
    }
    data.update(overrides)
    return data


def test_staff_edit_a_finding(world, client_for):
    finding = world.finding(world.a1)

    response = client_for(world.gina).post(
        reverse("inspections:finding_update", args=[finding.pk]), edit_data(finding, severity="severe")
    )

    finding.refresh_from_db()
    assert response.status_code == 302
    assert finding.severity == "severe"
    assert finding.version == 2


def test_an_edit_from_a_stale_page_is_refused_and_says_who_changed_it(world, client_for):
    finding = world.finding(world.a1)
    stale = edit_data(finding, description="我的修改")
    finding_update(actor=world.alice, finding=finding, expected_version=1, description="别人的修改")

    response = client_for(world.gina).post(reverse("inspections:finding_update", args=[finding.pk]), stale)

    finding.refresh_from_db()
    assert "已被 王爱丽 修改" in response.content.decode()
    assert "我的修改" in response.content.decode()
    assert finding.description == "别人的修改"


def test_moving_a_finding_away_from_its_measures_is_refused(world, client_for):
    finding = world.finding(world.a1)

    response = client_for(world.alice).post(
        reverse("inspections:finding_update", args=[finding.pk]), edit_data(finding, organization=world.a2.pk)
    )

    finding.refresh_from_db()
    assert "不能改到该党组织" in response.content.decode()
    assert finding.organization == world.a1


def test_a_found_date_after_a_measure_deadline_is_refused(world, client_for):
    finding = world.finding(world.a1, due_in=-1)

    response = client_for(world.alice).post(
        reverse("inspections:finding_update", args=[finding.pk]), edit_data(finding, found_on=TODAY.isoformat())
    )

    assert "发现日期不能晚于它" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("alice", 200), ("gina", 200), ("lena", 403), ("sam", 403), ("sara", 404)]
)
def test_only_staff_in_scope_edit_findings(world, client_for, persona, status):
    finding = world.finding(world.a1)

    assert (
        client_for(getattr(world, persona)).get(reverse("inspections:finding_update", args=[finding.pk])).status_code
        == status
    )


# ---- archive -----------------------------------------------------------------------------------------


def test_staff_archive_a_finding_with_a_reason(world, client_for):
    finding = world.finding(world.a1)

    response = client_for(world.alice).post(
        reverse("inspections:finding_archive", args=[finding.pk]), {"reason": "重复录入", "version": 1}
    )

    finding.refresh_from_db()
    assert response.status_code == 302
    assert finding.is_archived and finding.archive_reason == "重复录入"
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_archiving_without_a_reason_is_refused(world, client_for):
    finding = world.finding(world.a1)

    response = client_for(world.alice).post(
        reverse("inspections:finding_archive", args=[finding.pk]), {"reason": "  ", "version": 1}
    )

    finding.refresh_from_db()
    assert "请填写归档原因" in response.content.decode()
    assert not finding.is_archived


def test_a_secretary_cannot_archive(world, client_for):
    finding = world.finding(world.a1)

    response = client_for(world.sam).post(
        reverse("inspections:finding_archive", args=[finding.pk]), {"reason": "不想整改", "version": 1}
    )

    finding.refresh_from_db()
    assert response.status_code == 403
    assert not finding.is_archived


# ---- add a measure later -----------------------------------------------------------------------------


def test_staff_add_a_measure_to_a_filed_finding(world, client_for):
    finding = world.finding(world.a1)
    data = {
        "measure": "追加一项措施",
        "kind": "immediate",
        "responsible_leader": "",
        "assignee": world.mike.pk,
        "due_date": (TODAY + datetime.timedelta(days=3)).isoformat(),
    }

    response = client_for(world.alice).post(reverse("inspections:measure_create", args=[finding.pk]), data)

    assert response.status_code == 302
    assert finding.rectifications.get(number=2).measure == "追加一项措施"


def test_an_added_measure_with_an_outside_assignee_is_refused(world, client_for):
    finding = world.finding(world.a1)
    data = {"measure": "追加", "kind": "deadline", "assignee": world.mona.pk, "due_date": TODAY.isoformat()}

    response = client_for(world.alice).post(reverse("inspections:measure_create", args=[finding.pk]), data)

    assert "所选责任人不属于该党组织" in response.content.decode()
    assert finding.rectifications.count() == 1
