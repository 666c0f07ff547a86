"""The dashboard's figures and the HTML drawn from them, from the shared cache; a write retires only the
figures of the organisations it concerns.

A committee's dashboard aggregates every measure of a thousand branches (about 2.6 s at 100,000 findings)
and draws some 2,000 links from the result (docs/performance.md); its leads reload it far more often than
the figures change, and while they do, secretaries and staff keep writing. So the figures are kept at three
grains (docs/decisions/dashboard-under-writes.md):

- **each organisation's share** (``selectors.partials``: its measures and findings counted apart), under
  that organisation's own generation (``common.generations``), the filters and today. Shares are the same
  for every viewer whose scope holds the organisation. A save or delete of a finding or measure bumps the
  generation of the organisation(s) it concerns — and only when a field the figures read changed: a
  progress note on a measure already in progress, an evidence upload or a notification retire nothing
  (``figures_changed``);
- **each block's sum** (``_blocks``: the subtree of each organisation one level below the top of the scope,
  a committee's general branches), added up from its organisations' shares under that subtree's generation,
  which a write in it bumps. A committee's page after a write in one branch adds up fifty kept sums and the
  one sum of that branch's general branch, itself from twenty shares of which one is counted afresh
  (adding a thousand shares took longer than the SQL);
- **each block's view** beside its sum, under the same key (``selectors.blocks``: its row of the grouped
  branch table, its own first of each ranking and recurrence, its figures added into that row): a large
  scope's page is put together from them (``_counted_for_page``), so after a write one block is arranged
  afresh, not a thousand organisations;
- **each shown recurrence's pairs** (``selectors.pairs``: its organisation's findings and the earlier ones
  they resemble), under that organisation's generation like its share, so that a write elsewhere finds no
  pair afresh;
- **the page's figures**, added up from the block sums, under the generations of the subtrees of the viewer's
  grants (or of the organisation drilled down to), keyed on the viewer's dashboard grants (two leads of
  one committee share them; a secretary grant elsewhere changes nothing, as in ``dashboard_scope_q``), the
  filters and today (overdue is a matter of the date). A write bumps the subtree generation of every
  organisation above the one it concerns, so a committee's page is recounted after a write in one of its
  branches — from the kept sums of the other general branches and one branch counted afresh — while the
  page of another general branch stays cached.

Everything is also under the "dashboard" generation, which a change to what names or files the figures
(an organisation, a category, an inspection) or a bulk write retires at once. Every generation is bumped
at once and again after the commit, and read before counting, so a share or page counted while a write
was under way is stored under a generation nobody asks for any more. The page says when its figures were
counted.

The recent escalations are read on every request (one small query; 督办 of a branch bulk-creates them).

A reload reads the figures without their tables' rows (``dashboard_summary``): a committee's thousand
organisations with their figures took 160 ms to unpickle, for parts of the page that are themselves cached.
The rows (``dashboard_figures``) are kept only when asked for: by the export, or to draw a part lost from
the cache; the page's own count keeps the summary and the parts it draws.
"""

import dataclasses
import datetime
import hashlib
import logging
import operator
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_delete, post_init, post_save

from partyreview.accounts.models import Role, User
from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.dashboards.permissions import DASHBOARD_ROLES
from partyreview.dashboards.selectors import (
    CountPairs,
    CountShares,
    Dashboard,
    DashboardFilter,
    GatherPairs,
    GatherShares,
    Partial,
    PartialSums,
    dashboard_build,
    recent_escalations,
)
from partyreview.dashboards.selectors.blocks import BlockView, block_view
from partyreview.dashboards.selectors.branches import grouped, organizations_by_id, scope_organizations
from partyreview.dashboards.selectors.build import dashboard_from_blocks, dashboard_shares
from partyreview.dashboards.selectors.inspections import inspection_values
from partyreview.dashboards.selectors.pairs import CellKey, RecurrencePair
from partyreview.dashboards.selectors.partials import merge_sums, partial_sums
from partyreview.inspections.models import Category
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import grants_of
from partyreview.organizations.scope_keys import grants_signature
from partyreview.rectifications.models import Rectification

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

