"""屡查屡犯, linked: a finding that resembles one of an earlier inspection in the same organisation and
category says so on its page and links to it. Sam sees it for A1; Sara (B1) never sees A1's findings."""

import datetime

import pytest
from django.urls import reverse

from partyreview.inspections.models import Finding
from partyreview.inspections.selectors import similar_earlier_findings, text_similarity
from partyreview.inspections.services import inspection_create
from partyreview.rectifications import services


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("支部未按期召开党员大会", "党员大会未按期召开，支部记录缺失", True),
        ("支部未按期召开党员大会", "党费收缴不规范，存在欠缴", False),
        ("", "党员大会", False),
    ],
)
def test_bigram_similarity_tells_rewordings_from_other_problems(a, b, similar):
    assert (text_similarity(a, b) >= 0.3) == similar


@pytest.fixture
def earlier(world) -> Finding:
    first_round = inspection_create(
        actor=world.alice,
        title="2025年第一轮巡察",
        kind="tour",
        inspecting_org=world.committee,
        inspected_orgs=[world.a1, world.b1],
        start_date=world.inspection.start_date - datetime.timedelta(days=365),
    )
    findings = []
    for description in ("党费收缴不规范", "理论学习走过场", "支部未按期召开党员大会，会议记录不全"):
        findings.append(
            services.finding_file(
                actor=world.alice,
                inspection=first_round,
                organization=world.a1,
                category=world.category("meeting_lapses"),
                description=description,
                found_on=first_round.start_date,
                measures=[
                    services.MeasureInput(
                        measure="整改",
                        assignee=world.mike,
                        due_date=first_round.start_date + datetime.timedelta(30),
                        past_due_confirmed=True,  # an earlier round, filed after the fact
                    )
                ],
            )
        )
    return findings[2]


def test_the_finding_page_names_and_links_the_earlier_similar_finding(world, client_for, earlier):
    assert earlier.sequence == 3
    now = world.finding(world.a1, description="支部未按期召开党员大会")
    html = client_for(world.sam).get(reverse("inspections:finding_detail", args=[now.pk])).content.decode()
    assert "该问题与2025年第一轮巡察第3项相似" in html
    assert reverse("inspections:finding_detail", args=[earlier.pk]) in html
    # Only the resembling one, not the other findings of that round.
    assert html.count("similar-finding") == 1


def test_a_different_category_organisation_or_a_later_round_is_no_link(world, earlier):
    other_category = world.finding(world.a1, description="支部未按期召开党员大会", category="dues_arrears")
    other_org = world.finding(world.b1, description="支部未按期召开党员大会")
    visible = Finding.objects.all()
    assert similar_earlier_findings(other_category, visible) == []
    assert similar_earlier_findings(other_org, visible) == []
    # The earlier round's finding looks back only: the later one is not "earlier".
    assert similar_earlier_findings(earlier, visible) == []


def test_a_viewer_sees_no_link_to_a_finding_outside_their_scope(world, earlier):
    now = world.finding(world.a1, description="支部未按期召开党员大会")
    assert similar_earlier_findings(now, Finding.objects.exclude(pk=earlier.pk)) == []
