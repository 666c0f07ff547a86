"""The dashboard's figures come from the shared cache until something they count changes (dashboards/cache.py).

What must hold: a reload asks the database only what is not cached; any write through the models shows on
the next load, including one committed by another request while this one counted; viewers with different
scopes never share figures; a new day counts afresh; a cache that is down never breaks the page or a write.
"""

import datetime
import functools
import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import json_script

from partyreview.accounts.models import Role
from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.dashboards import cache as cache_module
from partyreview.dashboards import charts
from partyreview.dashboards.cache import (
    SHARE_MODELS,
    STRUCTURE_MODELS,
    dashboard_figures,
    dashboard_summary,
    organization_topic,
    subtree_topic,
)
from partyreview.dashboards.selectors import DashboardFilter, build
from partyreview.dashboards.templatetags import dashboard_links
from partyreview.inspections import services as inspection_services
from partyreview.inspections.models import Finding
from partyreview.organizations.models import Membership, Organization
from partyreview.rectifications import services
from partyreview.rectifications.counts import RECORD_MODELS
from tests.dashboards.conftest import BEIJING, Dataset
from tests.dashboards.test_query_count import DASHBOARD_QUERIES, PAIR_QUERIES, SHARE_QUERIES
from tests.factories import UserFactory, pdf_upload

pytestmark = pytest.mark.django_db

INDEX = reverse("dashboards:index")
# A reload with the figures, the organisational-life card and the filter's menus cached: session, user,
# memberships; the recent escalations; the navigation's unread count; saving the session (savepoint,
# update, release).
CACHED_QUERIES = 8
# The organisational-life card when counted (branches, rule settings, meetings, members, dues, terms,
# breaches): cached on its own, it stays cached when only the dashboard's figures change.
ORGLIFE_CARD_QUERIES = 7
# The filter's two menus (organisations, inspections) when read: kept apart, they stay kept through writes
# to findings and measures, which change no name in them.
MENU_QUERIES = 2
# The inspections with findings in scope, when read: kept until an inspection changes (or the set does).
INSPECTION_QUERIES = 1