TOPIC = "dashboard"
# What names, files and scopes the figures: a change retires every entry (an administrator's or staff's
# occasional work; an inspection's start date decides 反复出现 in every organisation it found something in).
STRUCTURE_MODELS = ("inspections.Category", "inspections.Inspection", "organizations.Organization")
# What the shares count: a change retires the shares of the organisations it concerns (``_concerned``).
# Together, the records the lists count (``rectifications.counts.RECORD_MODELS``, tested), without the
# extension requests (an approved one moves a measure's deadline, which is a save of the measure), nor the
# 回头看 reviews (问题反弹 reopens the measure in the same transaction, a save of the measure).
SHARE_MODELS = ("inspections.Finding", "rectifications.Rectification")
# Fields no figure reads: a save that changes only these retires nothing. Named by exclusion, so that a
# field added later counts as read until someone states otherwise here. (A finding's description and item
# number are read: the recurrence pairs compare the texts and show the numbers.)
UNREAD_FIELDS = {
    "inspections.Finding": frozenset(
        {"severity", "basis", "source", "archive_reason", "version"} | {"created_by", "created_at", "updated_at"}
    ),
    "rectifications.Rectification": frozenset(
        {"number", "measure", "responsible_leader", "assignee", "department", "named_assignee", "report_cadence"}
        | {"submitted_at", "submitted_by", "submission_summary", "closed_by", "verification_note"}
        | {"return_reason", "reopen_reason", "version", "created_by", "updated_at"}
    ),
}
EVERYTHING = f"{TOPIC}:tree:all"  # a superuser's scope


# The rows of the page's tables and of the export: every organisation, heat-map row, recurrence, inspection.
LISTS = (
    "branches",
    "overdue_ranking",
    "completion_ranking",
    "categories",
    "heat_counts",
    "cells",
    "trend",
    "inspections",
    "groups",
    "group_heat_rows",
)
# What the summary holds instead (``groups`` None: as if not grouped; nothing outside the parts asks).
_NO_LISTS = {name: [] for name in LISTS} | {"cells": {}, "heat_counts": {}, "groups": None, "group_heat_rows": None}
_NO_LISTS |= {"has_lists": False, "drawable": False}


def organization_topic(org_id: int) -> str:
    """The generation of one organisation's share."""
    return f"{TOPIC}:org:{org_id}"


def subtree_topic(org_id: int) -> str:
    """The generation of the pages counting an organisation and everything below it."""
    return f"{TOPIC}:tree:{org_id}"


def _subtree_topics(user: User, filters: DashboardFilter) -> list[str]:
    """The subtrees the page counts: the one drilled down to, or those of the viewer's dashboard grants."""
    if filters.organization is not None:
        return [subtree_topic(filters.organization.pk)]
    if user.is_superuser:
        return [EVERYTHING]
    wanted = DASHBOARD_ROLES | {Role.ADMIN}
    return sorted({subtree_topic(g.organization_id) for g in grants_of(user) if g.role in wanted})


def _filter_parts(filters: DashboardFilter, today: datetime.date) -> list[object]:
    return [
        filters.inspection.pk if filters.inspection else "",
        filters.date_from or "",
        filters.date_to or "",
        today.isoformat(),
    ]


def _entry_key(user: User, filters: DashboardFilter, today: datetime.date) -> str | None:
    return generations.entry_key(
        TOPIC,
        [
            grants_signature(user, DASHBOARD_ROLES | {Role.ADMIN}),
            filters.organization.pk if filters.organization else "",
            *_filter_parts(filters, today),
        ],
        also=_subtree_topics(user, filters),
    )


def _blocks(organizations: list[Organization]) -> list[tuple[str, list[int]]]:
    """The scope (by path) cut into the blocks whose sums are kept: the subtree of each organisation one
    level below a top of the scope (a committee's general branches), and each top's own share. Each with
    the generation a write to any of its organisations bumps."""
    blocks: dict[str, tuple[str, list[int]]] = {}
    top = ""
    for org in organizations:
        if not top or not org.path.startswith(top):
            top = org.path
        below = org.path[len(top) :].split("/", 1)[0]
        if below:
            head = int(below)  # a path's parts are the ids of the organisations on it
            topic = subtree_topic(head)
        else:
            topic = organization_topic(org.pk)
        blocks.setdefault(topic, (topic, []))[1].append(org.pk)
    return list(blocks.values())


