"""整改措施库：standard measures per category, seeded on install, offered on the finding form, and learning
from the committee's own closed measures (the most used first) — within the user's scope only."""

import datetime

import pytest

from partyreview.common.dates import local_today
from partyreview.inspections.categories import STANDARD_CATEGORIES
from partyreview.inspections.models import Category
from partyreview.rectifications import services
from partyreview.rectifications.measure_library import STANDARD_MEASURES, ensure_standard_measures
from partyreview.rectifications.models import RectificationKind, StandardMeasure
from partyreview.rectifications.selectors import measure_suggestions
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db

DUES_FIRST = STANDARD_MEASURES["dues_arrears"][0][0]
DUES_THIRD = STANDARD_MEASURES["dues_arrears"][2][0]


@pytest.fixture
def library(world):
    # Transactional test databases may have been flushed: seed the library like the migration does.
    ensure_standard_measures(Category, StandardMeasure)
    return world


def close_measures(world, org, texts: list[str], category: str = "dues_arrears") -> None:
    """File one finding with these measures and drive each through the services to 已销号."""
    today = local_today()
    finding = services.finding_file(
        actor=world.alice,
        inspection=world.inspection,
        organization=org,
        category=world.category(category),
        description="党员欠缴党费",
        found_on=today - datetime.timedelta(days=5),
        measures=[
            services.MeasureInput(
                measure=text, assignee=world.assignee_for(org), due_date=today + datetime.timedelta(days=30)
            )
            for text in texts
        ],
    )
    for rectification in finding.rectifications.all():
        reporter = rectification.assignee
        services.rectification_record_progress(
            actor=reporter, rectification=rectification, note="已开展整改", files=[pdf_upload()]
        )
        rectification.refresh_from_db()
        services.rectification_submit(
            actor=reporter, rectification=rectification, summary="已完成", files=[pdf_upload()]
        )
        rectification.refresh_from_db()
        services.rectification_close(actor=world.alice, rectification=rectification, note="核查属实")


def texts(world, user, code: str = "dues_arrears") -> list[str]:
    return [s.text for s in measure_suggestions(user)[world.category(code).pk]]


def test_every_standard_category_but_other_has_several_library_measures(library):
    codes = {code for code, *_ in STANDARD_CATEGORIES} - {"other"}
    assert set(STANDARD_MEASURES) == codes
    for code in codes:
        seeded = StandardMeasure.objects.filter(category__code=code)
        assert seeded.count() >= 3, code
        assert all(m.kind in RectificationKind.values for m in seeded)


def test_seeding_again_never_touches_a_category_an_administrator_edited(library):
    category = library.category("dues_arrears")
    StandardMeasure.objects.filter(category=category).exclude(sort_order=1).delete()
    assert ensure_standard_measures(Category, StandardMeasure) == 0
    assert StandardMeasure.objects.filter(category=category).count() == 1


def test_alice_is_offered_the_library_in_its_order_before_anything_is_closed(library):
    assert texts(library, library.alice) == [text for text, _ in STANDARD_MEASURES["dues_arrears"]]


def test_the_committees_most_used_closed_measures_come_first(library):
    own = "由支部组织委员每月10日前逐人收缴党费并登记。"
    close_measures(library, library.a1, [DUES_THIRD, own])
    close_measures(library, library.a1, [own, DUES_THIRD])
    close_measures(library, library.b1, [own])

    offered = measure_suggestions(library.alice)[library.category("dues_arrears").pk]

    assert [(s.text, s.uses, s.from_library) for s in offered[:2]] == [(own, 3, False), (DUES_THIRD, 2, True)]
    assert offered[2].text == DUES_FIRST


def test_a_wording_used_once_is_not_yet_offered(library):
    close_measures(library, library.a1, ["只用过一次的说法"])
    assert "只用过一次的说法" not in texts(library, library.alice)


def test_gina_learns_only_from_measures_within_her_general_branch(library):
    own = "生产党总支自己的党费收缴办法。"
    close_measures(library, library.b1, [own, own])

    assert own in texts(library, library.alice)
    assert own not in texts(library, library.gina)


def test_an_inactive_library_measure_is_no_longer_offered(library):
    StandardMeasure.objects.filter(text=DUES_FIRST).update(is_active=False)
    assert DUES_FIRST not in texts(library, library.alice)


def test_the_finding_form_carries_the_library_for_its_script(library, client):
    client.force_login(library.alice)
    response = client.get(f"/inspections/{library.inspection.pk}/findings/new/")

    assert response.status_code == 200
    library_json = response.context["measure_library"]
    assert library_json[str(library.category("dues_arrears").pk)][0]["text"] == DUES_FIRST
    content = response.content.decode()
    assert 'id="measure-library"' in content
    assert 'id="measure-suggestions"' in content
