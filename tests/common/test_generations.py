"""common.generations: counted figures kept in the cache until a model they count changes."""

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from partyreview.common import generations
from partyreview.inspections.models import Category

pytestmark = pytest.mark.django_db


def test_a_result_is_kept_under_its_parts_until_the_topic_changes():
    calls = []

    def build() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = generations.remembered(generations.entry_key("t", ["a", 1]), build)
    again = generations.remembered(generations.entry_key("t", ["a", 1]), build)
    other = generations.remembered(generations.entry_key("t", ["a", 2]), build)
    generations.bump("t")
    after = generations.remembered(generations.entry_key("t", ["a", 1]), build)

    assert (first, again, other, after) == ([1], [1], [2], [3])


def test_a_watched_model_bumps_its_topic_on_save_and_delete(django_capture_on_commit_callbacks):
    # Categories name the dashboard's rows; dashboards/apps.py watches them.
    start = generations.current("dashboard")

    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.create(code="extra", name="其他补充", sort_order=99)
    saved = generations.current("dashboard")
    with django_capture_on_commit_callbacks(execute=True):
        category.delete()

    # At once and after the commit, each time.
    assert saved == start + 2
    assert generations.current("dashboard") == saved + 2


def test_nothing_is_kept_when_the_cache_is_turned_off(settings):
    settings.CACHED_FIGURES_SECONDS = 0
    results = iter(range(10))

    assert generations.entry_key("t", ["a"]) is None
    assert generations.remembered(None, lambda: next(results)) == 0
    assert generations.remembered(None, lambda: next(results)) == 1


def test_the_bare_machine_cache_is_shared_by_its_processes(settings, tmp_path):
    """Without Redis, the default cache is files under var/: what the web process stores, a worker
    process (another cache object on the same directory) sees, and a bump there retires it here."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }
    key = generations.entry_key("t", ["shared"])
    generations.remembered(key, lambda: "counted")
    other_process = FileBasedCache(str(tmp_path), {})

    assert other_process.get(key) == "counted"
    other_process.incr("generation:t")
    assert generations.entry_key("t", ["shared"]) != key


def test_a_generation_lost_from_the_cache_never_returns_to_an_old_value():
    """Evicted or flushed, the counter starts again above anything it was: entries stored under the old
    values are never current again."""
    from django.core.cache import cache

    seen = {generations.current("lost")}
    for _ in range(3):
        generations.bump("lost")
        seen.add(generations.current("lost"))
    cache.delete("generation:lost")

    assert generations.current("lost") > max(seen)
