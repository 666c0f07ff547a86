"""``python -m bench.dashboard_writes [--writes 40]``: the dashboards while writes arrive.

Against a database seeded by bench/seed_scale.py, with the shared cache on (``CACHE_URL``), in one process:
a write through the services (a pending measure put in progress, or a submitted one closed: each changes
figures), then the committee's and a general branch's dashboard loaded by their leads; repeated, every
other write in a branch of that general branch (so its page must be recounted too), the others in a
branch anywhere. Printed beside them: the same pages after every cached figure is retired (what each
write cost when a save retired everything), and the figures in hand-written SQL (bench/raw_sql.py).
Finally the figures shown after the last write are compared with a fresh count. It writes: run it on a
benchmark database only.
"""

import argparse
import json
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")

COMMITTEE_LEADER = "sc-leader1"
GENERAL_LEADER = "sc-g001-leader"
STAFF = "sc-staff1"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def _summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(_p95(values), 1),
        "max_ms": round(max(values), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=40, help="writes, each followed by both pages (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    django.setup()

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from bench import raw_sql
    from partyreview.accounts.models import User
    from partyreview.common import generations
    from partyreview.common.dates import local_today
    from partyreview.dashboards.cache import TOPIC, dashboard_figures
    from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
    from partyreview.organizations.models import Membership
    from partyreview.rectifications import services
    from partyreview.rectifications.models import Rectification, RectificationStatus

    url = reverse("dashboards:index")
    clients = {}
    for name in (COMMITTEE_LEADER, GENERAL_LEADER):
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=name))

    def load(name: str) -> float:
        started = time.perf_counter()
        response = clients[name].get(url)
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - started) * 1000

    staff = User.objects.get(username=STAFF)
    general_path = Membership.objects.filter(user__username=GENERAL_LEADER).values_list(
        "organization__path", flat=True
    )[0]
    rng = random.Random(args.seed)
    open_ones = list(
        Rectification.objects.filter(status__in=[RectificationStatus.PENDING, RectificationStatus.SUBMITTED])
        .order_by("pk")
        .values_list("pk", "responsible_org__path")
    )
    near = [pk for pk, path in open_ones if path.startswith(general_path)]
    anywhere = [pk for pk, _path in open_ones]

    def write(i: int) -> str:
        pk = rng.choice(near if i % 2 else anywhere)
        (near if i % 2 else anywhere).remove(pk)
        r = Rectification.objects.get(pk=pk)
        if r.status == RectificationStatus.PENDING:
            services.rectification_record_progress(actor=staff, rectification=r, note="基准测试：已开展整改")
            return "progress"
        services.rectification_close(actor=staff, rectification=r, note="基准测试：核查属实")
        return "close"

    # Warm: both pages counted once and cached.
    cache.clear()
    cold = {name: load(name) for name in clients}
    load(COMMITTEE_LEADER), load(GENERAL_LEADER)
    reload = {name: [load(name) for _ in range(5)] for name in clients}

    # What a write cost before: every cached figure retired, the page counted afresh.
    retired: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(3):
        for name in clients:
            generations.bump(TOPIC)
            retired[name].append(load(name))

    # Counted again under the last generation: the last retirement came after the committee's last load.
    for name in clients:
        load(name)

    under_writes: dict[str, list[float]] = {name: [] for name in clients}
    kinds: dict[str, int] = {}
    for i in range(args.writes):
        kind = write(i)
        kinds[kind] = kinds.get(kind, 0) + 1
        for name in clients:
            under_writes[name].append(load(name))

    today = local_today()
    raw = []
    committee_path = Membership.objects.filter(user__username=COMMITTEE_LEADER).values_list(
        "organization__path", flat=True
    )[0]
    for _ in range(3):
        started = time.perf_counter()
        figures = raw_sql.dashboard_figures(committee_path, today)
        raw.append((time.perf_counter() - started) * 1000)
    leader = User.objects.get(username=COMMITTEE_LEADER)
    shown = dashboard_figures(leader, DashboardFilter(), today)
    counted = dashboard_build(leader, DashboardFilter(), today)
    differences = raw_sql.check_against(figures, shown.headline, len(shown.branches))
    result = {
        "writes": kinds,
        "cold_ms": {name: round(ms, 1) for name, ms in cold.items()},
        "cached_reload": {name: _summary(values) for name, values in reload.items()},
        "after_a_write_retiring_everything": {name: _summary(values) for name, values in retired.items()},
        "under_writes": {name: _summary(values) for name, values in under_writes.items()},
        "raw_sql_committee_ms": round(statistics.median(raw), 1),
        "figures_equal_fresh_count": shown.headline == counted.headline,
        "figures_differ_from_raw_sql": differences,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
