"""``python -m bench.run``: server time, query counts and memory of partyreview at committee scale.

Runs against the database of DATABASE_URL, seeded by ``python -m bench.seed_scale`` (``make bench`` does all
of it; see docs/performance.md). Pages are requested in-process through Django's test Client, so the time
is the server's alone (middleware, views, queries, templates), without a network or a browser:

- each page: one warm-up request, then the median and the fastest of ``--runs`` requests, and the number
  of queries of one more request (CaptureQueriesContext), with nothing taken from the cache
  (``CACHED_FIGURES_SECONDS=0``: what counting costs); the dashboards also reloaded with their figures
  cached, as a lead meets them between two changes (common/generations.py), and the register, the
  problem list and the workbench with their totals and menus cached (rectifications/counts.py);
- the committee dashboard also against bench/raw_sql.py, the same figures in hand-written SQL;
- the register export in a process of its own for its peak memory (bench/jobs.py);
- the reminder sweep (``manage.py send_reminders``, twice) and the Excel import on a throw-away clone.

Writes var/bench/results.json (merged with the load test's part, bench/load.py) and prints the table.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results.json"
SCRATCH_DB = "partyreview_bench_scratch"

# Who asks for each page: personas of the scale data (bench/scale.py).
COMMITTEE_STAFF = "sc-staff1"
COMMITTEE_LEADER = "sc-leader1"
GENERAL_LEADER = "sc-g001-leader"
SECRETARY = "sc-b0001-sec"


def median_and_min(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), round(min(times), 1)


class Pages:
    """Times pages through the test Client, one logged-in client per persona."""

    def __init__(self, runs: int) -> None:
        from django.test import Client

        from partyreview.accounts.models import User

        self.runs = runs
        self.clients: dict[str, Client] = {}
        self.user_model = User
        self.client_class = Client

    def client(self, username: str) -> object:
        if username not in self.clients:
            client = self.client_class()
            client.force_login(self.user_model.objects.get(username=username))
            self.clients[username] = client
        return self.clients[username]

    def measure(self, key: str, label: str, username: str, url: str, *, cached: bool = False) -> dict:
        from django.core.cache import cache
        from django.test import override_settings

        if cached:
            cache.clear()  # the warm-up request counts and fills it
            return self._measure(key, label, username, url)
        with override_settings(CACHED_FIGURES_SECONDS=0):
            return self._measure(key, label, username, url)

    def _measure(self, key: str, label: str, username: str, url: str) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = self.client(username)

        def get() -> object:
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            return response

        first = get()
        median, fastest = median_and_min(get, self.runs)
        with CaptureQueriesContext(connection) as queries:
            get()
        result = {
            "key": key,
            "label": label,
            "user": username,
            "url": url,
            "status": first.status_code,
            "bytes": len(first.content) if not getattr(first, "streaming", False) else None,
            "median_ms": median,
            "min_ms": fastest,
            "runs": self.runs,
            "queries": len(queries.captured_queries),
        }
        say(f"  {label}: {median} ms（{result['queries']} 次查询，HTTP {first.status_code}）")
        return result


def say(text: str) -> None:
    print(text, flush=True)


def page_benchmarks(runs: int) -> list[dict]:
    from django.db.models import Count
    from django.urls import reverse

    from partyreview.inspections.models import Finding
    from partyreview.rectifications.models import Rectification, RectificationStatus

    pages = Pages(runs)
    secretary_rect = (
        Rectification.objects.filter(assignee__username__startswith="sc-b0001-", status=RectificationStatus.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        or Rectification.objects.filter(responsible_org__code="SC-G001-B01").values_list("pk", flat=True).first()
    )
    big_finding = (
        Finding.objects.annotate(n=Count("rectifications")).filter(n=4).order_by("pk").values_list("pk", flat=True)[0]
    )
    rect_list = reverse("rectifications:list")
    overdue = f"{rect_list}?overdue=1&ordering=due_date"
    return [
        pages.measure(
            "dashboard_committee", "看板：党委（1,000 个支部）", COMMITTEE_LEADER, reverse("dashboards:index")
        ),
        pages.measure("dashboard_general", "看板：党总支（20 个支部）", GENERAL_LEADER, reverse("dashboards:index")),
        pages.measure(
            "cached_dashboard_committee",
            "看板：党委，再次打开（数字来自缓存）",
            COMMITTEE_LEADER,
            reverse("dashboards:index"),
            cached=True,
        ),
        pages.measure(
            "cached_dashboard_general",
            "看板：党总支，再次打开（数字来自缓存）",
            GENERAL_LEADER,
            reverse("dashboards:index"),
            cached=True,
        ),
        pages.measure("list_page_1", "整改台账：逾期筛选，第 1 页", COMMITTEE_STAFF, overdue),
        pages.measure("list_page_200", "整改台账：逾期筛选，第 200 页", COMMITTEE_STAFF, f"{overdue}&page=200"),
        pages.measure(
            "list_keyword",
            "整改台账：类别 + 状态 + 关键词",
            COMMITTEE_STAFF,
            f"{rect_list}?category=1&status=in_progress&status=returned&q=方案",
        ),
        pages.measure(
            "finding_detail",
            "问题详情（4 项整改措施）",
            COMMITTEE_STAFF,
            reverse("inspections:finding_detail", args=[big_finding]),
        ),
        pages.measure(
            "finding_list",
            "问题清单：整改中，第 1 页",
            COMMITTEE_STAFF,
            f"{reverse('inspections:finding_list')}?status=open",
        ),
        pages.measure(
            "rectification_detail",
            "整改措施详情（书记）",
            SECRETARY,
            reverse("rectifications:detail", args=[secretary_rect]),
        ),
        pages.measure("my_branch", "本支部整改（书记）", SECRETARY, reverse("rectifications:my_branch")),
        pages.measure("workbench", "工作台（党务工作人员）", COMMITTEE_STAFF, reverse("inspections:workbench")),
        pages.measure(
            "review_queue", "待我审核（党务工作人员）", COMMITTEE_STAFF, reverse("rectifications:review_queue")
        ),
        # The lists as everyone after the first viewer meets them: totals and menus from the cache.
        pages.measure(
            "cached_list_page_1", "整改台账：逾期筛选，第 1 页（总数来自缓存）", COMMITTEE_STAFF, overdue, cached=True
        ),
        pages.measure(
            "cached_finding_list",
            "问题清单：整改中，第 1 页（总数来自缓存）",
            COMMITTEE_STAFF,
            f"{reverse('inspections:finding_list')}?status=open",
            cached=True,
        ),
        pages.measure(
            "cached_workbench",
            "工作台（计数来自缓存）",
            COMMITTEE_STAFF,
            reverse("inspections:workbench"),
            cached=True,
        ),
    ]


def raw_sql_benchmark(results: list[dict], runs: int) -> None:
    """The dashboards against the same figures in hand-written SQL; checks that the figures agree."""
    from bench import raw_sql
    from partyreview.accounts.models import User
    from partyreview.common.dates import local_today
    from partyreview.dashboards.selectors import DashboardFilter, dashboard_build
    from partyreview.organizations.models import Membership

    today = local_today()
    for result in results:
        if not result["key"].startswith("dashboard_"):
            continue
        user = User.objects.get(username=result["user"])
        path = Membership.objects.filter(user=user).values_list("organization__path", flat=True)[0]
        raw_sql.dashboard_figures(path, today)
        median, _fastest = median_and_min(lambda p=path: raw_sql.dashboard_figures(p, today), runs)
        figures = raw_sql.dashboard_figures(path, today)
        built = dashboard_build(user, DashboardFilter(), today)
        started = time.perf_counter()
        dashboard_build(user, DashboardFilter(), today)
        result["selectors_ms"] = round((time.perf_counter() - started) * 1000, 1)
        result["raw_sql_ms"] = median
        result["ratio"] = round(result["median_ms"] / median, 2) if median else None
        result["figures_differ"] = raw_sql.check_against(figures, built.headline, len(built.branches))
        say(f"  {result['label']} 对照手写 SQL：{median} ms，比值 {result['ratio']}")
        for difference in result["figures_differ"]:
            say(f"    ！数字不一致：{difference}")


def _child_env(database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _module(module: str, args: list[str], database_url: str | None = None) -> str:
    """What ``python -m module args`` prints, run in a process of its own against ``database_url``."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=_child_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _job(args: list[str], database_url: str | None = None) -> dict:
    return json.loads(_module("bench.jobs", args, database_url).strip().splitlines()[-1])