def _filters_suffix(filters: DashboardFilter, today: datetime.date) -> str:
    return hashlib.sha256("|".join(str(p) for p in _filter_parts(filters, today)).encode()).hexdigest()[:24]


def _cached_shares(filters: DashboardFilter, today: datetime.date) -> GatherShares:
    """Gives the scope's shares added up, from the cache: the sum of each block (``_blocks``) under its
    generation, those it lacks added up from their organisations' shares, themselves from the cache or
    counted (in one set of queries, whatever their number). Without a cache, counts them all."""

    def gather(organizations: list[Organization], count: CountShares) -> PartialSums:
        try:
            kept = _KeptSums(filters, today)
            blocks = _blocks(organizations)
            sums = kept.sums(blocks, kept.keys(blocks), count, whole=True)
        except Exception:  # the page never fails because of its cache
            log.warning("缓存不可用，直接统计看板", exc_info=True)
            return partial_sums(count(None))
        return merge_sums(sums)

    return gather


class _KeptSums:
    """The blocks' sums (and the organisations' shares they add up) under ``filters`` and ``today``."""

    def __init__(self, filters: DashboardFilter, today: datetime.date) -> None:
        self.suffix = _filters_suffix(filters, today)
        self.everything = generations.current(TOPIC)

    def keys(self, blocks: list[tuple[str, list[int]]]) -> list[str]:
        """Each block's key: its subtree's generation, and its organisations (another viewer's scope may hold
        fewer of them)."""
        current = generations.current_many([topic for topic, _ids in blocks])
        keys = []
        for topic, ids in blocks:
            members = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
            keys.append(f"{TOPIC}:{self.everything}:sum:{topic}:{current[topic]}:{members}:{self.suffix}")
        return keys

    def sums(
        self, blocks: list[tuple[str, list[int]]], keys: list[str], count: CountShares, *, whole: bool
    ) -> list[PartialSums]:
        """The sums of ``blocks`` (under ``keys``), those lacking added up from the shares; ``whole``: the
        blocks are the whole scope (counted with its ordinary queries when nothing is kept)."""
        members = dict(zip(keys, (ids for _topic, ids in blocks), strict=True))

        def add_up(lacking: list[str]) -> dict[str, PartialSums]:
            counted = self.shares(
                [pk for key in lacking for pk in members[key]], count, whole=whole and len(lacking) == len(keys)
            )
            return {key: partial_sums({pk: counted[pk] for pk in members[key]}) for key in lacking}

        found = _kept({key: key for key in keys}, add_up, "看板的分项统计")
        return [found[key] for key in keys]

    def shares(self, ids: list[int], count: CountShares, *, whole: bool) -> dict[int, Partial]:
        own = generations.current_many([organization_topic(pk) for pk in ids])
        keys = {pk: f"{TOPIC}:{self.everything}:share:{pk}:{own[organization_topic(pk)]}:{self.suffix}" for pk in ids}

        def counted(missing: list[int]) -> dict[int, Partial]:
            # The whole scope is counted without a list of its ids (the ordinary grouped queries).
            shares = count(None if whole and len(missing) == len(ids) else missing)
            return {pk: shares.get(pk) or Partial() for pk in missing}

        return _kept(keys, counted, "看板的分项统计")


def _cached_views(
    user: User, filters: DashboardFilter, today: datetime.date
) -> tuple[list[BlockView] | None, list[Organization] | None]:
    """The views of the scope's blocks (``selectors.blocks``), each kept beside its block's sum (under the
    same key), those lacking made from the sums (kept or counted) and the block's organisations; None for a
    scope too small to be grouped, with its organisations if they were read. The scope's cut into blocks is
    kept under the "dashboard" generation (which a change to any organisation bumps) and the viewer's
    grants."""
    layout_key = generations.entry_key(
        TOPIC,
        [
            "blocks",
            grants_signature(user, DASHBOARD_ROLES | {Role.ADMIN}),
            filters.organization.pk if filters.organization else "",
        ],
    )
    read: list[list[Organization]] = []

    def layout() -> list[tuple[str, list[int]]]:
        read.append(scope_organizations(user, filters))
        return _blocks(read[0])

    blocks = generations.remembered(layout_key, layout)
    if not grouped(sum(len(ids) for _topic, ids in blocks)):
        return None, read[0] if read else None
    kept = _KeptSums(filters, today)
    sum_keys = kept.keys(blocks)  # a view is kept beside its block's sum

    def made(lacking: list[int]) -> dict[int, BlockView]:
        sums = kept.sums(
            [blocks[i] for i in lacking],
            [sum_keys[i] for i in lacking],
            dashboard_shares(user, filters, today),
            whole=len(lacking) == len(blocks),
        )
        by_id = {org.pk: org for org in organizations_by_id([pk for i in lacking for pk in blocks[i][1]])}
        categories = list(Category.objects.order_by("sort_order", "id"))
        return {
            i: block_view([by_id[pk] for pk in ids], block_sums, categories, subtree=topic.startswith(f"{TOPIC}:tree:"))
            for i, block_sums in zip(lacking, sums, strict=True)
            for topic, ids in [blocks[i]]
        }

    views = _kept({i: f"{key}:view" for i, key in enumerate(sum_keys)}, made, "看板的分块统计")
    return [views[i] for i in range(len(blocks))], None


