"""录入问题: the finding and its measures are filed together on one page, or nothing is saved.

Alice (committee staff) files for any branch; Gina (staff of general branch A) only for A's branches.
"""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category, Finding
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification

TODAY = local_today()


def _day(days: int) -> str:
    return (TODAY + datetime.timedelta(days=days)).isoformat()


def filing_data(world, *, org=None, measures=None, **overrides) -> dict:
    """The POST of the filing page: one finding and its measures (a formset with prefix "measures")."""
    org = org or world.a1
    if measures is None:
        measures = [
            {"measure": "按季度制定“三会一课”计划", "assignee": world.mike.pk, "due_date": _day(30)},
            {
                "measure": "补齐会议记录并签字确认",
                "assignee": world.sam.pk,
                "due_date": _day(60),
                "kind": "long_term",
                "report_cadence": "quarterly",
            },
        ]
    data = {
        "organization": org.pk,
        "category": world.category().pk,
        "severity": "major",
        "description": "支部未按期召开党员大会",
        "basis": "支部工作条例第十一条",
        "found_on": _day(-5),
        "measures-TOTAL_FORMS": str(len(measures)),
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "1",
        "measures-MAX_NUM_FORMS": "20",
        "save": "1",
    }
    for i, measure in enumerate(measures):
        fields = {"kind": "deadline", "responsible_leader": "", "due_date": "", **measure}
        for key, value in fields.items():
            data[f"measures-{i}-{key}"] = value
    data.update(overrides)
    return data


def url(world) -> str:
    return reverse("inspections:finding_create", args=[world.inspection.pk])


def test_staff_files_a_finding_with_two_measures(world, client_for):
    response = client_for(world.alice).post(url(world), filing_data(world))

    finding = Finding.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:finding_detail", args=[finding.pk])
    assert finding.organization == world.a1
    assert finding.severity == "major"
    measures = list(finding.rectifications.order_by("number"))
    assert [(m.number, m.assignee, m.kind) for m in measures] == [
        (1, world.mike, "deadline"),
        (2, world.sam, "long_term"),
    ]
    assert measures[0].due_date == TODAY + datetime.timedelta(days=30)
    assert measures[0].original_due_date == measures[0].due_date
    assert measures[0].created_by == world.alice
    # The 长期坚持 one reports quarterly, its date its stage goal.
    assert (measures[1].report_cadence, measures[1].stage_due_date) == (
        "quarterly",
        TODAY + datetime.timedelta(days=60),
    )


def test_the_success_message_says_what_was_filed(world, client_for):
    response = client_for(world.alice).post(url(world), filing_data(world), follow=True)

    assert "已录入第 1 项问题及 2 项整改措施" in response.content.decode()


def test_save_and_add_another_keeps_the_inspection_organisation_and_date(world, client_for):
    client = client_for(world.alice)
    response = client.post(
        url(world),
        filing_data(
            world,
            org=world.a2,
            measures=[
                {"measure": "整改", "assignee": world.alice.pk, "due_date": _day(10)},
            ],
            save_and_add="1",
        ),
    )
    # Alice is a member of the committee, not of A2: she is not assignable there.
    assert response.status_code == 200
    assert "所选责任人不属于该党组织" in response.content.decode()

    response = client.post(url(world), filing_data(world, save_and_add="1"))

    assert response.status_code == 302
    assert response["Location"] == f"{url(world)}?organization={world.a1.pk}&found_on={_day(-5)}"
    page = client.get(response["Location"]).content.decode()
    assert f'<option value="{world.a1.pk}" selected>' in page
    assert f'value="{_day(-5)}"' in page


def test_a_blank_second_measure_is_ignored(world, client_for):
    data = filing_data(world, measures=[{"measure": "整改", "assignee": world.mike.pk, "due_date": _day(10)}, {}])

    response = client_for(world.alice).post(url(world), data)

    assert response.status_code == 302
    assert Rectification.objects.count() == 1


def test_the_due_date_defaults_from_the_category_time_limit(world, client_for):
    Category.objects.filter(code="meeting_lapses").update(default_days=45)
    data = filing_data(world, measures=[{"measure": "整改", "assignee": world.mike.pk, "due_date": ""}])

    client_for(world.alice).post(url(world), data)

    assert Rectification.objects.get().due_date == TODAY + datetime.timedelta(days=-5 + 45)


def test_the_page_shows_the_default_time_limits_for_its_script(world, client_for):
    Category.objects.filter(code="meeting_lapses").update(default_days=45)

    page = client_for(world.alice).get(url(world)).content.decode()

    assert 'id="category-days"' in page
    assert f'"{world.category().pk}": 45' in page


