"""Who may open the secretary's pages for a measure of branch A1, and who gets 404 or 403.

Sam is A1's secretary and Mike its assignee: they report. Alice and Gina are staff over A1: they may
record progress but never ask for 销号 or more time. Leo and Lena lead: they read. Sara and Mona belong
to B1, Nobody to nothing: for them A1's measure does not exist.
"""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services
from partyreview.rectifications.models import ExtensionRequest, ProgressUpdate, Rectification
from tests.factories import pdf_upload

OK, DENIED, ABSENT = 200, 403, 404

# persona → (record progress, ask for 销号, ask for extension, download evidence) on A1's measure.
TABLE = {
    "sam": (OK, OK, OK, OK),
    "mike": (OK, OK, OK, OK),
    "alice": (OK, DENIED, DENIED, OK),
    "gina": (OK, DENIED, DENIED, OK),
    "root": (OK, DENIED, DENIED, OK),
    "leo": (DENIED, DENIED, DENIED, OK),
    "lena": (DENIED, DENIED, DENIED, OK),
    "sara": (ABSENT, ABSENT, ABSENT, ABSENT),
    "mona": (ABSENT, ABSENT, ABSENT, ABSENT),
    "nobody": (ABSENT, ABSENT, ABSENT, ABSENT),
}


@pytest.fixture
def a1_measure(world) -> Rectification:
    return world.rectification(world.a1, state="in_progress")


@pytest.mark.parametrize("persona", TABLE)
def test_pages_for_a1_measure_answer_by_role_and_scope(world, client_for, a1_measure, persona):
    client = client_for(getattr(world, persona))
    evidence = a1_measure.evidence.first()
    urls = [
        reverse("rectifications:progress", args=[a1_measure.pk]),
        reverse("rectifications:submit", args=[a1_measure.pk]),
        reverse("rectifications:extension_request", args=[a1_measure.pk]),
        reverse("rectifications:evidence_download", args=[evidence.pk]),
    ]
    assert tuple(client.get(url).status_code for url in urls) == TABLE[persona]


@pytest.mark.parametrize(("persona", "expected"), [("gina", ABSENT), ("lena", ABSENT), ("sam", ABSENT), ("sara", OK)])
def test_staff_and_leads_of_general_branch_a_do_not_see_b1(world, client_for, persona, expected):
    b1_measure = world.rectification(world.b1, state="in_progress")
    client = client_for(getattr(world, persona))
    response = client.get(reverse("rectifications:evidence_download", args=[b1_measure.evidence.get().pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["leo", "sara", "nobody"])
def test_posting_progress_outside_the_reporters_changes_nothing(world, client_for, a1_measure, persona):
    before = ProgressUpdate.objects.count()
    response = client_for(getattr(world, persona)).post(
        reverse("rectifications:progress", args=[a1_measure.pk]), {"note": "越权填报", "version": a1_measure.version}
    )
    assert response.status_code in {DENIED, ABSENT}
    assert ProgressUpdate.objects.count() == before


@pytest.mark.parametrize(
    "name", ["rectifications:my_branch", "rectifications:progress", "rectifications:evidence_download"]
)
def test_anonymous_visitors_are_sent_to_log_in(client, a1_measure, name):
    args = [] if name == "rectifications:my_branch" else [a1_measure.pk]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_secretary_cannot_close_a_submitted_rectification(world, client_for):
    r = world.rectification(world.a1, state="submitted")
    with pytest.raises(ActionRefused):
        services.rectification_close(actor=world.sam, rectification=r, note="自己销号")
    client_for(world.sam).post(reverse("rectifications:close", args=[r.pk]), {"note": "自己销号", "version": r.version})
    r.refresh_from_db()
    assert r.status == "submitted"
    assert r.closed_by is None


def test_secretary_cannot_change_the_deadline_except_by_request(world, client_for, a1_measure):
    due = a1_measure.due_date
    later = due + datetime.timedelta(days=30)
    with pytest.raises(ActionRefused):
        services.rectification_update(actor=world.sam, rectification=a1_measure, due_date=later)
    client_for(world.sam).post(
        reverse("rectifications:update", args=[a1_measure.pk]),
        {"due_date": later.isoformat(), "measure": a1_measure.measure, "version": a1_measure.version},
    )
    a1_measure.refresh_from_db()
    assert a1_measure.due_date == due
    # The request leaves the deadline where it is until staff approve.
    client_for(world.sam).post(
        reverse("rectifications:extension_request", args=[a1_measure.pk]),
        {"new_due_date": later.isoformat(), "reason": "人员调整", "version": a1_measure.version},
    )
    a1_measure.refresh_from_db()
    assert a1_measure.due_date == due
    assert ExtensionRequest.objects.get().requested_due_date == later


@pytest.mark.parametrize("state", ["submitted", "closed"])
def test_secretary_cannot_change_a_submitted_or_closed_rectification(world, client_for, state):
    r = world.rectification(world.a1, state=state)
    client = client_for(world.sam)
    version, updates = r.version, ProgressUpdate.objects.count()
    # The forms are not offered: the pages send the secretary back to the measure.
    for name in ("rectifications:progress", "rectifications:submit", "rectifications:extension_request"):
        response = client.get(reverse(name, args=[r.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("rectifications:detail", args=[r.pk])
    # A form posted anyway is refused by the service with the reason shown.
    response = client.post(
        reverse("rectifications:progress", args=[r.pk]),
        {"note": "再补充一点", "version": version, "files": [pdf_upload()]},
    )
    assert response.status_code == 200
    assert "不能填报进展" in response.content.decode()
    response = client.post(
        reverse("rectifications:extension_request", args=[r.pk]),
        {
            "new_due_date": (local_today() + datetime.timedelta(days=90)).isoformat(),
            "reason": "再延",
            "version": version,
        },
    )
    assert "不能申请延期" in response.content.decode()
    r.refresh_from_db()
    assert (r.status, r.version, ProgressUpdate.objects.count()) == (state, version, updates)
    assert not ExtensionRequest.objects.exists()


def test_submitted_rectification_page_tells_the_secretary_it_is_read_only(world, client_for):
    r = world.rectification(world.a1, state="submitted")
    html = client_for(world.sam).get(reverse("rectifications:detail", args=[r.pk])).content.decode()
    assert "等待党务工作人员审核" in html
    assert reverse("rectifications:progress", args=[r.pk]) not in html
    assert reverse("rectifications:submit", args=[r.pk]) not in html
    assert reverse("rectifications:extension_request", args=[r.pk]) not in html


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        ("pending", {"progress", "extension_request"}),
        ("in_progress", {"progress", "submit", "extension_request"}),
        ("returned", {"progress", "submit", "extension_request"}),
        ("submitted", set()),
        ("closed", set()),
    ],
)
def test_reporter_panel_offers_what_the_state_allows(world, client_for, state, offered):
    r = world.rectification(world.a1, state=state)
    html = client_for(world.sam).get(reverse("rectifications:detail", args=[r.pk])).content.decode()
    shown = {
        name
        for name in ("progress", "submit", "extension_request")
        if reverse(f"rectifications:{name}", args=[r.pk]) in html
    }
    assert shown == offered
