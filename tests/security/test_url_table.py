"""Every URL of the project is classified: who may open it, and what everyone else gets.

Adding a URL without a row here fails the build. For each URL the table says, per persona, what a GET
returns: "ok" (the page or file), "login" (anonymous → login page), "404", "405" (a POST-only action),
or "away" (a role with nothing to do there is sent to its own home). Object URLs are requested with an
object of 办公室党支部 (the `secretary`'s branch); the `secretary2` of 第一车间党支部 must get 404 for
them, and `secretary` must get 404 for the same kind of object from 第一车间党支部."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.organizations.models import Organization

PERSONAS = ("anon", "staff", "leader", "secretary", "secretary2", "admin")


@dataclass(frozen=True)
class Row:
    """Expected GET result per persona, in PERSONAS order; ``kind`` names the object in the URL."""

    expect: tuple[str, str, str, str, str, str]
    kind: str | None = None
    scoped: bool = field(default=True)  # secretaries are held to their own branch for this object


O, L, N, P, A = "ok", "login", "404", "405", "away"  # noqa: E741
# 403: the object is in the user's scope, but the action is not theirs (a secretary on a staff decision).
# 400: an endpoint that needs query parameters (the people lookup of the filing form).
F, B = "403", "400"

TABLE: dict[str, Row] = {
    # name: Row((anon, staff, leader, secretary, secretary2, admin), kind of object in the URL)
    "accounts:notifications": Row((L, O, O, O, O, O)),
    "accounts:notifications_read": Row((P, P, P, P, P, P)),
    "dashboards:escalate_organization": Row((L, O, O, N, N, O), "org"),
    "dashboards:escalate_rectification": Row((P, P, P, P, P, P), "rectification"),
    "dashboards:export": Row((L, O, O, N, N, O)),
    "dashboards:index": Row((L, O, O, N, N, O)),
    "home": Row((L, A, A, A, A, A)),
    "inspections:create": Row((L, O, F, F, F, O)),
    "inspections:detail": Row((L, O, O, O, N, O), "inspection"),
    "inspections:finding_archive": Row((L, O, F, F, N, O), "finding"),
    "inspections:finding_create": Row((L, O, F, F, N, O), "inspection"),
    "inspections:finding_detail": Row((L, O, O, O, N, O), "finding"),
    "inspections:finding_list": Row((L, O, O, O, O, O)),
    "inspections:finding_update": Row((L, O, F, F, N, O), "finding"),
    "inspections:list": Row((L, O, O, O, O, O)),
    "inspections:measure_create": Row((L, O, F, F, N, O), "finding"),
    "inspections:update": Row((L, O, F, F, N, O), "inspection"),
    "inspections:workbench": Row((L, O, A, A, A, O)),
    "login": Row((O, A, A, A, A, A)),
    "logout": Row((P, P, P, P, P, P)),
    "intake:choose": Row((L, P, P, P, P, P), "import_batch", scoped=False),
    "intake:map": Row((L, P, P, P, P, P), "import_batch", scoped=False),
    "intake:start": Row((L, O, N, N, N, O)),
    "intake:confirm": Row((L, P, P, P, P, P), "import_batch", scoped=False),
    "intake:preview": Row((L, O, N, N, N, O), "import_batch", scoped=False),
    "intake:template": Row((L, O, N, N, N, O)),
    # The import's old addresses redirect to intake's (which hold the permission checks above).
    "office:import": Row((L, A, A, A, A, A)),
    "office:import_preview": Row((L, A, A, A, A, A), "import_batch", scoped=False),
    "office:import_template": Row((L, A, A, A, A, A)),
    # 我的导出: an export is its owner's (staff) alone; everyone else, the administrator included, gets 404.
    "office:export_detail": Row((L, O, N, N, N, N), "export", scoped=False),
    "office:export_download": Row((L, O, N, N, N, N), "export", scoped=False),
    "office:export_list": Row((L, O, O, O, O, O)),
    "office:inspection_report": Row((L, O, O, N, N, O), "inspection"),
    "office:register_export": Row((L, O, O, O, O, O)),
    "organizations:change": Row((L, N, N, N, N, O), "org", scoped=False),
    "organizations:import_people": Row((L, N, N, N, N, O)),
    "organizations:import_tree": Row((L, N, N, N, N, O)),
    "organizations:list": Row((L, N, N, N, N, O)),
    "organizations:person_search": Row((L, O, N, N, N, O)),
    "office:register_print": Row((L, O, O, O, O, O)),
    "orglife:branch": Row((L, O, O, O, N, O), "org"),
    "orglife:breach_confirm": Row((P, P, P, P, P, P), "breach"),
    "orglife:breach_detail": Row((L, O, O, N, N, O), "breach"),
    "orglife:breach_dismiss": Row((P, P, P, P, P, P), "breach"),
    "orglife:breach_list": Row((L, O, O, O, O, O)),
    "orglife:compliance": Row((L, O, O, O, O, O)),
    "orglife:dues": Row((L, O, O, O, N, O), "org"),
    "orglife:dues_create": Row((L, O, A, O, N, O), "org"),
    "orglife:dues_import": Row((P, P, P, P, P, P), "org"),
    "orglife:evidence_download": Row((L, O, O, O, N, O), "meeting_evidence"),
    "orglife:import_template": Row((L, O, O, O, O, O), "template", scoped=False),
    "orglife:meeting_create": Row((L, O, A, O, N, O), "org"),
    "orglife:meeting_detail": Row((L, O, O, O, N, O), "meeting"),
    "orglife:meeting_list": Row((L, O, O, O, O, O)),
    "orglife:meeting_update": Row((L, O, A, O, N, O), "meeting"),
    "orglife:meeting_void": Row((P, P, P, P, P, P), "meeting"),
    "orglife:member_create": Row((L, O, A, O, N, O), "org"),
    "orglife:member_import": Row((P, P, P, P, P, P), "org"),
    "orglife:member_list": Row((L, O, O, O, N, O), "org"),
    "orglife:member_update": Row((L, O, A, O, N, O), "member"),
    "orglife:term_election": Row((L, O, N, N, N, O), "org"),
    "orglife:term_extension": Row((L, O, N, N, N, O), "org"),
    "orglife:term_list": Row((L, O, O, O, O, O)),
    "password_change": Row((L, O, O, O, O, O)),
    "password_change_done": Row((L, O, O, O, O, O)),
    "rectifications:audit_user": Row((L, O, N, N, N, O), "person", scoped=False),
    "rectifications:close": Row((L, O, F, F, N, O), "rectification"),
    "rectifications:detail": Row((L, O, O, O, N, O), "rectification"),
    "rectifications:end_long_term": Row((L, O, F, F, N, O), "rectification"),
    "rectifications:evidence_download": Row((L, O, O, O, N, O), "evidence"),
    "rectifications:extension_decide": Row((L, O, F, F, N, O), "extension"),
    "rectifications:extension_request": Row((L, F, F, A, N, F), "rectification"),
    # 回头看: staff pages; a check of a measure is staff's to decide (403 in scope, 404 outside).
    "rectifications:followup_list": Row((L, O, F, F, F, O)),
    "rectifications:followup_mine": Row((L, O, F, F, F, O)),
    "rectifications:followup_record": Row((L, O, F, F, N, O), "followup"),
    "rectifications:followup_schedule": Row((L, O, F, F, F, O)),
    "rectifications:list": Row((L, O, O, O, O, O)),
    "rectifications:my_branch": Row((L, O, O, O, O, O)),
    "rectifications:progress": Row((L, A, F, A, N, A), "rectification"),
    "rectifications:reopen": Row((L, O, F, F, N, O), "rectification"),
    "rectifications:report_period": Row((L, A, F, A, N, A), "rectification"),
    "rectifications:return": Row((L, O, F, F, N, O), "rectification"),
    "rectifications:review_queue": Row((L, O, F, F, F, O)),
    "rectifications:submit": Row((L, F, F, A, N, F), "rectification"),
    "rectifications:update": Row((L, O, F, F, N, O), "rectification"),
    "reminders:digest": Row((L, O, O, O, O, N), "sweep_run", scoped=False),
    "reminders:preferences": Row((L, O, O, O, O, O)),
    "reminders:retry": Row((P, P, P, P, P, P)),
    "reminders:status": Row((L, O, N, N, N, O)),
    "reminders:sweep": Row((P, P, P, P, P, P)),
}


def _all_url_names() -> dict[str, URLPattern]:
    names: dict[str, URLPattern] = {}

    def walk(patterns, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif p.name:
                names[f"{namespace}:{p.name}" if namespace else p.name] = p

    walk(get_resolver().url_patterns, None)
    return names


PATTERNS = _all_url_names()
# POST-only actions answer 405 to a GET before any lookup; their scoping is tested with POSTs.
CROSSABLE = sorted(n for n, row in TABLE.items() if row.kind and row.scoped and row.expect[3] != P)
POST_ONLY = sorted(n for n, row in TABLE.items() if row.kind and row.scoped and row.expect[3] == P)


def test_every_url_is_classified_in_the_table():
    missing = sorted(set(PATTERNS) - set(TABLE))
    stale = sorted(set(TABLE) - set(PATTERNS))
    assert missing == [], f"URLs without a permission row: {missing}"
    assert stale == [], f"rows for URLs that no longer exist: {stale}"


@dataclass
class Objects:
    """One object of each kind in 办公室党支部 (a) and in 第一车间党支部 (b)."""

    a: dict[str, object]
    b: dict[str, object]


def _pair_objects() -> Objects:
    from partyreview.inspections.services import inspection_create
    from partyreview.intake.models import ImportBatch
    from partyreview.office.models import Export, ExportStatus
    from partyreview.orglife import services as orglife
    from partyreview.orglife.models import Breach, MeetingRecord, PartyMember
    from partyreview.rectifications import services
    from partyreview.rectifications.models import Evidence, ExtensionRequest, FollowUpReview, Rectification
    from partyreview.reminders.models import SweepRun
    from tests.factories import pdf_upload

    staff = User.objects.get(username="staff")
    found: dict[str, dict[str, object]] = {"a": {}, "b": {}}
    for side, name in (("a", "办公室党支部"), ("b", "第一车间党支部")):
        branch = Organization.objects.get(name=name)
        bag = found[side]
        bag["org"] = branch
        bag["inspection"] = inspection_create(
            actor=staff,
            title=f"{name}专项检查",
            kind="special",
            inspecting_org=branch.parent,
            inspected_orgs=[branch],
            start_date=datetime.date(2026, 1, 5),
        )
        bag["finding"] = Finding.objects.filter(organization=branch).first()
        open_measures = Rectification.objects.filter(responsible_org=branch).exclude(status="closed")
        # A measure waiting for review: the rows above expect its actions as that state allows them.
        bag["rectification"] = open_measures.filter(status="submitted").first()
        target = (
            open_measures.filter(status__in=["pending", "in_progress", "returned"])
            .exclude(extension_requests__status="pending")
            .first()
        )
        bag["extension"] = ExtensionRequest.objects.filter(
            rectification__responsible_org=branch, status="pending"
        ).first() or services.extension_request(
            actor=target.assignee,
            rectification=target,
            new_due_date=target.due_date + datetime.timedelta(days=30),
            reason="人员调整",
        )
        bag["evidence"] = Evidence.objects.filter(rectification__responsible_org=branch).first()
        closed = Rectification.objects.filter(responsible_org=branch, status="closed").exclude(
            follow_ups__outcome="pending"
        )
        bag["followup"] = (
            FollowUpReview.objects.filter(rectification__responsible_org=branch, outcome="pending").first()
            or services.followup_schedule(
                actor=staff,
                rectifications=[closed.first()],
                inspector=staff,
                due_date=local_today() + datetime.timedelta(days=30),
            )[0]
        )
        secretary = User.objects.filter(memberships__organization=branch, memberships__role="secretary").first()
        bag["meeting"] = MeetingRecord.objects.filter(organization=branch).first() or orglife.meeting_record(
            actor=secretary,
            organization=branch,
            types=["committee_meeting"],
            held_at=datetime.datetime(2026, 10, 9, 10, tzinfo=datetime.UTC),
            topic="支委会",
            expected_count=5,
            present_count=5,
            minutes="记录",
        )
        meeting = orglife.meeting_record(
            actor=secretary,
            organization=branch,
            types=["theme_day"],
            held_at=datetime.datetime(2026, 10, 10, 10, tzinfo=datetime.UTC),
            topic="主题党日",
            expected_count=5,
            present_count=5,
            minutes="记录",
            files=[pdf_upload()],
        )
        bag["meeting_evidence"] = meeting.evidence.first()
        bag["member"] = PartyMember.objects.filter(organization=branch).first()
        bag["breach"] = Breach.objects.filter(organization=branch).first()
    batch = ImportBatch.objects.create(
        inspection=found["a"]["inspection"], uploaded_by=staff, original_name="问题清单.xlsx", size=1, sha256="0" * 64
    )
    export = Export.objects.create(owner=staff, filename="整改台账.xlsx", rows_total=1, rows_done=1)
    export.file.save("整改台账.xlsx", ContentFile(b"PK"), save=False)
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.DONE, file=export.file.name)
    call_command("send_reminders")
    run = SweepRun.objects.order_by("-pk").first()
    found["a"]["import_batch"] = found["b"]["import_batch"] = batch
    found["a"]["sweep_run"] = found["b"]["sweep_run"] = run
    found["a"]["person"] = found["b"]["person"] = staff
    found["a"]["export"] = found["b"]["export"] = export
    missing = [f"{side}:{kind}" for side, bag in found.items() for kind, obj in bag.items() if obj is None]
    assert missing == [], f"the demo data lacks {missing}"
    return Objects(a=found["a"], b=found["b"])


def _kwargs(pattern: URLPattern, obj: object) -> dict[str, object]:
    keys = list(pattern.pattern.converters)
    if not keys:
        return {}
    (key,) = keys
    if key == "kind":
        return {"kind": "members"}
    return {key: obj.pk}


def _url(name: str, objects: Objects, side: str) -> str:
    kind = TABLE[name].kind
    bag = objects.a if side == "a" else objects.b
    return reverse(name, kwargs=_kwargs(PATTERNS[name], bag.get(kind) if kind else None))


def _classify(response, persona: str) -> str:
    if response.status_code in (404, 405):
        return str(response.status_code)
    if response.status_code == 302:
        location = response["Location"]
        if "/accounts/login/" in location:
            return L
        return A if persona != "anon" else f"302→{location}"
    if response.status_code in (200, 204):
        return O
    return str(response.status_code)


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True)
    objects = _pair_objects()
    clients = {"anon": Client()}
    for persona in PERSONAS[1:]:
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(username=persona))
    return objects, clients


def test_each_persona_gets_what_the_table_says(demo):
    objects, clients = demo
    wrong = []
    for name, row in sorted(TABLE.items()):
        url = _url(name, objects, "a")
        observed = tuple(_classify(clients[p].get(url), p) for p in PERSONAS)
        if observed != row.expect:
            wrong.append(f"{name} {url}: expected {row.expect}, got {observed}")
    assert wrong == []


def test_secretaries_get_404_for_every_object_of_the_other_branch(demo):
    objects, clients = demo
    wrong = []
    for name in CROSSABLE:
        for persona, side in (("secretary", "b"), ("secretary2", "a")):
            got = _classify(clients[persona].get(_url(name, objects, side)), persona)
            if got != N:
                wrong.append(f"{persona} GET {name} of the other branch → {got}")
    for name in POST_ONLY:
        response = clients["secretary"].post(_url(name, objects, "b"), {})
        if response.status_code != 404:
            wrong.append(f"secretary POST {name} of the other branch → {response.status_code}")
    assert CROSSABLE and POST_ONLY
    assert wrong == []
