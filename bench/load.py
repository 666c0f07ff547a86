"""``python -m bench.load``: the load test, gunicorn and locust on loopback against a clone of the bench data.

1. Clone the seeded database (logins write sessions and django-axes records; the seeded data stays as is).
2. Start ``gunicorn partyreview.wsgi -w 4 -b 127.0.0.1:PORT`` with DEBUG off, PostgreSQL and Redis.
3. Run locust headless (bench/locustfile.py): ``--users`` users for ``--duration``; traffic goes only
   to 127.0.0.1, and locust stops by itself at the end of the duration.
4. Stop gunicorn (the process this script started, by its id), drop the clone, and merge throughput,
   p50/p95/p99 and errors per page into var/bench/results.json.
"""

import argparse
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
LOAD_DB = "partyreview_bench_load"
# Logging in is not a page of the journeys: it hashes the password on purpose (PBKDF2), once per user.
NOT_JOURNEY = {"登录", "登录页"}


def _ticks(pid: int) -> tuple[int, int]:
    """(own CPU, CPU of reaped children) of a process, in clock ticks (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by a process, its live descendants and the children it has reaped: the
    gunicorn master and its workers, or the PostgreSQL postmaster and every backend it served."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            own, reaped = _ticks(pid)
        except OSError:
            continue
        total += own + reaped
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postmaster_pid() -> int | None:
    """The bench's PostgreSQL (scripts/test-services.sh keeps its data in $PARTYREVIEW_VAR/pg)."""
    if not os.environ.get("PARTYREVIEW_VAR"):
        return None
    pid_file = Path(os.environ["PARTYREVIEW_VAR"]) / "pg" / "postmaster.pid"
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def wait_until_up(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a loopback URL we built)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def read_stats(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(_number(row["Request Count"])),
                    "failures": int(_number(row["Failure Count"])),
                    "rps": round(_number(row["Requests/s"]), 2),
                    "p50_ms": _number(row["50%"]),
                    "p95_ms": _number(row["95%"]),
                    "p99_ms": _number(row["99%"]),
                    "max_ms": round(_number(row["Max Response Time"]), 1),
                    "average_ms": round(_number(row["Average Response Time"]), 1),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    # One user arriving a second: people log in over a morning, not 50 within ten seconds; each login
    # hashes a password on purpose (PBKDF2, about a second of CPU), so a login storm says nothing about
    # the journeys' pages. The run records when everyone is in ("steady" in the journeys' summary).
    parser.add_argument("--spawn-rate", type=float, default=float(os.environ.get("BENCH_LOAD_SPAWN_RATE", "1")))
    parser.add_argument("--duration", default=os.environ.get("BENCH_LOAD_DURATION", "4m"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8199")))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think", default=os.environ.get("BENCH_LOAD_THINK", "5,15"), help="seconds between clicks: min,max"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench import db
    from bench.run import load_results, save_results

    database_url = os.environ["DATABASE_URL"]
    results = load_results()
    branches = str(results.get("data", {}).get("branches", 1000))
    clone = db.clone(database_url, LOAD_DB)
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=clone, DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    # Plain HTTP on loopback: cookies marked Secure would never come back from locust.
    env["DJANGO_SECURE_COOKIES"] = "false"
    gunicorn_log = (OUT / "gunicorn.log").open("w", encoding="utf-8")
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "partyreview.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=gunicorn_log,
        stderr=subprocess.STDOUT,
    )
    host = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(f"{host}/accounts/login/")
        print(
            f"gunicorn（{args.workers} 个 worker）已在 {host} 启动；locust {args.users} 个用户，{args.duration}",
            flush=True,
        )
        prefix = OUT / "locust"
        postmaster = postmaster_pid()
        cpu_before = {
            "web": tree_cpu_seconds(gunicorn.pid),
            "database": tree_cpu_seconds(postmaster) if postmaster else 0.0,
            "load_generator": _children_cpu_seconds(),
        }
        started = time.monotonic()
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                args.duration,
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=dict(
                env,
                BENCH_BRANCHES=branches,
                BENCH_LOAD_THINK=args.think,
                BENCH_JOURNEYS_OUT=str(OUT / "locust_journeys.json"),
            ),
            check=True,
        )
        elapsed = time.monotonic() - started
        cpu_after = {
            "web": tree_cpu_seconds(gunicorn.pid),
            "database": tree_cpu_seconds(postmaster) if postmaster else 0.0,
            "load_generator": _children_cpu_seconds(),
        }
        # Where the machine's CPU went during the run: gunicorn, PostgreSQL, locust (the rest is idle
        # or other processes). The load test and the server share the machine, so this says how close
        # to saturation the run was.
        cpu = {k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_before}
        cpu["available"] = round((os.cpu_count() or 1) * elapsed, 1)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        gunicorn_log.close()
        db.drop(clone)

    pages = read_stats(OUT / "locust_stats.csv")
    aggregated = next(p for p in pages if p["name"] == "Aggregated")
    journey = [p for p in pages if p["name"] not in NOT_JOURNEY | {"Aggregated"}]
    worst_p95 = max(journey, key=lambda p: p["p95_ms"]) if journey else None
    # Exact percentiles over the journeys' pages, from every response time (bench/locustfile.py).
    journeys = json.loads((OUT / "locust_journeys.json").read_text(encoding="utf-8"))
    results["load"] = {
        "users": args.users,
        "duration": args.duration,
        "seconds": round(elapsed),
        "workers": args.workers,
        "think": args.think,
        "spawn_rate": args.spawn_rate,
        "cpu_seconds": cpu,
        "requests": aggregated["requests"],
        "failures": aggregated["failures"],
        "rps": aggregated["rps"],
        "p50_ms": aggregated["p50_ms"],
        "p95_ms": aggregated["p95_ms"],
        "p99_ms": aggregated["p99_ms"],
        "journeys": journeys,
        "worst_page_p95": worst_p95,
        "pages": pages,
    }
    save_results(results)
    print(
        f"负载测试：{aggregated['requests']} 个请求，{aggregated['rps']} 次/秒，失败 {aggregated['failures']}，"
        f"p50 {aggregated['p50_ms']} ms，p95 {aggregated['p95_ms']} ms，p99 {aggregated['p99_ms']} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