def _load(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INDEX)

    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _without_token(html: str) -> str:
    """The page with its CSRF token (new at every render) taken out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _file_finding(dataset: Dataset, in_b1: bool = False) -> None:
    """A finding of 党费 with one measure, filed in A1 (Mike's) or B1 (Mona's)."""
    w = dataset.world
    services.finding_file(
        actor=w.alice,
        inspection=dataset.i1,
        organization=w.b1 if in_b1 else w.a1,
        category=w.category("dues_arrears"),
        description="新发现的问题",
        found_on=datetime.date(2026, 1, 8),
        measures=[
            services.MeasureInput(
                measure="补缴", assignee=w.mona if in_b1 else w.mike, due_date=datetime.date(2026, 5, 1)
            )
        ],
    )


def test_a_reload_is_served_from_the_cache(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)
    _, counted = _load(client)
    again, cached = _load(client)

    assert counted == DASHBOARD_QUERIES
    assert cached == CACHED_QUERIES
    assert 'data-figure="findings">7<' in again
    assert 'data-figure="overdue">3<' in again


def test_a_reload_reads_the_summary_without_the_tables_rows(dataset: Dataset, client_for):
    w = dataset.world
    client = client_for(w.leo)
    first, _ = _load(client)
    full = dashboard_figures(w.leo, DashboardFilter())
    cache.delete(full.cache_key)  # the rows are not read by a reload: losing them costs nothing

    again, queries = _load(client)
    summary = dashboard_summary(w.leo, DashboardFilter())

    assert queries == CACHED_QUERIES
    assert _without_token(again) == _without_token(first)
    assert not summary.has_lists and summary.branches == [] and summary.heat_rows == []
    assert summary.headline == full.headline and summary.cache_key == full.cache_key


def test_a_part_missing_from_the_cache_is_drawn_from_the_rows(dataset: Dataset, client_for):
    w = dataset.world
    client = client_for(w.leo)
    first, _ = _load(client)
    key = dashboard_figures(w.leo, DashboardFilter()).cache_key
    cache.delete(f"{key}:branches")
    cache.delete(f"{key}:charts-script")

    again, queries = _load(client)

    assert _without_token(again) == _without_token(first)
    assert w.a1.name in again
    assert queries == CACHED_QUERIES  # the rows came from the cache too
    cache.delete(f"{key}:branches")
    cache.delete(key)
    recounted, _ = _load(client)
    assert _without_token(recounted) == _without_token(first)


def test_the_page_says_when_its_figures_were_counted(dataset: Dataset, client_for):
    html, _ = _load(client_for(dataset.world.leo))

    # The dataset's clock stands still at 2026-03-15 12:00, Beijing time.
    assert "数据时间：<time" in html
    assert ">12:00</time>" in html


def test_a_write_through_the_services_shows_on_the_next_load(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)
    _load(client)

    _file_finding(dataset)
    html, queries = _load(client)

    assert queries == DASHBOARD_QUERIES - ORGLIFE_CARD_QUERIES - MENU_QUERIES - INSPECTION_QUERIES
    assert 'data-figure="findings">8<' in html
    assert 'data-figure="rectifications">10<' in html


def test_a_closure_shows_on_the_next_load(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)
    before, _ = _load(client)
    assert 'data-figure="submitted">1<' in before
    submitted = next(r for r in dataset.r.values() if r.status == "submitted")

    services.rectification_close(actor=dataset.world.alice, rectification=submitted, note="材料齐全")
    after, _ = _load(client)

    assert 'data-figure="submitted">0<' in after


def test_a_renamed_branch_shows_its_new_name(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)
    _load(client)
    branch = dataset.world.a1
    branch.name = "机关第一党支部（更名）"
    branch.save()

    html, _ = _load(client)

    assert "机关第一党支部（更名）" in html


def test_a_renamed_inspection_shows_its_new_title_and_report_date(dataset: Dataset, client_for):
    """The inspections' titles and dates are kept apart from the figures: a change to one retires them."""
    client = client_for(dataset.world.leo)
    _load(client)

    inspection_services.inspection_update(
        actor=dataset.world.alice,
        inspection=dataset.i1,
        title="2026年巡察（更名）",
        report_due_date=datetime.date(2026, 6, 30),
    )
    html, _ = _load(client)

    assert "2026年巡察（更名）" in html and "2026-06-30" in html


def test_a_write_committed_while_another_request_counts_retires_what_it_stored(
    dataset: Dataset, django_capture_on_commit_callbacks
):
    """The writer bumps the generations of the branch's share and of the subtrees above it at once and
    again once committed: figures another request counted in between (without the write) are stored under
    generations nobody asks for any more."""
    w = dataset.world
    watched = [organization_topic(w.a1.pk), subtree_topic(w.a1.pk), subtree_topic(w.committee.pk)]
    before = generations.current_many(watched)

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        _file_finding(dataset)
        during = generations.current_many(watched)
        stored_under = dashboard_figures(w.leo, DashboardFilter()).cache_key
        assert stored_under is not None and cache.get(stored_under) is not None
    for callback in after_commit:
        callback()
    after = generations.current_many(watched)

    assert all(during[topic] > before[topic] for topic in watched)
    assert all(after[topic] > during[topic] for topic in watched)
    assert dashboard_figures(w.leo, DashboardFilter()).cache_key != stored_under


def test_leads_of_the_same_committee_share_the_figures(dataset: Dataset, client_for):
    w = dataset.world
    colleague = UserFactory(username="leo2", full_name="李二")
    Membership.objects.create(user=colleague, organization=w.committee, role=Role.LEADER)
    _load(client_for(w.leo))

    html, queries = _load(client_for(colleague))

    assert queries == CACHED_QUERIES
    assert 'data-figure="findings">7<' in html


