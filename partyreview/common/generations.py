"""Figures kept in the shared cache until something they are counted from changes.

Some pages count a great deal to show a few numbers (a committee's dashboard aggregates 250,000 measures,
its organisational-life card checks a thousand branches against the rules: docs/performance.md), and are
reloaded far more often than those numbers change. Such a result is cached under a key made of

- its topic's **generation**, a counter in the cache that every save or delete of a model the topic counts
  bumps (``watch``; ``bump`` by hand after writes that send no signal, such as ``bulk_create``): twice, at
  once (so the writer's own next page cannot meet the old entry) and after the commit (so an entry another
  request counted in between, without the write, is dropped too);
- whatever else the result depends on, given by the caller: the viewer's grants, the filters, today.

The generation is read before counting, so a result that may have missed a write is stored under a
generation nobody asks for any more. ``CACHED_FIGURES_SECONDS`` bounds an entry's life for writes no signal
reports (``QuerySet.update``, raw SQL, a restored backup); 0 turns all this off. The cache is Django's
``default``: Redis in production, shared by every web and worker process of every host; files under var/
on a bare machine (settings ``CACHES``). When it cannot be reached the page counts afresh and a write
goes ahead: nothing fails because of this cache.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)
T = TypeVar("T")

# Topics named here, below every app, because their readers and the apps that watch their models differ.
# Findings, measures and what names them: the lists' totals (watched by ``rectifications.counts``).
RECORDS = "records"
# What names the records (organisations, inspections): the filters' menus of them, which a measure saved
# (a dozen a minute at a committee) does not change (watched by the inspections app).
NAMES = "names"


def _key(topic: str) -> str:
    return f"generation:{topic}"


def _start() -> int:
    # A generation lost from the cache (evicted, flushed) starts again from the clock in microseconds, far
    # above any value it reached by bumps before: an entry stored under an old generation is never current
    # again.
    return time.time_ns() // 1000


def current(topic: str) -> int:
    value = cache.get(_key(topic))
    if value is None:
        # add, not set: two processes starting at once must not reset each other's count.
        cache.add(_key(topic), _start(), timeout=None)
        value = cache.get(_key(topic), 0)
    return int(value)


def current_many(topics: list[str]) -> dict[str, int]:
    """``current`` of each of ``topics``, read in one round trip (a committee's thousand organisations)."""
    keys = {topic: _key(topic) for topic in topics}
    found = cache.get_many(list(keys.values()))
    values = {}
    for topic, key in keys.items():
        values[topic] = int(found[key]) if key in found else current(topic)
    return values


def _bump_now(topic: str) -> None:
    try:
        try:
            cache.incr(_key(topic))
        except ValueError:  # not there (a fresh or emptied cache): a new start retires the old entries
            cache.add(_key(topic), _start(), timeout=None)
    except Exception:  # a write never fails because the cache is down; its entries expire instead
        log.warning("缓存不可用，无法标记“%s”的数据变化", topic, exc_info=True)


def bump(topic: str) -> None:
    """What ``topic`` counts has changed, or will have once the current transaction commits."""
    _bump_now(topic)
    transaction.on_commit(lambda: _bump_now(topic))


def bump_many(topics: Iterable[str]) -> None:
    """``bump`` each of ``topics``: those a write concerned (a measure's organisation and the subtrees it lies in)."""
    topics = list(topics)

    def bump_all() -> None:
        for topic in topics:
            _bump_now(topic)

    bump_all()
    transaction.on_commit(bump_all)


# Which topics watch each model, for writers that send no signal (``bump_watchers``).
_WATCHERS: dict[str, set[str]] = {}


def watch(topic: str, models: Iterable[type[Model]], *, signals: bool = True) -> None:
    """Bump ``topic`` on every save and delete of ``models`` (called from an AppConfig.ready). With
    ``signals`` False, only when a writer that sends none asks (``bump_watchers``): the topic hears of
    single saves in its own, finer way."""
    for model in models:
        _WATCHERS.setdefault(model._meta.label, set()).add(topic)
        if not signals:
            continue
        receiver = _receiver(topic)
        label = model._meta.label
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"generation-{topic}-save-{label}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"generation-{topic}-delete-{label}")


def bump_watchers(model: type[Model]) -> None:
    """Bump every topic that counts ``model``: after a ``bulk_create`` or ``update`` of its rows, which send
    no signal. For a writer below the apps that count (an import of organisations) that cannot name them."""
    for topic in sorted(_WATCHERS.get(model._meta.label, ())):
        bump(topic)


def _receiver(topic: str) -> Callable[..., None]:
    def changed(**kwargs: object) -> None:
        bump(topic)

    return changed


def entry_key(topic: str, parts: Iterable[object], *, also: list[str] | None = None) -> str | None:
    """The cache key of ``parts`` under ``topic``'s current generation (and those of the topics ``also``
    names, finer ones such as a subtree's); None when caching is off or the cache cannot be reached (then
    ``remembered`` just builds)."""
    if settings.CACHED_FIGURES_SECONDS <= 0:
        return None
    try:
        if also:
            parts = [*parts, *sorted(current_many(also).items())]
        digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
        return f"{topic}:{current(topic)}:{digest}"
    except Exception:  # the page never fails because of its cache
        log.warning("缓存不可用，直接统计“%s”", topic, exc_info=True)
        return None


def query_parts(qs: QuerySet) -> list[object] | None:
    """A queryset's SQL and parameters, as parts of an entry key; None when Django knows without asking the
    database that it matches nothing (an empty scope or ``pk__in=[]``: it cannot be written as SQL)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return None
    return [sql, *params]


def remembered(key: str | None, build: Callable[[], T], *, timeout: int | None = None) -> T:
    """What ``build()`` returned before under ``key`` (from ``entry_key``), or ``build()`` now, kept for
    ``timeout`` seconds (``CACHED_FIGURES_SECONDS`` unless given). An unreachable cache only costs the build."""
    if key is None:
        return build()
    try:
        value = cache.get(key)
    except Exception:
        log.warning("缓存不可用，直接统计 %s", key, exc_info=True)
        return build()
    if value is not None:
        return value
    value = build()
    try:
        cache.set(key, value, timeout=settings.CACHED_FIGURES_SECONDS if timeout is None else timeout)
    except Exception:
        log.warning("缓存不可用，%s 的结果未保存", key, exc_info=True)
    return value
