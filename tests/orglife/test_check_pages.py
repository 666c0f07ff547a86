"""The compliance view, the cards other pages include, the suggestion queue and the term pages."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding, FindingSource
from partyreview.organizations.models import Organization
from partyreview.orglife import services
from partyreview.orglife.models import Breach, BreachStatus, TermExtension
from partyreview.orglife.selectors import GENERATION
from tests.factories import OrganizationFactory
from tests.orglife.conftest import beijing, hold
from tests.pages import rendered

OK, ABSENT = 200, 404
# Mid-month, so the current month is neither new nor near its end: an unmet monthly rule is grey.
NOV_12 = datetime.datetime(2026, 11, 12, 10, 0, tzinfo=datetime.UTC)


def cell(html: str, org: Organization, rule: str) -> str:
    """The data-light of one cell of the compliance table ('' when the rule does not apply)."""
    row = html.split(f'<tr data-org="{org.pk}">', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-rule="{rule}" data-light="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("alice", {"a1", "a2", "b1"}),
        ("gina", {"a1", "a2"}),
        ("leo", {"a1", "a2", "b1"}),
        ("lena", {"a1", "a2"}),
        ("sam", {"a1"}),
        ("sara", {"b1"}),
        ("mike", set()),
        ("nobody", set()),
    ],
)
def test_the_compliance_view_shows_the_branches_in_scope(world, client_for, persona, visible):
    html = client_for(getattr(world, persona)).get(reverse("orglife:compliance")).content.decode()
    shown = {name for name in ("a1", "a2", "b1") if f'<tr data-org="{getattr(world, name).pk}">' in html}
    assert shown == visible


@time_machine.travel(NOV_12, tick=False)
def test_recording_a_committee_meeting_turns_its_cell_green(world, branch, client_for):
    client = client_for(world.sam)
    before = client.get(reverse("orglife:compliance")).content.decode()
    assert cell(before, branch, "committee_meeting") != "1"
    hold(branch, world.sam, ["committee_meeting"], beijing(2026, 11, 3))
    after = client.get(reverse("orglife:compliance")).content.decode()
    assert cell(after, branch, "committee_meeting") == "1"
    assert cell(after, branch, "theme_day") != "1"


@time_machine.travel(NOV_12, tick=False)
def test_cells_for_rules_that_do_not_apply_are_blank(world, client_for):
    html = client_for(world.sam).get(reverse("orglife:compliance")).content.decode()
    assert cell(html, world.a1, "committee_meeting") == ""  # A1 has no committee
    assert cell(html, world.a1, "group_meeting") == ""  # nor party groups


@time_machine.travel(NOV_12, tick=False)
def test_the_current_period_lights(world, branch):
    """Grey while there is time, yellow near the end, red when the last period was missed too, green when met."""
    from partyreview.orglife.selectors import compliance

    def light(rule: str, today: datetime.date) -> int | None:
        (row,) = compliance(Organization.objects.filter(pk=branch.pk), today)
        return row.cells[rule].light

    hold(branch, world.sam, ["theme_day"], beijing(2026, 10, 8))
    assert light("theme_day", datetime.date(2026, 11, 12)) is None
    assert light("theme_day", datetime.date(2026, 11, 25)) == 2
    assert light("branch_assembly", datetime.date(2026, 11, 12)) == 3  # none in Q3 either
    hold(branch, world.sam, ["branch_assembly", "theme_day"], beijing(2026, 11, 5))
    assert light("theme_day", datetime.date(2026, 11, 25)) == 1
    assert light("branch_assembly", datetime.date(2026, 11, 12)) == 1


@time_machine.travel(NOV_12, tick=False)
def test_the_secretary_card_says_what_is_still_needed_this_month(world, branch, rf: RequestFactory):
    hold(branch, world.sam, ["group_meeting", "branch_assembly", "party_lecture"], beijing(2026, 11, 3))
    request = rf.get("/")
    request.user = world.sam
    html = Template("{% load orglife %}{% orglife_branch_card branch %}").render(
        Context({"request": request, "branch": branch})
    )
    assert "本月还需：</strong>支委会、主题党日" in html
    assert "本年度还需：</strong>组织生活会、民主评议党员" in html
    assert "本季度还需" not in html
    assert reverse("orglife:meeting_create", args=[branch.pk]) in html


def test_the_branch_card_renders_nothing_for_a_branch_out_of_scope(world, rf):
    request = rf.get("/")
    request.user = world.sara
    html = Template("{% load orglife %}{% orglife_branch_card branch %}").render(
        Context({"request": request, "branch": world.a1})
    )
    assert html.strip() == ""


@time_machine.travel(NOV_12, tick=False)
def test_the_leads_summary_counts_branches_by_light_in_scope(world, branch, rf):
    services.org_life_check(as_of=datetime.date(2026, 11, 12))
    request = rf.get("/")
    request.user = world.lena
    html = Template("{% load orglife %}{% orglife_summary_card %}").render(Context({"request": request}))
    assert "共 2 个党支部" in html
    pending = Breach.objects.filter(organization__path__startswith=world.general_a.path).count()
    assert f"{pending} 条建议问题待确认" in html


@time_machine.travel(NOV_12, tick=False)
def test_the_leads_summary_is_cached_until_the_check_or_a_record_changes_it(world, branch, rf):
    """The card is kept in the cache (common.generations); the check's suggestions (bulk-created) and a
    meeting recorded since must still show on the next page."""
    request = rf.get("/")
    request.user = world.lena

    def card() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = Template("{% load orglife %}{% orglife_summary_card %}").render(Context({"request": request}))
        return html, len(queries)

    before, counted = card()
    again, cached = card()
    services.org_life_check(as_of=datetime.date(2026, 11, 12))
    after_check, _ = card()
    generation = generations.current(GENERATION)
    hold(branch, world.sam, ["committee_meeting"], beijing(2026, 11, 3))

    assert counted > 0 and cached == 0
    assert again == before and "条建议问题待确认" not in before
    pending = Breach.objects.filter(organization__path__startswith=world.general_a.path).count()
    assert pending and f"{pending} 条建议问题待确认" in after_check
    assert generations.current(GENERATION) > generation


def test_bulk_writes_of_dues_retire_the_cached_summary(world):
    member = services.member_create(
        actor=world.sam, organization=world.a1, name="赵一", joined_on=datetime.date(2020, 1, 1)
    )
    before = generations.current(GENERATION)

    services.dues_record(
        actor=world.sam,
        member=member,
        first_month=datetime.date(2026, 1, 1),
        amount=Decimal(30),
        paid_on=datetime.date(2026, 1, 5),
    )

    assert generations.current(GENERATION) > before


def test_the_compliance_view_costs_the_same_queries_for_few_and_many_branches(world, client_for):
    client = client_for(world.alice)
    client.get(reverse("orglife:compliance"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orglife:compliance"))
    for _ in range(40):
        branch = OrganizationFactory(parent=world.general_b, has_committee=True, term_end=datetime.date(2027, 1, 1))
        hold(branch, world.alice, ["committee_meeting"], beijing(2026, 3, 3))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("orglife:compliance"))
    assert response.status_code == OK
    assert len(many) == len(few)


# ---- suggestions -------------------------------------------------------------------------------------


@pytest.fixture
def suggestion(world, branch) -> Breach:
    services.org_life_check(as_of=datetime.date(2026, 4, 1))
    return Breach.objects.get(organization=branch, rule="theme_day")


@pytest.mark.parametrize(
    ("persona", "status", "can_decide"),
    [
        ("alice", OK, True),
        ("gina", OK, True),
        ("root", OK, True),
        ("leo", OK, False),
        ("lena", OK, False),
        ("sam", ABSENT, False),
        ("sara", ABSENT, False),
        ("nobody", ABSENT, False),
    ],
)
def test_who_sees_a_suggestion_and_may_decide_it(world, client_for, suggestion, persona, status, can_decide):
    client = client_for(getattr(world, persona))
    response = client.get(reverse("orglife:breach_detail", args=[suggestion.pk]))
    assert response.status_code == status
    if status == OK:
        assert ("确认并制定整改措施" in response.content.decode()) is can_decide
    client.post(reverse("orglife:breach_dismiss", args=[suggestion.pk]), {"reason": "不属实"})
    suggestion.refresh_from_db()
    assert (suggestion.status == BreachStatus.DISMISSED) is can_decide


def test_staff_of_general_branch_a_do_not_see_b1s_suggestions(world, client_for, suggestion):
    b1 = Breach.objects.filter(organization=world.b1).first()
    client = client_for(world.gina)
    assert client.get(reverse("orglife:breach_detail", args=[b1.pk])).status_code == ABSENT
    listed = client.get(reverse("orglife:breach_list")).content.decode()
    assert f'data-breach="{suggestion.pk}"' in listed
    assert f'data-breach="{b1.pk}"' not in listed


def test_staff_confirm_a_suggestion_through_the_page(world, client_for, suggestion):
    client = client_for(world.alice)
    response = client.post(
        reverse("orglife:breach_confirm", args=[suggestion.pk]),
        {
            "description": suggestion.description,
            "severity": "minor",
            "measure": "制定年度主题党日计划并按月开展",
            "assignee": world.mike.pk,
            "responsible_leader": world.leo.pk,
            "due_date": (local_today() + datetime.timedelta(days=30)).isoformat(),
            "inspection": "",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(source=FindingSource.RULE)
    suggestion.refresh_from_db()
    assert suggestion.finding == finding
    assert finding.rectifications.get().responsible_leader == world.leo


def test_a_confirmation_with_an_assignee_from_elsewhere_is_refused_on_the_page(world, client_for, suggestion):
    response = client_for(world.alice).post(
        reverse("orglife:breach_confirm", args=[suggestion.pk]),
        {
            "description": "x",
            "severity": "minor",
            "measure": "x",
            "assignee": world.mona.pk,
            "due_date": (local_today() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == OK
    assert not Finding.objects.filter(source=FindingSource.RULE).exists()


def test_the_suggestion_list_costs_the_same_queries_for_few_and_many(world, client_for, suggestion):
    client = client_for(world.alice)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orglife:breach_list"))
    for _ in range(15):
        OrganizationFactory(parent=world.general_b)
    services.org_life_check(as_of=datetime.date(2026, 4, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("orglife:breach_list"))
    assert len(many) == len(few)


# ---- terms ---------------------------------------------------------------------------------------------


def test_staff_record_an_extension_on_the_term_page(world, client_for):
    a1 = world.a1
    a1.term_start, a1.term_end = datetime.date(2023, 4, 1), datetime.date(2026, 4, 1)
    a1.save()
    client = client_for(world.alice)
    page = client.get(reverse("orglife:term_list")).content.decode()
    assert "已于2026-04-01届满" in page
    response = client.post(
        reverse("orglife:term_extension", args=[a1.pk]),
        {
            "extended_to": "2027-03-31",
            "approved_on": "2026-03-15",
            "approval_ref": "党委〔2026〕5号",
            "reason": "待统一换届",
        },
    )
    assert response.status_code == 302
    assert TermExtension.objects.get().extended_to == datetime.date(2027, 3, 31)
    assert "（已延期）" in client.get(reverse("orglife:term_list")).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("alice", OK), ("gina", OK), ("leo", ABSENT), ("sam", ABSENT), ("sara", ABSENT)]
)
def test_only_staff_in_scope_open_the_term_forms(world, client_for, persona, status):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("orglife:term_extension", args=[world.a1.pk])).status_code == status
    assert client.get(reverse("orglife:term_election", args=[world.a1.pk])).status_code == status


def test_a_secretary_reads_the_term_page_without_actions(world, client_for):
    page = rendered(client_for(world.sam).get(reverse("orglife:term_list")))
    assert reverse("orglife:term_election", args=[world.a1.pk]) not in page
