"""Accessibility (GB/T 37668, WCAG 2.x A/AA): axe-core on every page of every persona finds no serious or
critical violation. One browser, one page per persona reused from page to page; the counts by impact are
written to var/accessibility.json for docs/accessibility.md."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.accessibility import AXE_SOURCE, BLOCKING, IMPACTS, check, pages_of
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PERSONAS = ("staff", "leader", "secretary", "admin")
REPORT = Path(__file__).resolve().parents[2] / "var" / "accessibility.json"


def test_no_page_of_any_persona_has_a_serious_or_critical_violation(live_server, browser):
    from tests.security.test_url_table import _pair_objects

    call_command("seed_demo", force=True)
    objects = _pair_objects()
    found: dict[str, list] = {}
    impacts: Counter = Counter()
    checked = 0

    # The login page, as everyone first sees it.
    for persona in ("anon", *PERSONAS):
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
        )
        context.add_init_script(script=AXE_SOURCE)
        page = context.new_page()
        if persona == "anon":
            pages = [("login", "/accounts/login/")]
        else:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill('input[name="username"]', persona)
            page.fill('input[name="password"]', DEMO_PASSWORD)
            with page.expect_navigation():
                page.locator("form button[type=submit]").first.click()
            pages = pages_of(persona, objects)
        for name, path in pages:
            page.goto(f"{live_server.url}{path}")
            checked += 1
            for violation in check(page):
                impacts[violation["impact"]] += violation["count"]
                if violation["impact"] in BLOCKING:
                    found.setdefault(f"{persona} {name} {path}", []).append(violation)
        context.close()

    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {"pages_checked": checked, "nodes_by_impact": {i: impacts[i] for i in IMPACTS}, "blocking": found},
            ensure_ascii=False,
            indent=1,
        )
    )
    assert checked > 60
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
