"""Changes to the tree: rename, move, merge, 已撤销 — scope, history and counted figures follow at once.

Root (an administrator) changes the tree; Alice (committee staff) and Gina (staff of general branch A)
only watch what they see change. A1 and A2 sit under A, B1 under B.
"""

import pytest
from django.urls import reverse

from partyreview.accounts.models import Role, User
from partyreview.common.errors import ActionRefused
from partyreview.organizations import services
from partyreview.organizations.models import Membership, Organization
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.rectifications import counts
from partyreview.rectifications.models import Rectification
from partyreview.rectifications.permissions import rectifications_visible_to


def _a2_measure(world, *, state: str = "pending") -> Rectification:
    """A measure of A2, assigned to Mike, who serves in A1 and A2."""
    Membership.objects.get_or_create(user=world.mike, organization=world.a2, role=Role.MEMBER)
    return world.rectification(world.a2, state=state)


def _fresh(user: User) -> User:
    # Grants are cached on the user object for one request; a new request loads them again.
    return User.objects.get(pk=user.pk)


def test_renaming_keeps_the_old_name_in_the_history(world):
    services.organization_rename(actor=world.root, organization=world.a1, name="机关综合党支部")
    world.a1.refresh_from_db()
    assert world.a1.name == "机关综合党支部"
    latest = world.a1.history.order_by("-history_date").first()
    assert latest.history_change_reason == "更名：原名“机关第一党支部”"
    assert latest.history_user == world.root


def test_a_moved_branch_leaves_the_old_general_branchs_scope_and_counts_at_once(world, settings):
    settings.CACHED_FIGURES_SECONDS = 300
    measure = world.rectification(world.a1)
    gina_sees = counts.count(rectifications_visible_to(_fresh(world.gina)))
    assert gina_sees == 1, "counted (and cached) before the move"

    services.organization_move(actor=world.root, organization=world.a1, parent=world.general_b)

    world.a1.refresh_from_db()
    assert world.a1.parent_id == world.general_b.pk
    assert world.a1.path.startswith(world.general_b.path)
    assert counts.count(rectifications_visible_to(_fresh(world.gina))) == 0
    assert not rectifications_visible_to(_fresh(world.gina)).filter(pk=measure.pk).exists()
    assert world.a1 not in organizations_visible_to(_fresh(world.gina))
    assert rectifications_visible_to(_fresh(world.alice)).filter(pk=measure.pk).exists()
    assert world.a1.history.order_by("-history_date").first().history_change_reason == (
        "调整隶属：由“机关党总支”调至“生产党总支”"
    )


def test_a_moved_general_branch_takes_its_branches_along(world):
    services.organization_move(actor=world.root, organization=world.general_b, parent=world.general_a.parent)
    services.organization_move(actor=world.root, organization=world.b1, parent=world.general_a)
    world.b1.refresh_from_db()
    assert world.b1.path.startswith(world.general_a.path) and world.b1.depth == 2
    assert world.b1 in organizations_visible_to(_fresh(world.gina))


@pytest.mark.parametrize(
    "org, parent, message",
    [
        ("general_a", "a1", "不能把“机关党总支”移到它自己或它的下级"),
        ("a1", "a2", "党支部“机关第一党支部”不能设在党支部“机关第二党支部”之下"),
        ("general_a", "general_b", "党总支“机关党总支”不能设在党总支“生产党总支”之下"),
    ],
)
def test_a_move_that_would_break_the_tree_is_refused_and_changes_nothing(world, org, parent, message):
    before = list(Organization.objects.values_list("pk", "path"))
    with pytest.raises(ActionRefused, match=message):
        services.organization_move(actor=world.root, organization=getattr(world, org), parent=getattr(world, parent))
    assert list(Organization.objects.values_list("pk", "path")) == before


def test_only_administrators_change_the_tree(world):
    with pytest.raises(ActionRefused, match="只有系统管理员"):
        services.organization_move(actor=world.alice, organization=world.a1, parent=world.general_b)
    with pytest.raises(ActionRefused, match="只有系统管理员"):
        services.organization_merge(actor=world.gina, merged=world.a2, survivor=world.a1)


def test_merging_moves_measures_findings_and_people_and_keeps_the_merged_branch_as_revoked(world):
    open_measure = _a2_measure(world)
    closed_measure = _a2_measure(world, state="closed")
    a2_secretary = User.objects.create(username="a2sec", full_name="二支书记")
    Membership.objects.create(user=a2_secretary, organization=world.a2, role=Role.SECRETARY)

    services.organization_merge(actor=world.root, merged=world.a2, survivor=world.a1)

    world.a2.refresh_from_db()
    assert world.a2.is_active is False, "marked 已撤销, not deleted"
    for measure in (open_measure, closed_measure):
        measure.refresh_from_db()
        assert measure.responsible_org == world.a1
        assert measure.finding.organization == world.a1
        reasons = list(measure.history.values_list("history_change_reason", flat=True))
        assert "党组织合并：由“机关第二党支部”并入“机关第一党支部”" in reasons
    assert Membership.objects.filter(user=a2_secretary, organization=world.a1, role=Role.SECRETARY).exists()
    assert Membership.objects.filter(user=world.mike, organization=world.a1).count() == 1
    assert not Membership.objects.filter(organization=world.a2).exists()
    assert rectifications_visible_to(_fresh(world.sam)).filter(pk=open_measure.pk).exists(), "A1's secretary"
    assert list(world.inspection.inspected_orgs.filter(pk__in=[world.a1.pk, world.a2.pk])) == [world.a1]


def test_a_merge_of_different_kinds_is_refused_and_changes_nothing(world):
    measure = _a2_measure(world)
    with pytest.raises(ActionRefused, match="同一类型"):
        services.organization_merge(actor=world.root, merged=world.a2, survivor=world.general_b)
    measure.refresh_from_db()
    world.a2.refresh_from_db()
    assert measure.responsible_org == world.a2 and world.a2.is_active


def test_a_general_branch_with_active_branches_cannot_be_revoked(world):
    with pytest.raises(ActionRefused, match="还有在用的下级党组织"):
        services.organization_deactivate(actor=world.root, organization=world.general_a)


# ---- the pages -----------------------------------------------------------------------------------------


def test_an_administrator_merges_through_the_page(world, client_for):
    measure = _a2_measure(world)
    page = client_for(world.root)
    url = reverse("organizations:change", args=[world.a2.pk])
    assert "合并到另一个党组织" in page.get(url).content.decode()
    response = page.post(url, {"action": "merge", "survivor": world.a1.pk, "confirm": "on"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.responsible_org == world.a1


def test_a_refused_change_shows_why_on_the_page(world, client_for):
    url = reverse("organizations:change", args=[world.a1.pk])
    response = client_for(world.root).post(url, {"action": "merge", "survivor": world.general_b.pk, "confirm": "on"})
    assert response.status_code == 200
    assert "请选择同类型、在用的党组织。" in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "gina", "leo", "sam", "nobody"])
def test_the_tree_pages_are_404_for_everyone_but_administrators(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("organizations:list")).status_code == 404
    assert client.get(reverse("organizations:change", args=[world.a1.pk])).status_code == 404
    response = client.post(reverse("organizations:change", args=[world.a1.pk]), {"action": "rename", "name": "x"})
    assert response.status_code == 404
    world.a1.refresh_from_db()
    assert world.a1.name == "机关第一党支部"