def _cached_pairs(filters: DashboardFilter, today: datetime.date) -> GatherPairs:
    """Gives the recurrence pairs of the shown cells from the cache: a cell's pairs read only its
    organisation's findings, so they are kept under that organisation's generation, as its share is; those
    it lacks are found (in two queries, whatever their number)."""
    suffix = _filters_suffix(filters, today)

    def gather(cells: list[CellKey], find: CountPairs) -> dict[CellKey, list[RecurrencePair]]:
        try:
            everything = generations.current(TOPIC)
            own = generations.current_many(sorted({organization_topic(org_id) for org_id, _ in cells}))
            keys = {
                (org_id, category_id): f"{TOPIC}:{everything}:pairs:{org_id}:{own[organization_topic(org_id)]}:"
                f"{category_id}:{suffix}"
                for org_id, category_id in cells
            }
        except Exception:  # the page never fails because of its cache
            log.warning("缓存不可用，直接查找反复出现的问题对", exc_info=True)
            return find(cells)
        return _kept(keys, find, "反复出现的问题对")

    return gather


def _kept_inspections(ids: list[int]) -> list[tuple]:
    """``inspection_values`` from the cache, under the "dashboard" generation (which a change to any
    inspection bumps) and the ids: a committee's 1,250 inspections were read on every recount."""
    key = generations.entry_key(TOPIC, ["inspections", hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()])
    return generations.remembered(key, lambda: inspection_values(ids))


def _counted_for_page(user: User, filters: DashboardFilter, today: datetime.date, key: str) -> Dashboard:
    """What the page shows: a grouped page from its blocks' kept views (``_cached_views``), without the rows
    of every branch; a smaller one as ``_counted``."""
    try:
        views, organizations = _cached_views(user, filters, today)
    except Exception:  # the page never fails because of its cache
        log.warning("缓存不可用，看板按党组织逐个统计", exc_info=True)
        views, organizations = None, None
    if views is None or not grouped(sum(view.listed for view in views)):
        return _counted(user, filters, today, key, organizations)
    return dashboard_from_blocks(
        user, filters, today, views, gather_pairs=_cached_pairs(filters, today), read_inspections=_kept_inspections
    )


def _counted(
    user: User,
    filters: DashboardFilter,
    today: datetime.date,
    key: str | None,
    organizations: list[Organization] | None = None,
) -> Dashboard:
    """``dashboard_build`` from the cached sums, shares and pairs (``key`` None: no cache, all counted)."""
    if key is None:
        return dashboard_build(user, filters, today)
    return dashboard_build(
        user,
        filters,
        today,
        organizations=organizations,
        gather=_cached_shares(filters, today),
        gather_pairs=_cached_pairs(filters, today),
        read_inspections=_kept_inspections,
    )


def dashboard_figures(
    user: User, filters: DashboardFilter, today: datetime.date | None = None, *, escalations: bool = True
) -> Dashboard:
    """``dashboard_build``, from the cache when nothing counted has changed since it was last built. The
    recent escalations are read afresh, unless ``escalations`` is False (they are then left empty)."""
    today = today or local_today()
    key = _entry_key(user, filters, today)
    fresh: list[Dashboard] = []

    def build() -> Dashboard:
        fresh.append(_counted(user, filters, today, key))
        return dataclasses.replace(fresh[0], escalations=[])

    dashboard = generations.remembered(key, build)
    if fresh:
        return dataclasses.replace(fresh[0], cache_key=key)
    recent = list(recent_escalations(user, filters)) if escalations else []
    return dataclasses.replace(dashboard, escalations=recent, cache_key=key)