def test_viewers_of_different_scopes_never_share_figures(dataset: Dataset, client_for):
    w = dataset.world
    committee, _ = _load(client_for(w.leo))
    general_a, queries = _load(client_for(w.lena))

    # Her page is added up from the shares of her branches that the committee's page counted, and shows
    # the pairs it found in them and the same inspections.
    assert queries == DASHBOARD_QUERIES - SHARE_QUERIES - PAIR_QUERIES - INSPECTION_QUERIES
    assert 'data-figure="findings">7<' in committee
    assert 'data-figure="findings">7<' not in general_a
    assert "第二党总支" not in general_a.split("统计范围")[1].split("</div>")[0]


def test_a_drill_down_or_a_filter_is_counted_on_its_own(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)
    _load(client)

    with CaptureQueriesContext(connection) as queries:
        client.get(INDEX, {"inspection": dataset.i0.pk})

    assert len(queries) > CACHED_QUERIES


def test_a_new_day_counts_afresh(dataset: Dataset, client_for, clock):
    _load(client_for(dataset.world.leo))

    clock.move_to(datetime.datetime(2026, 3, 16, 9, 0, tzinfo=BEIJING), tick=False)
    _, queries = _load(client_for(dataset.world.leo))

    assert queries == DASHBOARD_QUERIES


def test_with_the_cache_off_every_load_counts(dataset: Dataset, client_for, settings):
    settings.CACHED_FIGURES_SECONDS = 0
    client = client_for(dataset.world.leo)
    _load(client)

    _, queries = _load(client)

    assert queries == DASHBOARD_QUERIES


def test_a_cache_that_is_down_never_breaks_the_page_or_a_write(dataset: Dataset, client_for, settings):
    # A real Redis client against a port nothing listens on: every cache call fails to connect.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    client = client_for(dataset.world.leo)

    first, _ = _load(client)
    _file_finding(dataset)
    html, queries = _load(client)

    assert 'data-figure="findings">7<' in first
    assert 'data-figure="findings">8<' in html
    assert queries == DASHBOARD_QUERIES


@pytest.mark.integration
def test_the_figures_go_through_a_real_redis(dataset: Dataset, client_for, settings):
    """Production's backend: the figures survive pickling into Redis, and the generation is Redis's own
    atomic counter."""
    from tests.reminders.integration import require_redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": require_redis(),
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    client = client_for(dataset.world.leo)
    _load(client)
    html, queries = _load(client)
    assert queries == CACHED_QUERIES
    assert 'data-figure="findings">7<' in html

    _file_finding(dataset)
    html, queries = _load(client)

    assert queries == DASHBOARD_QUERIES - ORGLIFE_CARD_QUERIES - MENU_QUERIES - INSPECTION_QUERIES
    assert 'data-figure="findings">8<' in html


def _pairs_found(monkeypatch) -> list[list[tuple[int, int]]]:
    """The (organisation, category) cells each search for recurrence pairs is asked for, seen by wrapping
    the real search."""
    asked: list[list[tuple[int, int]]] = []
    real = build.pairs_by_cell

    def finding(findings, everywhere, cells):
        asked.append(sorted(cells))
        return real(findings, everywhere, cells)

    monkeypatch.setattr(build, "pairs_by_cell", finding)
    return asked


def test_a_write_in_one_branch_finds_afresh_only_that_branchs_pairs(dataset: Dataset, client_for, monkeypatch):
    """The committee shows two recurrences, in A1 and in B1; after a write in B1 its page looks for B1's
    pair again and takes A1's from the cache, and what it shows is what a fresh count shows."""
    w, f = dataset.world, dataset.findings
    _load(client_for(w.leo))
    asked = _pairs_found(monkeypatch)

    _file_finding(dataset, in_b1=True)
    shown = dashboard_figures(w.leo, DashboardFilter())

    assert asked == [[(f["F4"].organization_id, f["F4"].category_id)]]
    fresh = build.dashboard_build(w.leo, DashboardFilter())
    assert [(p.finding.pk, p.earlier.pk) for p in shown.recurrence_pairs] == [
        (p.finding.pk, p.earlier.pk) for p in fresh.recurrence_pairs
    ]
    assert len(shown.recurrence_pairs) == 2