def export_benchmarks(sizes: list[int]) -> list[dict]:
    """The register export of about ``size`` rows each: the measures with the latest deadlines."""
    from partyreview.rectifications.models import Rectification

    results = []
    total = Rectification.objects.count()
    # A small seed has fewer rows than asked for: export them all, once.
    for size in sorted({min(size, total) for size in sizes}):
        if size >= total:
            query = "ordering=due_date"
        else:
            since = Rectification.objects.order_by("-due_date").values_list("due_date", flat=True)[size - 1]
            query = f"due_from={since:%Y-%m-%d}"
        job = _job(["export", query])
        result = {
            "key": f"export_{size}",
            "label": f"台账导出 {job['rows']:,} 行",
            "user": COMMITTEE_STAFF,
            "url": f"/office/register.xlsx?{query}",
            "median_ms": job["ms"],
            "runs": 1,
            **job,
        }
        say(f"  {result['label']}：{job['ms']} ms，峰值内存 {job['peak_mb']} MB（增长 {job['growth_mb']} MB）")
        results.append(result)
    return results


def _manage(args: list[str], database_url: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_child_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def _sweep_counts(output: str) -> dict[str, int]:
    """The numbers send_reminders prints: 新提醒事项 N 条，接收人 N 位，站内通知 N 条 ..."""
    names = {"新提醒事项": "items", "接收人": "recipients", "站内通知": "notifications", "邮件": "emails"}
    counts = {}
    for label, key in names.items():
        match = re.search(rf"{label}\s*(\d+)", output)
        if match:
            counts[key] = int(match.group(1))
    return counts


def writing_benchmarks(database_url: str, import_count: int, dashboard_writes: int) -> list[dict]:
    """The dashboards while writes arrive, the sweep (twice) and the import, on a clone: they write, and the
    seeded data must stay as it is."""
    from bench import db

    scratch = db.clone(database_url, SCRATCH_DB)
    try:
        results = dashboards_under_writes(scratch, dashboard_writes) if dashboard_writes else []
        overdue_count = _overdue(scratch)
        for run, key in ((1, "sweep_first"), (2, "sweep_second")):
            elapsed, output = _manage(["send_reminders"], scratch)
            counts = _sweep_counts(output)
            label = "提醒扫描（首次）" if run == 1 else "提醒扫描（紧接着第二次）"
            results.append(
                {
                    "key": key,
                    "label": f"{label}：{overdue_count:,} 项逾期",
                    "median_ms": round(elapsed * 1000, 1),
                    "runs": 1,
                    "overdue": overdue_count,
                    "output": output.strip(),
                    **counts,
                }
            )
            say(f"  {label}：{elapsed:.1f} s，{counts}")
        job = _job(["import", str(import_count)], scratch)
        results.append(
            {"key": "import", "label": f"Excel 导入 {import_count:,} 个问题", "runs": 1, "median_ms": job["ms"], **job}
        )
        say(f"  Excel 导入 {import_count} 个问题：{job['ms']} ms {job}")
        return results
    finally:
        db.drop(scratch)


def dashboards_under_writes(database_url: str, writes: int) -> list[dict]:
    """``bench.dashboard_writes`` in a process of its own: both leads' dashboards after each of ``writes``
    writes through the services, beside a write that retires every kept figure and the hand-written SQL."""
    found = json.loads(_module("bench.dashboard_writes", ["--writes", str(writes)], database_url))
    exact = found["figures_equal_fresh_count"] and not found["figures_differ_from_raw_sql"]
    results = []
    for key, user, raw_sql_ms in (
        ("writes_dashboard_committee", "sc-leader1", found["raw_sql_committee_ms"]),
        ("writes_dashboard_general", "sc-g001-leader", None),
    ):
        under = found["under_writes"][user]
        results.append(
            {
                "key": key,
                "label": f"看板（写入进行中）：{user}",
                "median_ms": under["p50_ms"],
                "p95_ms": under["p95_ms"],
                "max_ms": under["max_ms"],
                "runs": under["n"],
                "writes": found["writes"],
                "retiring_everything_ms": found["after_a_write_retiring_everything"][user]["p50_ms"],
                "cached_reload_ms": found["cached_reload"][user]["p50_ms"],
                "raw_sql_ms": raw_sql_ms,
                "figures_exact": exact,
            }
        )
        say(f"  {user}：写入后 p50 {under['p50_ms']} ms，p95 {under['p95_ms']} ms；与重新统计、原生 SQL 一致：{exact}")
    return results


def _overdue(database_url: str) -> int:
    import psycopg

    from partyreview.common.dates import local_today
    from partyreview.rectifications.models import Rectification

    with psycopg.connect(database_url) as conn:
        return conn.execute(
            f"SELECT COUNT(*) FROM {Rectification._meta.db_table} WHERE status <> 'closed' AND due_date < %s",  # noqa: S608
            [local_today()],
        ).fetchone()[0]


def machine(database_url: str) -> dict:
    from bench import db

    memory = ""
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgresql": db.server_version(database_url),
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_average": os.getloadavg(),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def data_shape() -> dict:
    from bench.scale import scale_summary, seeded_marker
    from partyreview.organizations.models import Organization, OrganizationKind

    summary = scale_summary()
    return {
        "marker": seeded_marker(),
        "branches": Organization.objects.filter(kind=OrganizationKind.BRANCH).count(),
        "findings": summary["findings"],
        "rectifications": summary["rectifications"],
        "overdue": summary["overdue"],
        "by_status": summary["rectifications_by_status"],
        "progress_updates": summary["progress_updates"],
        "history_rows": summary["history"],
    }


def load_results() -> dict:
    if RESULTS.exists():
        return json.loads(RESULTS.read_text(encoding="utf-8"))
    return {}


def save_results(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="requests per page after the warm-up (default 5)")
    parser.add_argument("--export-sizes", default="10000,100000", help="rows of the register exports")
    parser.add_argument("--import-count", type=int, default=5000, help="findings in the imported .xlsx")
    parser.add_argument("--dashboard-writes", type=int, default=40, help="writes while the dashboards load")
    parser.add_argument("--skip", default="", help="comma-separated: pages,exports,writes")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    database_url = os.environ["DATABASE_URL"]

    django.setup()
    from django.db import connections

    results = load_results()
    results["machine"] = machine(database_url)
    results["data"] = data_shape()
    say(f"数据：{results['data']['marker']}，整改措施 {results['data']['rectifications']:,} 项")
    measured = []
    if "pages" not in skip:
        say("页面（进程内，服务器时间）……")
        pages = page_benchmarks(args.runs)
        raw_sql_benchmark(pages, args.runs)
        measured += pages
    if "exports" not in skip:
        say("台账导出……")
        measured += export_benchmarks([int(s) for s in args.export_sizes.split(",") if s])
    if "writes" not in skip:
        say("写入进行中的看板、提醒扫描与导入（在数据库副本上）……")
        # CREATE DATABASE ... TEMPLATE needs the seeded database without sessions: close ours.
        connections.close_all()
        measured += writing_benchmarks(database_url, args.import_count, args.dashboard_writes)
    previous = {r["key"]: r for r in results.get("measurements", [])}
    previous.update({r["key"]: r for r in measured})
    results["measurements"] = list(previous.values())
    save_results(results)
    say(f"结果已写入 {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
