"""Staff and administrators read what one person changed, within their own scope; nobody else can."""

import pytest
from django.urls import reverse

from partyreview.rectifications import services
from tests.pages import rendered


@pytest.fixture
def changes(world):
    a1 = world.rectification(world.a1, state="submitted")
    b1 = world.rectification(world.b1, state="submitted")
    services.rectification_return(actor=world.alice, rectification=a1, reason="A1 缺少会议记录")
    services.rectification_return(actor=world.alice, rectification=b1, reason="B1 缺少签到表")
    return a1, b1


def test_committee_staff_see_every_change_a_person_made(world, client_for, changes):
    page = client_for(world.alice).get(reverse("rectifications:audit_user", args=[world.alice.pk])).content.decode()
    assert "退回：A1 缺少会议记录" in page and "退回：B1 缺少签到表" in page
    assert "录入问题" in page


def test_general_branch_staff_see_only_changes_in_their_scope(world, client_for, changes):
    page = client_for(world.gina).get(reverse("rectifications:audit_user", args=[world.alice.pk])).content.decode()
    assert "退回：A1 缺少会议记录" in page
    assert "B1" not in page and "生产第一党支部" not in page


@pytest.mark.parametrize("persona", ["sam", "leo", "mike", "nobody"])
def test_others_get_404(world, client_for, changes, persona):
    response = client_for(getattr(world, persona)).get(reverse("rectifications:audit_user", args=[world.alice.pk]))
    assert response.status_code == 404


def test_the_timeline_links_a_person_to_their_record_for_staff_only(world, client_for, changes):
    a1, _ = changes
    url = reverse("rectifications:audit_user", args=[world.alice.pk])
    assert url in client_for(world.alice).get(reverse("rectifications:detail", args=[a1.pk])).content.decode()
    assert url not in rendered(client_for(world.sam).get(reverse("rectifications:detail", args=[a1.pk])))