def dashboard_summary(user: User, filters: DashboardFilter, today: datetime.date | None = None) -> Dashboard:
    """``dashboard_figures`` without the rows of its tables (``LISTS``, left empty; ``has_lists`` False),
    kept under the same key: what a reload reads when the parts drawn from the rows are cached. Counted
    afresh, the figures come whole, and only the summary is kept: the request that counts draws every part
    from them, so keeping the rows too (a thousand organisations: 80–100 ms of pickling after every write
    in the scope) would serve only the export and a part lost from the cache, which count them again from
    the kept sums."""
    today = today or local_today()
    key = _entry_key(user, filters, today)
    if key is None:
        return dashboard_figures(user, filters, today)
    whole: list[Dashboard] = []

    def build() -> Dashboard:
        whole.append(dataclasses.replace(_counted_for_page(user, filters, today, key), cache_key=key))
        return dataclasses.replace(whole[0], escalations=[], **_NO_LISTS)

    summary = generations.remembered(f"{key}:summary", build)
    if whole:
        return whole[0]
    return dataclasses.replace(summary, escalations=list(recent_escalations(user, filters)), cache_key=key)


def dashboard_part(
    dashboard: Dashboard, name: str, draw: Callable[[], T], contents: Sequence[object] | None = None
) -> T:
    """Something drawn only from ``dashboard`` and its filters (a stretch of HTML, the charts' data), kept
    beside the figures it was drawn from: under their key, so never beside newer figures.

    With ``contents`` (everything the part reads, from figures counted afresh), a part whose contents did
    not change is not drawn again: after a write in one branch, a committee's page recounts its figures
    but finds, say, the same heat map and the same recurrences, drawn before by the same contents."""
    key = f"{dashboard.cache_key}:{name}" if dashboard.cache_key else None
    if key is None or contents is None or not dashboard.drawable:
        return generations.remembered(key, draw)
    drawn = drawn_by_contents(name, contents, draw)
    try:
        cache.set(key, drawn, settings.CACHED_FIGURES_SECONDS)  # what a reload, reading the summary, asks for
    except Exception:
        log.warning("缓存不可用，看板的 %s 未保存", name, exc_info=True)
    return drawn


def drawn_by_contents(name: str, contents: Sequence[object], draw: Callable[[], T]) -> T:
    """What ``draw()`` made before of the same ``contents`` (every value it reads), or makes now, kept."""
    key = f"{TOPIC}:part:{name}:{contents_digest(contents)}" if settings.CACHED_FIGURES_SECONDS > 0 else None
    return generations.remembered(key, draw)


