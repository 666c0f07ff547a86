"""Who sees what. Two branches under two general branches; each persona sees exactly its scope, and the
leaks are looked for explicitly."""

import pytest

from partyreview.inspections.permissions import findings_visible_to, inspections_visible_to
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.organizations.selectors import ancestors, subtree
from partyreview.rectifications.permissions import evidence_visible_to, rectifications_visible_to
from tests.factories import pdf_upload

# persona → the branches whose measures it must see (A1, A2, B1); everything else it must not.
EXPECTED = {
    "alice": {"a1", "a2", "b1"},
    "root": {"a1", "a2", "b1"},
    "leo": {"a1", "a2", "b1"},
    "gina": {"a1", "a2"},
    "lena": {"a1", "a2"},
    "sam": {"a1"},
    "sara": {"b1"},
    "mike": {"a1"},  # as assignee of A1's measures only
    "mona": {"b1"},
    "nobody": set(),
}


@pytest.fixture
def populated(world):
    from partyreview.rectifications import services

    for key in ("a1", "a2", "b1"):
        org = getattr(world, key)
        if key == "a2":
            # A2 has no member of its own in the world: its measure is assigned to Gina's staff scope... no —
            # give A2 a member so measures can be assigned there.
            from partyreview.accounts.models import Role
            from partyreview.organizations.models import Membership
            from tests.factories import UserFactory

            member = UserFactory(username="amy", full_name="艾米")
            Membership.objects.create(user=member, organization=org, role=Role.MEMBER)
            finding = services.finding_file(
                actor=world.alice,
                inspection=world.inspection,
                organization=org,
                category=world.category(),
                description=f"{key} 的问题",
                found_on=world.inspection.start_date,
                measures=[
                    services.MeasureInput(
                        measure=f"{key} 的措施",
                        assignee=member,
                        due_date=world.inspection.start_date,
                        past_due_confirmed=True,
                    )
                ],
            )
        else:
            finding = world.finding(org, description=f"{key} 的问题")
        r = finding.rectifications.get()
        services.rectification_record_progress(actor=r.assignee, rectification=r, note="进展", files=[pdf_upload()])
    return world


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_exactly_its_branches_measures_findings_and_files(populated, persona):
    w = populated
    user = getattr(w, persona)
    code_of = {w.a1.pk: "a1", w.a2.pk: "a2", w.b1.pk: "b1"}
    seen_measures = {code_of[pk] for pk in rectifications_visible_to(user).values_list("responsible_org", flat=True)}
    seen_findings = {code_of[pk] for pk in findings_visible_to(user).values_list("organization", flat=True)}
    seen_files = {
        code_of[pk] for pk in evidence_visible_to(user).values_list("rectification__responsible_org", flat=True)
    }
    assert seen_measures == EXPECTED[persona]
    assert seen_files == EXPECTED[persona]
    if persona in {"mike", "mona"}:
        assert seen_findings == set(), "a plain member sees measures assigned to them, not the branch's findings"
    else:
        assert seen_findings == EXPECTED[persona]


def test_a_general_branch_lead_never_sees_the_other_general_branch(populated):
    w = populated
    orgs = set(organizations_visible_to(w.lena).values_list("code", flat=True))
    assert orgs == {"T-A", "T-A-1", "T-A-2"}
    assert not rectifications_visible_to(w.lena).filter(responsible_org=w.b1).exists()
    assert not findings_visible_to(w.gina).filter(organization__in=[w.b1, w.general_b]).exists()


def test_a_secretary_sees_the_inspection_of_their_branch_but_not_unrelated_ones(populated):
    from partyreview.inspections.services import inspection_create

    w = populated
    other = inspection_create(
        actor=w.alice,
        title="生产总支专项检查",
        kind="special",
        inspecting_org=w.general_b,
        inspected_orgs=[w.b1],
        start_date=w.inspection.start_date,
    )
    assert set(inspections_visible_to(w.sam)) == {w.inspection}
    assert set(inspections_visible_to(w.sara)) == {w.inspection, other}
    assert other not in inspections_visible_to(w.gina)
    assert set(inspections_visible_to(w.alice)) == {w.inspection, other}


def test_unauthenticated_users_see_nothing(populated):
    from django.contrib.auth.models import AnonymousUser

    assert not rectifications_visible_to(AnonymousUser()).exists()
    assert not evidence_visible_to(AnonymousUser()).exists()


def test_subtree_and_ancestors_follow_a_moved_organisation(world):
    world.a2.parent = world.general_b
    world.a2.save()
    child = Organization.objects.create(name="A2 党小组", code="T-A-2-1", kind="branch", parent=world.a2)
    world.a2.parent = world.general_a
    world.a2.save()
    child.refresh_from_db()
    assert child.path.startswith(world.general_a.path)
    assert set(subtree(world.general_a).values_list("code", flat=True)) == {"T-A", "T-A-1", "T-A-2", "T-A-2-1"}
    assert list(ancestors(child).values_list("code", flat=True)) == ["T", "T-A", "T-A-2", "T-A-2-1"]


@pytest.mark.parametrize("size", [10, 1000])
def test_reading_a_subtree_costs_one_query_whatever_its_size(db, django_assert_num_queries, size):
    root = Organization.objects.create(name="党委", code="R", kind="committee")
    parent = root
    for depth in range(3):
        parent = Organization.objects.create(name=f"层{depth}", code=f"R{depth}", kind="general_branch", parent=parent)
    Organization.objects.bulk_create(
        [
            Organization(name=f"支部{i}", code=f"B{i}", kind="branch", parent=parent, path=f"{parent.path}{i:06d}x/")
            for i in range(size)
        ]
    )
    with django_assert_num_queries(1):
        assert len(list(subtree(root))) == size + 4