def _refused(response, message: str) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Finding.objects.count() == 0
    assert Rectification.objects.count() == 0


def test_a_blank_due_date_without_a_category_default_is_refused(world, client_for):
    Category.objects.filter(code="meeting_lapses").update(default_days=None)
    data = filing_data(world, measures=[{"measure": "整改", "assignee": world.mike.pk, "due_date": ""}])

    _refused(client_for(world.alice).post(url(world), data), "请填写整改时限")


def test_a_due_date_before_the_finding_date_is_refused(world, client_for):
    data = filing_data(world, measures=[{"measure": "整改", "assignee": world.mike.pk, "due_date": _day(-6)}])

    _refused(client_for(world.alice).post(url(world), data), "整改时限不能早于问题发现日期")


def test_an_assignee_outside_the_organisation_is_refused(world, client_for):
    data = filing_data(world, measures=[{"measure": "整改", "assignee": world.mona.pk, "due_date": _day(10)}])

    _refused(client_for(world.alice).post(url(world), data), "所选责任人不属于该党组织")


def test_an_organisation_outside_the_staff_scope_is_refused(world, client_for):
    data = filing_data(
        world, org=world.b1, measures=[{"measure": "整改", "assignee": world.mona.pk, "due_date": _day(10)}]
    )

    _refused(client_for(world.gina).post(url(world), data), "所选党组织不在您的管理范围内")


def test_a_finding_without_measures_is_refused(world, client_for):
    data = filing_data(world, measures=[{}, {}])

    _refused(client_for(world.alice).post(url(world), data), "请填写整改措施")


def test_a_finding_without_a_description_is_refused(world, client_for):
    _refused(client_for(world.alice).post(url(world), filing_data(world, description="  ")), "请填写问题描述")


def test_a_found_date_in_the_future_is_refused(world, client_for):
    _refused(client_for(world.alice).post(url(world), filing_data(world, found_on=_day(1))), "发现日期不能晚于今天")


def test_a_tampered_formset_is_refused_in_chinese(world, client_for):
    data = filing_data(world)
    del data["measures-TOTAL_FORMS"]

    _refused(client_for(world.alice).post(url(world), data), "每个问题至少需要一项整改措施")


def test_when_the_service_refuses_a_measure_nothing_of_the_finding_is_saved(world, client_for, monkeypatch):
    real = services.rectification_create
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ActionRefused("第二项措施被拒绝。")
        return real(**kwargs)

    monkeypatch.setattr(services, "rectification_create", second_fails)

    _refused(client_for(world.alice).post(url(world), filing_data(world)), "第二项措施被拒绝。")


def test_entered_text_survives_a_refusal(world, client_for):
    data = filing_data(
        world, measures=[{"measure": "认真整改的措施文字", "assignee": world.mona.pk, "due_date": _day(10)}]
    )

    page = client_for(world.alice).post(url(world), data).content.decode()

    assert "认真整改的措施文字" in page
    assert "支部未按期召开党员大会" in page


def test_assignee_choices_follow_the_chosen_organisation(world, client_for):
    client = client_for(world.alice)
    page = client.get(f"{url(world)}?organization={world.b1.pk}").content.decode()
    # The lists hold no one yet: their search box asks for the chosen organisation's people.
    found = client.get(reverse("organizations:person_search"), {"organization": world.b1.pk, "q": "m"}).json()

    assert f'data-organization="{world.b1.pk}"' in page
    assert [person["name"] for person in found["results"]] == ["莫娜"]
    assert "马可" not in page


def test_organisation_choices_are_the_staff_scope(world, client_for):
    page = client_for(world.gina).get(url(world)).content.decode()

    assert world.a1.name in page
    assert world.b1.name not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("gina", 200), ("leo", 403), ("lena", 403), ("sam", 403), ("mike", 404), ("nobody", 404)],
)
def test_only_staff_open_the_filing_page(world, client_for, persona, status):
    assert client_for(getattr(world, persona)).get(url(world)).status_code == status


@pytest.mark.parametrize("persona", ["leo", "sam"])
def test_non_staff_posting_a_finding_save_nothing(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(url(world), filing_data(world))

    assert response.status_code == 403
    assert Finding.objects.count() == 0


def test_archived_inspections_take_no_new_findings(world, client_for):
    world.inspection.is_archived = True
    world.inspection.save()

    response = client_for(world.alice).post(url(world), filing_data(world))

    assert response.status_code == 302
    assert Finding.objects.count() == 0
