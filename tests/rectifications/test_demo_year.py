"""The demo reads like a committee's real year: closures spread over the months, mostly on time, some late,
some after an extension; every record dated when it happened, none in the future. Seeded on a pinned day
(and once more to show that seeding twice writes nothing twice)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.inspections.models import Category, Finding
from partyreview.rectifications.measure_library import STANDARD_MEASURES
from partyreview.rectifications.models import (
    ExtensionRequest,
    ProgressUpdate,
    Rectification,
    RectificationStatus,
    StandardMeasure,
    Timeliness,
)

SEED_DAY = datetime.datetime(2026, 12, 3, 6, 0, tzinfo=datetime.UTC)  # 14:00 in Beijing
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo_year(db, settings):
    settings.DEBUG = True
    with time_machine.travel(SEED_DAY, tick=False):
        call_command("seed_demo")
        call_command("seed_demo")
        yield


def test_most_closures_are_on_time_some_late_some_after_an_extension(demo_year, client):
    # Measured as the dashboard measures (Timeliness, the one rule): 长期坚持 without a stage goal has none.
    closed = [r for r in Rectification.objects.filter(status=RectificationStatus.CLOSED) if r.timeliness]
    on_time = [r for r in closed if r.timeliness == Timeliness.ON_TIME]
    assert len(closed) >= 15
    assert 0.60 <= len(on_time) / len(closed) <= 0.95
    assert any(r.timeliness == Timeliness.EXTENDED for r in closed), "one closed after an approved extension"
    assert any(r.timeliness == Timeliness.LATE for r in closed), "one simply late"

    # The leader's dashboard says so too.
    client.force_login(User.objects.get(username="leader"))
    page = client.get("/dashboard/").content.decode()
    rate = float(re.search(r'data-figure="on_time_rate">([\d.]+)%', page).group(1))
    days = float(re.search(r'data-figure="average_days">([\d.]+) 天', page).group(1))
    assert 60 <= rate <= 95
    assert days > 1


def test_closures_span_at_least_six_months_and_take_days_not_seconds(demo_year):
    closed = Rectification.objects.filter(status=RectificationStatus.CLOSED)
    months = {
        timezone.localtime(moment, ZONE).strftime("%Y-%m") for moment in closed.values_list("closed_at", flat=True)
    }
    assert len(months) >= 6
    days = [(r.closed_at - r.created_at).total_seconds() / 86400 for r in closed]
    assert sum(days) / len(days) > 1
    assert all(d > 1 for d in days)


def test_nothing_happened_after_the_seed_and_history_runs_forward(demo_year):
    now = timezone.now()
    assert Rectification.objects.aggregate(m=Max("created_at"))["m"] < now
    assert ProgressUpdate.objects.aggregate(m=Max("created_at"))["m"] < now
    first = Rectification.history.aggregate(m=Min("history_date"))["m"]
    assert (now - first).days >= 300, "the history covers the past year"
    for r in Rectification.objects.filter(status=RectificationStatus.CLOSED)[:10]:
        dates = list(r.history.order_by("history_id").values_list("history_date", flat=True))
        assert dates == sorted(dates)
        assert r.submitted_at < r.closed_at
    assert ExtensionRequest.objects.filter(status="approved").exists()
    assert Finding.objects.aggregate(m=Min("found_on"))["m"] <= (now - datetime.timedelta(days=300)).date()


def test_every_state_is_shown_and_the_demo_logins_work(demo_year, settings):
    assert set(Rectification.objects.values_list("status", flat=True)) == set(RectificationStatus.values)
    assert Rectification.objects.overdue().exists()
    for username in ("admin", "staff", "leader", "secretary", "secretary2"):
        assert User.objects.get(username=username).check_password(settings.DEMO_PASSWORD)


def test_the_demo_on_a_flushed_database_brings_back_the_categories_and_the_measure_library(db, settings):
    # Browser tests flush the live server's database; a restore gone wrong can too. The demo's new finding
    # form and feedback import then still offer the library's measures for each category.
    StandardMeasure.objects.all().delete()
    Category.objects.all().delete()
    settings.DEBUG = True
    with time_machine.travel(SEED_DAY, tick=False):
        call_command("seed_demo")

    dues = StandardMeasure.objects.filter(category__code="dues_arrears").order_by("sort_order")
    assert [m.text for m in dues] == [text for text, _ in STANDARD_MEASURES["dues_arrears"]]
    assert StandardMeasure.objects.count() == sum(len(m) for m in STANDARD_MEASURES.values())
