"""A leak hunt. Every branch's data carries a unique marker; each demo persona crawls every page
reachable by links from their home page, then requests every object URL with ids from outside their
scope. No response may show another scope's marker, and none may be a server error."""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from partyreview.accounts.models import User
from partyreview.inspections.models import Finding
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.rectifications.models import Rectification

MAX_PAGES = 250
# Links a crawler must not follow: they change state on GET or leave the application.
SKIP = re.compile(r"^/(accounts/logout|admin/|static/|media)|\.(xlsx|docx|pdf)$|/export|/download|evidence/")
LINK = re.compile(r"""href=["']([^"'#]+)["']""")


@pytest.fixture
def marked(db):
    call_command("seed_demo", force=True)
    # One marker per organisation, in the free text of its findings and measures.
    for finding in Finding.objects.select_related("organization"):
        marker = f"MARK{finding.organization.code}Z"
        Finding.objects.filter(pk=finding.pk).update(description=f"{finding.description} {marker}")
        Rectification.objects.filter(finding=finding).update(measure=f"{marker} 的整改措施")
    return {f"MARK{code}Z" for code in Finding.objects.values_list("organization__code", flat=True)}


def _crawl(client: Client, start: str) -> dict[str, str]:
    seen: dict[str, str] = {}
    paths: set[str] = set()
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        # One visit per path: filter and page variants of a list show the same kind of rows.
        if urlparse(url).path in paths:
            continue
        paths.add(urlparse(url).path)
        response = client.get(url, follow=True)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        body = response.content.decode(errors="ignore") if "html" in response.get("Content-Type", "") else ""
        seen[url] = body
        for href in LINK.findall(body):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/") or SKIP.search(parsed.path):
                continue
            try:
                resolve(parsed.path)
            except Resolver404:
                continue
            if parsed.path not in paths:
                queue.append(href)
    return seen


@pytest.mark.parametrize("username", ["secretary", "secretary2", "leader", "staff"])
def test_no_persona_ever_sees_another_scopes_data(marked, username):
    user = User.objects.get(username=username)
    allowed = marked & {f"MARK{code}Z" for code in organizations_visible_to(user).values_list("code", flat=True)}
    if username in {"leader", "staff"}:
        assert allowed == marked, "the committee's people see every branch"
    else:
        assert allowed and allowed < marked
    client = Client()
    client.force_login(user)
    pages = _crawl(client, "/")
    assert len(pages) > 3, "the crawler reached the pages behind the home page"
    for url, body in pages.items():
        leaked = {m for m in marked - allowed if m in body}
        assert not leaked, f"{username} saw {leaked} on {url}"


@pytest.mark.parametrize("username", ["secretary", "secretary2"])
def test_object_urls_from_other_scopes_answer_404(marked, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    visible = organizations_visible_to(user)
    foreign_measures = Rectification.objects.exclude(responsible_org__in=visible)
    foreign_findings = Finding.objects.exclude(organization__in=visible)
    assert foreign_measures.exists() and foreign_findings.exists()
    urls = []
    for r in foreign_measures[:5]:
        urls += [
            f"/rectifications/{r.pk}/",
            f"/rectifications/{r.pk}/progress/",
            f"/rectifications/{r.pk}/submit/",
            f"/rectifications/{r.pk}/extension/",
            f"/rectifications/{r.pk}/close/",
            f"/rectifications/{r.pk}/return/",
            f"/rectifications/{r.pk}/edit/",
        ]
        for ev in r.evidence.all()[:1]:
            assert client.get(f"/rectifications/evidence/{ev.pk}/").status_code == 404
    for f in foreign_findings[:5]:
        urls += [f"/inspections/findings/{f.pk}/", f"/inspections/findings/{f.pk}/edit/"]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{username} {method.__name__.upper()} {url} → {response.status_code}"