def test_new_words_for_a_finding_show_on_the_pairs(dataset: Dataset, client_for):
    """The pairs compare the findings' words: editing them retires the organisation's kept pairs (a field
    no other figure reads)."""
    w, f = dataset.world, dataset.findings
    before, _ = _load(client_for(w.leo))
    assert reverse("inspections:finding_detail", args=[f["F4"].pk]) in before

    finding = Finding.objects.get(pk=f["F4"].pk)
    inspection_services.finding_update(actor=w.alice, finding=finding, description="党费收缴台账缺失，收缴基数错误")
    after, _ = _load(client_for(w.leo))

    assert reverse("inspections:finding_detail", args=[f["F4"].pk]) not in after
    assert reverse("inspections:finding_detail", args=[f["F1"].pk]) in after


def _shares_counted(monkeypatch) -> list[list[int] | None]:
    """The organisations each count of shares is asked for (None: the whole scope), seen by wrapping the
    real count."""
    asked: list[list[int] | None] = []
    real = build.organization_partials

    def counting(**kwargs):
        ids = kwargs["organization_ids"]
        asked.append(None if ids is None else sorted(ids))
        return real(**kwargs)

    monkeypatch.setattr(build, "organization_partials", counting)
    return asked


def test_a_write_in_one_branch_recounts_only_that_branchs_share(dataset: Dataset, client_for, monkeypatch):
    """Leo's committee page is recounted from B1's share and the cached shares of every other
    organisation; Lena's general branch A has nothing of B1 and stays cached."""
    w = dataset.world
    before, _ = _load(client_for(w.leo))
    _load(client_for(w.lena))
    asked = _shares_counted(monkeypatch)

    _file_finding(dataset, in_b1=True)
    _, lenas = _load(client_for(w.lena))
    after, queries = _load(client_for(w.leo))

    # Her figures, their HTML and the filter's menus come from the cache.
    assert lenas == CACHED_QUERIES
    assert asked == [[w.b1.pk]]
    # The same questions, narrowed to one branch (the organisational-life card and the menus are cached on
    # their own).
    assert queries == DASHBOARD_QUERIES - ORGLIFE_CARD_QUERIES - MENU_QUERIES - INSPECTION_QUERIES
    assert 'data-figure="findings">7<' in before and 'data-figure="findings">8<' in after


def test_a_write_in_one_branch_adds_up_again_only_its_general_branchs_shares(dataset: Dataset, client_for, monkeypatch):
    """Leo's committee page adds up the kept sums of the committee's own share, of general branch A's
    subtree and of B's; a write in B1 adds up B's subtree again (B's share from the cache, B1's counted),
    never A's."""
    w = dataset.world
    _load(client_for(w.leo))
    asked = _shares_counted(monkeypatch)
    summed: list[set[int]] = []
    real = cache_module.partial_sums

    def summing(partials):
        summed.append(set(partials))
        return real(partials)

    monkeypatch.setattr(cache_module, "partial_sums", summing)

    _load(client_for(w.leo))
    assert summed == [] and asked == []  # the page itself is cached

    _file_finding(dataset, in_b1=True)
    html, _ = _load(client_for(w.leo))

    assert summed == [{w.general_b.pk, w.b1.pk}]
    assert asked == [[w.b1.pk]]
    assert 'data-figure="findings">8<' in html
    today = local_today()
    fresh = build.dashboard_build(w.leo, DashboardFilter(), today)
    shown = dashboard_figures(w.leo, DashboardFilter(), today)
    assert shown.headline == fresh.headline and shown.lifecycle == fresh.lifecycle