def _contents(value: object, seen: dict[int, object]) -> object:
    """``value`` as plain, comparable parts: a record by its label, id and every field and figure set on
    it; a dataclass by its fields; lists, tuples and dicts by their items. Records met twice (the same
    category in every row of the heat map) are taken apart once."""
    if isinstance(value, Model):
        if id(value) not in seen:
            fields = tuple((k, _contents(v, seen)) for k, v in vars(value).items() if not k.startswith("_"))
            seen[id(value)] = (value._meta.label, value.pk, fields)
        return seen[id(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_contents(getattr(value, f.name), seen) for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return tuple((k, _contents(v, seen)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_contents(v, seen) for v in value)
    return value


def contents_digest(values: Sequence[object]) -> str:
    """A digest of everything in ``values`` (``_contents``): equal for equal contents, whichever request,
    write or viewer they come from."""
    return hashlib.sha256(repr(_contents(list(values), {})).encode()).hexdigest()[:32]


def figures_rows(wanted: dict[str, Callable[[], str]]) -> dict[str, str]:
    """Rows of drawn tables, each kept by the digest of everything it is drawn from (the ``figures_row``
    tag), given as digest: how to draw it; read in one round trip, those missing drawn and kept. After a
    write, a committee's page redraws the one group row whose figures changed, and reads the other
    ninety-nine at once (one by one, their round trips took 25–50 ms)."""
    if settings.CACHED_FIGURES_SECONDS <= 0:
        return {digest: draw() for digest, draw in wanted.items()}
    return _kept(
        {digest: f"{TOPIC}:row:{digest}" for digest in wanted},
        lambda missing: {digest: wanted[digest]() for digest in missing},
        "看板的表格行",
    )


def _kept(keys: dict[K, str], make: Callable[[list[K]], dict[K, V]], what: str) -> dict[K, V]:
    """The values under ``keys`` (by what they are of), those missing made by ``make`` (given the missing,
    in order; it returns each of them) and kept. A cache that cannot be read or written is passed by:
    everything is made, nothing kept, and the page is drawn all the same."""
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:
        log.warning("缓存不可用，直接统计%s", what, exc_info=True)
        found = {}
    kept = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in keys if item not in kept]
    if missing:
        fresh = make(missing)
        kept.update(fresh)
        try:
            cache.set_many({keys[item]: fresh[item] for item in missing}, settings.CACHED_FIGURES_SECONDS)
        except Exception:
            log.warning("缓存不可用，%s未保存", what, exc_info=True)
    return kept


# ---- what a write concerns -----------------------------------------------------------------------------


def watch_shares(models: list[type[Model]]) -> None:
    """Retire the shares of the organisations a save or delete of ``models`` concerns, and the pages
    counting them; nothing when no field the figures read changed (called from the AppConfig.ready)."""
    for model in models:
        label = model._meta.label
        names = [f.attname for f in model._meta.concrete_fields if f.name not in UNREAD_FIELDS[label]]
        read = operator.itemgetter(*names)

        def state(instance: Model, read: Callable[[dict], tuple] = read) -> tuple | None:
            try:
                return read(instance.__dict__)
            except KeyError:  # a deferred field (``only()``): unknown, so any save counts as a change
                return None

        def remember(instance: Model, state: Callable[[Model], tuple | None] = state, **kwargs: object) -> None:
            instance._dashboard_state = state(instance)

        def saved(
            instance: Model, created: bool, state: Callable = state, names: list[str] = names, **kwargs: object
        ) -> None:
            before, after = getattr(instance, "_dashboard_state", None), state(instance)
            instance._dashboard_state = after
            if not created and before is not None and before == after:
                return  # only fields no figure reads changed
            old = dict(zip(names, before, strict=True)) if before is not None and not created else {}
            _retire(_concerned(instance, old, created=created))

        def deleted(instance: Model, **kwargs: object) -> None:
            _retire(_concerned(instance, {}, created=True))

        uid = f"dashboard-shares-{label}"
        post_init.connect(remember, sender=model, weak=False, dispatch_uid=f"{uid}-init")
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}-save")
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}-delete")


def _concerned(instance: Model, old: dict, *, created: bool) -> dict[int, str | None]:
    """The organisations (id: path when known) whose shares count ``instance``, before and after the write."""
    if isinstance(instance, Rectification):
        ids = {instance.responsible_org_id, old.get("responsible_org_id")}
        known = instance._state.fields_cache.get("responsible_org")
    else:
        ids = {instance.organization_id, old.get("organization_id")}
        known = instance._state.fields_cache.get("organization")
        if not created:
            # Its measures count where their responsible organisation is, and read its category, its
            # inspection and whether it is archived.
            ids |= set(
                Rectification.objects.filter(finding_id=instance.pk)
                .values_list("responsible_org_id", flat=True)
                .distinct()
            )
    concerned = dict.fromkeys((pk for pk in ids if pk is not None), None)
    if known is not None and known.pk in concerned and known.path:
        concerned[known.pk] = known.path
    return concerned


def _retire(concerned: dict[int, str | None]) -> None:
    """Bump the shares of ``concerned`` and the subtrees above each (their paths read when not known)."""
    if not concerned:
        return
    unknown = [pk for pk, path in concerned.items() if path is None]
    paths = [path for path in concerned.values() if path]
    if unknown:
        paths += list(Organization.objects.filter(pk__in=unknown).values_list("path", flat=True))
    # A path names every organisation above and the organisation itself ("000001/000004/").
    above = {int(part) for path in paths for part in path.split("/") if part}
    topics = [organization_topic(pk) for pk in sorted(concerned)] + [subtree_topic(pk) for pk in sorted(above)]
    generations.bump_many([*topics, EVERYTHING])
