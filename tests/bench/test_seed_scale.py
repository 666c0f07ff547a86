"""bench.seed_scale at a small size: the same seed gives the same data, and the data has the benchmark's shape.

The benchmark (docs/performance.md) runs it at 1,000 branches and 100,000 findings; these tests keep the
generator honest at 20 branches and 200 findings on both databases.
"""

import datetime
import hashlib
import io

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bench.scale import ScaleSpec, scale_summary
from bench.seed_scale import SeedRefused, seed_scale
from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Finding
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.rectifications.models import Rectification, RectificationStatus
from partyreview.rectifications.services import compute_warn_from

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
SMALL = {"branches": 20, "findings": 200, "seed": 7, "today": TODAY}


def _seed(**options: object) -> str:
    out = io.StringIO()
    seed_scale(out=out, **{**SMALL, **options})
    return out.getvalue()


def _fingerprint() -> str:
    """Every finding and measure by what it says, never by id (ids differ between runs on PostgreSQL)."""
    findings = Finding.objects.order_by("inspection__start_date", "inspection__title", "sequence").values_list(
        "inspection__title", "sequence", "organization__code", "category__code", "severity", "found_on", "is_archived"
    )
    measures = Rectification.objects.order_by(
        "finding__inspection__start_date", "finding__inspection__title", "finding__sequence", "number"
    ).values_list(
        "finding__sequence",
        "number",
        "kind",
        "status",
        "due_date",
        "original_due_date",
        "assignee__username",
        "responsible_leader__username",
        "closed_at",
    )
    digest = hashlib.sha256()
    for row in [*findings, *measures]:
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _seed_and_describe(**options: object) -> tuple[dict, str]:
    with transaction.atomic():
        _seed(**options)
        described = scale_summary(TODAY), _fingerprint()
        transaction.set_rollback(True)
    return described


def test_the_same_seed_gives_identical_data_twice_and_another_seed_other_data():
    first = _seed_and_describe()
    second = _seed_and_describe()
    assert first == second
    other_summary, other_fingerprint = _seed_and_describe(seed=8)
    assert other_fingerprint != first[1]
    assert other_summary["findings"] == first[0]["findings"] == 200
    assert other_summary["organizations"] == first[0]["organizations"]


@pytest.fixture(scope="class")
def seeded(django_db_setup: None, django_db_blocker: object) -> object:
    """One seed for every shape test of the class (seeding is the slow part), rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded")
class TestShape:
    def test_the_tree_has_the_asked_branches_with_paths_as_save_computes_them(self):
        committee = Organization.objects.get(kind=OrganizationKind.COMMITTEE)
        assert committee.code == ScaleSpec(20, 200, seed=7).marker
        assert Organization.objects.filter(kind=OrganizationKind.BRANCH).count() == 20
        for org in Organization.objects.select_related("parent"):
            expected = f"{org.parent.path if org.parent else ''}{org.pk:06d}/"
            assert org.path == expected
            assert org.depth == expected.count("/") - 1

    def test_every_branch_has_a_secretary_and_two_members_who_can_log_in(self):
        for branch in Organization.objects.filter(kind=OrganizationKind.BRANCH):
            roles = sorted(Membership.objects.filter(organization=branch).values_list("role", flat=True))
            assert roles == [Role.MEMBER, Role.MEMBER, Role.SECRETARY]
        secretary = User.objects.get(username="sc-b0001-sec")
        assert secretary.check_password(settings.DEMO_PASSWORD)
        assert Membership.objects.filter(user__username="sc-staff1", role=Role.STAFF, organization__depth=0).exists()
        assert Membership.objects.filter(
            user__username="sc-g001-leader", role=Role.LEADER, organization__depth=1
        ).exists()

    def test_measures_are_spread_like_a_real_ledger(self):
        summary = scale_summary(TODAY)
        per_finding = summary["rectifications"] / summary["findings"]
        assert 2.0 <= per_finding <= 3.0
        assert set(summary["rectifications_by_status"]) == set(RectificationStatus.values)
        assert summary["rectifications_by_status"]["closed"] > summary["rectifications"] / 2
        assert summary["overdue"] > 0
        assert len(summary["findings_by_year"]) >= 3
        # The four categories the users named first are found most often.
        by_category = summary["findings_by_category"]
        top_four = sorted(by_category, key=by_category.get, reverse=True)[:4]
        assert set(top_four) == {"two_skins", "weak_leadership", "meeting_lapses", "dues_arrears"}

    def test_measures_keep_the_lifecycle_invariants(self):
        for r in Rectification.objects.select_related("finding"):
            assert r.original_due_date <= r.due_date
            assert r.due_date >= r.finding.found_on
            assert r.responsible_org_id == r.finding.organization_id
            assert r.warn_from == compute_warn_from(timezone.localtime(r.created_at).date(), r.due_date)
            if r.status == RectificationStatus.CLOSED:
                assert r.closed_at and r.closed_by_id and r.submitted_at and r.closed_at >= r.submitted_at
            else:
                assert r.closed_at is None
            if r.status == RectificationStatus.PENDING:
                assert not r.progress_updates.exists()

    def test_history_has_a_creation_record_for_every_finding_and_measure(self):
        assert Finding.history.filter(history_type="+").count() == Finding.objects.count()
        assert Rectification.history.filter(history_type="+").count() == Rectification.objects.count()
        moved = Rectification.objects.exclude(status=RectificationStatus.PENDING).count()
        assert Rectification.history.filter(history_type="~").count() == moved
        created = Rectification.history.filter(history_type="+").values_list("status", "version")
        assert set(created.order_by().distinct()) == {(RectificationStatus.PENDING, 1)}

    def test_seeding_again_with_the_same_parameters_writes_nothing(self):
        before = Rectification.objects.count()
        assert "已存在" in _seed()
        assert Rectification.objects.count() == before


def test_it_refuses_a_database_that_holds_other_data():
    Organization.objects.create(name="某党委", code="OTHER", kind=OrganizationKind.COMMITTEE)
    with pytest.raises(SeedRefused, match="空数据库"):
        _seed()