def test_a_write_redraws_only_the_rows_whose_figures_it_changed(dataset: Dataset, client_for, monkeypatch):
    """Rows of the branch table and heat map are kept by what they show: after a finding filed in B1,
    Leo's page redraws B1's rows and keeps A1's branch row, and reads exactly as one drawn from nothing."""
    w = dataset.world
    client = client_for(w.leo)
    _load(client)
    drawn: list[str] = []
    real = dashboard_links.figures_rows

    def drawing(wanted):
        def recorded(draw):
            html = draw()
            drawn.append(html)
            return html

        return real({digest: functools.partial(recorded, draw) for digest, draw in wanted.items()})

    monkeypatch.setattr(dashboard_links, "figures_rows", drawing)

    _file_finding(dataset, in_b1=True)
    after, _ = _load(client)

    assert any(f'data-organization="{w.b1.pk}"' in html for html in drawn)
    assert not any(f'<tr data-organization="{w.a1.pk}"' in html for html in drawn)
    cache.clear()
    drawn_from_nothing, _ = _load(client)
    assert _without_token(after) == _without_token(drawn_from_nothing)


def _sections_drawn(monkeypatch) -> list[str]:
    """The sections and charts kept by their values (``drawn_by_contents``) that a load draws afresh."""
    drawn: list[str] = []
    real = cache_module.drawn_by_contents

    def drawing(name, contents, draw):
        def recorded():
            drawn.append(name)
            return draw()

        return real(name, contents, recorded)

    monkeypatch.setattr(cache_module, "drawn_by_contents", drawing)
    monkeypatch.setattr(charts, "drawn_by_contents", drawing)
    return drawn


def test_a_recount_draws_again_only_the_sections_whose_values_changed(dataset: Dataset, client_for, monkeypatch):
    """R5 put in progress is counted again (its status changed) but changes no finding, ranking or
    closure: Leo's recounted page takes every section and chart kept by its values from what it drew
    before. R4 closed changes the closures: the rankings, categories, trend and inspections and their
    charts are drawn again, the heat map and recurrences are not. Each time the page reads exactly as one
    drawn from nothing."""
    w, r = dataset.world, dataset.r
    client = client_for(w.leo)
    _load(client)
    drawn, counted = _sections_drawn(monkeypatch), _shares_counted(monkeypatch)

    services.rectification_record_progress(actor=r["R5"].assignee, rectification=r["R5"], note="正在整改")
    progressed, _ = _load(client)

    assert counted == [[w.b1.pk]]  # recounted
    assert drawn == []
    cache.clear()
    assert _without_token(_load(client)[0]) == _without_token(progressed)

    _load(client)
    drawn.clear()
    services.rectification_close(actor=w.alice, rectification=r["R4"], note="核查属实")
    closed, _ = _load(client)

    assert {"rankings", "categories", "trend", "inspections", "chart-completion", "chart-trend"} <= set(drawn)
    assert not {"heatmap", "recurrences", "chart-heatmap"} & set(drawn)
    cache.clear()
    assert _without_token(_load(client)[0]) == _without_token(closed)


def test_the_charts_are_the_json_of_their_data(dataset: Dataset):
    """Put together from each chart's kept JSON, the script is what ``json_script`` makes of the data, with
    names that would close a <script> element escaped."""
    w = dataset.world
    Organization.objects.filter(pk=w.b1.pk).update(name="</script><b>生产&第一</b>党支部")
    dashboard = dashboard_figures(w.leo, DashboardFilter())

    script = charts.chart_script(dashboard)

    assert script == json_script(charts.dashboard_chart_data(dashboard), "dashboard-data")
    assert "</script><b>" not in script and "\\u003C/script\\u003E" in script
    assert charts.chart_script(dashboard) == script  # and again, from the cache


def test_a_write_that_changes_no_figure_retires_nothing(dataset: Dataset, client_for, monkeypatch):
    """R2 is in progress already: another progress note with evidence (and the notices it sends) changes
    no figure, so every page stays cached."""
    w = dataset.world
    client = client_for(w.leo)
    _load(client)
    asked = _shares_counted(monkeypatch)

    services.rectification_record_progress(
        actor=w.mike, rectification=dataset.r["R2"], note="继续整改", files=[pdf_upload()]
    )
    _, queries = _load(client)

    assert asked == []
    assert queries == CACHED_QUERIES


def test_the_cache_hears_of_every_record_the_lists_count():
    assert {*STRUCTURE_MODELS, *SHARE_MODELS} == set(RECORD_MODELS)
