"""选人: staff find a 责任人 among thousands by name, pinyin or initials, within their scope only.

Alice (committee staff) covers everything; Gina (staff of general branch A) never sees B's people; Sam
(a secretary) and Leo (a lead) choose nobody. 张伟 and 张薇 serve in A1, 赵文 in B1.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partyreview.accounts.models import Role, name_search_key
from partyreview.organizations.models import Membership
from tests.factories import UserFactory

URL = reverse("organizations:person_search")


def _people(world):
    zhang_wei = UserFactory(username="13800000001", full_name="张伟")
    zhang_wei2 = UserFactory(username="13800000002", full_name="张薇")
    zhao_wen = UserFactory(username="13800000003", full_name="赵文")
    Membership.objects.create(user=zhang_wei, organization=world.a1, role=Role.MEMBER)
    Membership.objects.create(user=zhang_wei2, organization=world.a1, role=Role.MEMBER)
    Membership.objects.create(user=zhao_wen, organization=world.b1, role=Role.MEMBER)
    return zhang_wei, zhang_wei2, zhao_wen


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [r["name"] for r in response.json()["results"]]


def test_a_name_is_spelled_in_pinyin_and_initials():
    assert name_search_key("张伟") == "zhangwei|zw"
    assert name_search_key("欧阳娜娜") == "ouyangnana|oynn"


def test_the_spelling_follows_a_renamed_person(db):
    person = UserFactory(full_name="张伟")
    person.full_name = "李娜"
    person.save(update_fields=["full_name"])
    person.refresh_from_db()
    assert person.name_key == "lina|ln"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("zw", ["张伟", "张薇", "赵文"]),
        ("zhangw", ["张伟", "张薇"]),
        ("ZHANG WEI", ["张伟", "张薇"]),
        ("张", ["张伟", "张薇"]),
        ("138000000", ["张伟", "张薇", "赵文"]),
        ("wangqiang", []),
    ],
)
def test_staff_find_people_by_pinyin_initials_name_or_login(world, client_for, typed, expected):
    _people(world)
    assert sorted(_names(client_for(world.alice).get(URL, {"q": typed}))) == sorted(expected)


def test_staff_who_know_the_branch_better_than_the_name_type_the_branch(world, client_for):
    _people(world)
    found = _names(client_for(world.alice).get(URL, {"q": "生产第一"}))
    assert "赵文" in found and "张伟" not in found and "张薇" not in found
    # Within the scope still: Gina (staff of A) finds nobody of 生产第一党支部 by its name.
    assert "赵文" not in _names(client_for(world.gina).get(URL, {"q": "生产第一"}))
    # One character of a branch is no search for it: "第" alone matches names only.
    assert _names(client_for(world.alice).get(URL, {"q": "第"})) == []


def test_each_result_names_the_organisation_to_tell_namesakes_apart(world, client_for):
    _people(world)
    (result,) = client_for(world.alice).get(URL, {"q": "zhaowen"}).json()["results"]
    assert result["detail"] == "生产第一党支部"


def test_the_search_keeps_to_an_organisation_and_the_field(world, client_for):
    _people(world)
    alice = client_for(world.alice)
    assert sorted(_names(alice.get(URL, {"q": "zw", "organization": world.a1.pk}))) == ["张伟", "张薇"]
    assert _names(alice.get(URL, {"q": "lla", "organization": world.a1.pk, "role": "leader"})) == ["李利奥"]
    assert _names(alice.get(URL, {"q": "lla", "organization": world.a1.pk, "role": "assignee"})) == []


def test_staff_of_a_general_branch_never_find_people_of_another(world, client_for):
    _people(world)
    gina = client_for(world.gina)
    assert sorted(_names(gina.get(URL, {"q": "zw"}))) == ["张伟", "张薇"]
    assert gina.get(URL, {"q": "zw", "organization": world.b1.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["sam", "leo", "nobody"])
def test_people_who_choose_nobody_get_404(world, client_for, persona):
    _people(world)
    assert client_for(getattr(world, persona)).get(URL, {"q": "zw"}).status_code == 404
    assert client_for(getattr(world, persona)).get(URL, {"q": "zw", "organization": world.a1.pk}).status_code == 404


@pytest.mark.parametrize("bad", [{"organization": "abc"}, {"organization": "1", "role": "x"}])
def test_bad_parameters_are_404_not_500(world, client_for, bad):
    assert client_for(world.alice).get(URL, {"q": "zw", **bad}).status_code == 404


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_the_search_costs_the_same_queries_for_ten_or_five_hundred_people(world, client_for):
    alice = client_for(world.alice)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            person = UserFactory(username=f"p{i}", full_name=f"张{i}")
            Membership.objects.create(user=person, organization=world.a1, role=Role.MEMBER)

    add(10, 0)
    few = _queries(alice, q="zhang", organization=world.a1.pk)
    few_anywhere = _queries(alice, q="zhang")
    add(490, 10)
    assert _queries(alice, q="zhang", organization=world.a1.pk) == few
    assert _queries(alice, q="zhang") == few_anywhere
    assert len(alice.get(URL, {"q": "zhang"}).json()["results"]) == 20, "at most twenty, never everyone"


def test_the_measure_form_sends_only_the_chosen_person_not_everyone(world, client_for):
    for i in range(300):
        person = UserFactory(username=f"m{i}", full_name=f"成员{i}")
        Membership.objects.create(user=person, organization=world.a1, role=Role.MEMBER)
    rectification = world.rectification(world.a1)
    page = client_for(world.alice).get(reverse("rectifications:update", args=[rectification.pk])).content.decode()
    select = re.search(r'<select name="assignee"[^>]*>(.*?)</select>', page, re.S)
    assert select, "the assignee list is on the page"
    assert 'data-person-search="/organizations/people/search/"' in select.group(0)
    people = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(1))
    assert people == ["马可"], "the chosen person, not the 300 others"
