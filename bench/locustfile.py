"""The load test: staff, secretaries and leads doing their journeys against gunicorn on loopback.

Run by bench/load.py (``make bench``): ``locust -f bench/locustfile.py --headless --host
http://127.0.0.1:PORT``. Every user logs in through the real login form (CSRF token and all) as a persona
of the scale data (bench/scale.py, password settings.DEMO_PASSWORD), then repeats
its journey with a think time between clicks of BENCH_LOAD_THINK seconds ("min,max", default 5–15 s:
a person reads a register page or a measure before the next click; "1,3" is the stress variant that
measures capacity rather than experience). Detail pages are reached by following links of the page before,
as a person clicks them, so the locust needs nothing from the database.

Mix (weights): staff 3, secretaries 5, leads 2: secretaries are the most numerous, staff the busiest.
Requests are named by page (``name=``), so the report has one line per page, not per id.

Writes, at a configurable rate on top of the readers (BENCH_LOAD_WRITES_PER_MINUTE, default 6; 0 for a
read-only run): one secretary records progress on a measure of their branch with a small evidence file,
one staff member closes (销号) a measure waiting in their review queue, each at half the rate
(``constant_pacing``). Every write retires cached figures, so the dashboards' response times once writes
have begun are summarised apart ("dashboards_during_writes" in the journeys' summary).
"""

import json
import os
import random
import re
import statistics

from locust import HttpUser, between, constant_pacing, events, task

PASSWORD = os.environ.get("DEMO_PASSWORD", "Dangjian@2026")
THINK = tuple(float(x) for x in os.environ.get("BENCH_LOAD_THINK", "5,15").split(","))
BRANCHES = int(os.environ.get("BENCH_BRANCHES", "1000"))
GENERALS = max(1, (BRANCHES + 19) // 20)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECTIFICATION_LINK = re.compile(r'href="/rectifications/(\d+)/"')
FINDING_LINK = re.compile(r'href="/inspections/findings/(\d+)/"')
# Logging in is not a page of the journeys: it hashes the password on purpose (PBKDF2), once per user.
NOT_JOURNEY = {"登录", "登录页"}
journey_times: list[float] = []
# The same, only once every user has logged in: the login storm of the ramp-up (PBKDF2, a second of CPU
# each, on purpose) queues everything behind it, and a working day does not start with 50 logins at once.
steady_times: list[float] = []
journey_failures: list[str] = []
state = {"logged_in": 0, "users": 0, "writes": 0}
WRITES_PER_MINUTE = float(os.environ.get("BENCH_LOAD_WRITES_PER_MINUTE", "6"))
DASHBOARD_PAGES = {"首页→看板"}
WRITE_PAGES = {"写：记录进展", "写：销号"}
dashboard_times_during_writes: list[float] = []
write_times: list[float] = []
VERSION = re.compile(r'name="version" value="(\d+)"')
# A valid one-page PDF, as small as evidence gets (the upload checks content, not the name).
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@events.test_start.add_listener
def _users(environment: object, **kwargs: object) -> None:
    state["users"] = getattr(environment.parsed_options, "num_users", 0) or 0


@events.request.add_listener
def _record(name: str, response_time: float, exception: Exception | None, **kwargs: object) -> None:
    """Every response time of the journeys' pages, for exact percentiles without the logins."""
    if name in NOT_JOURNEY:
        return
    if name in WRITE_PAGES:
        write_times.append(response_time)
        if exception is None:
            state["writes"] += 1
    elif name in DASHBOARD_PAGES and state["writes"]:
        dashboard_times_during_writes.append(response_time)
    journey_times.append(response_time)
    if state["users"] and state["logged_in"] >= state["users"]:
        steady_times.append(response_time)
    if exception is not None:
        journey_failures.append(f"{name}: {exception}")


def _percentiles(times: list[float]) -> dict:
    if len(times) < 2:
        return {"requests": len(times)}
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "requests": len(times),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(max(times), 1),
    }


@events.quitting.add_listener
def _write_journeys(environment: object, **kwargs: object) -> None:
    out = os.environ.get("BENCH_JOURNEYS_OUT")
    if not out or not journey_times:
        return
    summary = {
        **_percentiles(journey_times),
        "failures": len(journey_failures),
        "failure_examples": journey_failures[:10],
        "steady": _percentiles(steady_times),
        "writes": {**_percentiles(write_times), "per_minute": WRITES_PER_MINUTE, "done": state["writes"]},
        "dashboards_during_writes": _percentiles(dashboard_times_during_writes),
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)


class Journey(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    username = ""

    def on_start(self) -> None:
        self.username = self.pick_username()
        page = self.client.get("/accounts/login/", name="登录页")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="登录",
            catch_response=True,
        ) as response:
            # A successful login redirects home; the form again means it failed.
            if "/accounts/login/" in response.url:
                response.failure(f"login failed for {self.username}")
            else:
                state["logged_in"] += 1

    def pick_username(self) -> str:
        raise NotImplementedError

    def open_first(self, page_text: str, pattern: re.Pattern, name: str, prefix: str) -> None:
        ids = pattern.findall(page_text)
        if ids:
            self.client.get(f"{prefix}{random.choice(ids[:20])}/", name=name)


class Staff(Journey):
    """党务工作人员: the workbench, the register filtered, a measure, a finding, the review queue."""

    weight = 3

    def pick_username(self) -> str:
        if random.random() < 0.5:
            return f"sc-staff{random.randint(1, 5)}"
        return f"sc-g{random.randint(1, GENERALS):03d}-staff"

    @task(3)
    def register(self) -> None:
        self.client.get("/", name="首页→工作台")
        query = random.choice(
            [
                "overdue=1&ordering=due_date",
                "status=submitted",
                "light=2",
                f"category={random.randint(1, 16)}&status=in_progress",
                "due_within=7",
            ]
        )
        page = self.client.get(f"/rectifications/?{query}", name="整改台账（筛选）")
        self.open_first(page.text, RECTIFICATION_LINK, "整改措施详情", "/rectifications/")

    @task(2)
    def findings(self) -> None:
        page = self.client.get("/inspections/findings/?status=open", name="问题清单（筛选）")
        self.open_first(page.text, FINDING_LINK, "问题详情", "/inspections/findings/")

    @task(1)
    def review(self) -> None:
        self.client.get("/rectifications/review/", name="待我审核")

    @task(1)
    def deep_page(self) -> None:
        self.client.get(f"/rectifications/?overdue=1&page={random.randint(2, 200)}", name="整改台账（翻页）")


class Secretary(Journey):
    """支部书记: their branch's measures and one of them, often from a phone, a few minutes at a time."""

    weight = 5

    def pick_username(self) -> str:
        return f"sc-b{random.randint(1, BRANCHES):04d}-sec"

    @task
    def my_branch(self) -> None:
        page = self.client.get("/", name="首页→本支部整改")
        self.open_first(page.text, RECTIFICATION_LINK, "整改措施详情", "/rectifications/")


class Lead(Journey):
    """党委领导: the dashboard, then the lagging branch's overdue measures it links to, then one of them."""

    weight = 2

    def pick_username(self) -> str:
        if random.random() < 0.3:
            return f"sc-leader{random.randint(1, 3)}"
        return f"sc-g{random.randint(1, GENERALS):03d}-leader"

    @task
    def dashboard(self) -> None:
        self.client.get("/", name="首页→看板")
        page = self.client.get("/rectifications/?overdue=1", name="整改台账（筛选）")
        self.open_first(page.text, RECTIFICATION_LINK, "整改措施详情", "/rectifications/")


def _pacing() -> float:
    # Two writers, each at half the rate; a rate of 0 leaves them out (fixed_count 0).
    return 120.0 / WRITES_PER_MINUTE if WRITES_PER_MINUTE > 0 else 3600.0


class WritingSecretary(Journey):
    """A secretary recording progress, with a small evidence file, on one of the branch's open measures."""

    fixed_count = 1 if WRITES_PER_MINUTE > 0 else 0
    wait_time = constant_pacing(_pacing())

    def pick_username(self) -> str:
        return f"sc-b{random.randint(1, BRANCHES):04d}-sec"

    @task
    def record_progress(self) -> None:
        home = self.client.get("/", name="首页→本支部整改")
        ids = RECTIFICATION_LINK.findall(home.text)
        if not ids:
            return
        pk = random.choice(ids[:20])
        form = self.client.get(f"/rectifications/{pk}/progress/", name="记录进展（表单）")
        token, version = CSRF.search(form.text), VERSION.search(form.text)
        if not token or not version:
            return  # a measure waiting for review has no progress form: try another next time
        self.client.post(
            f"/rectifications/{pk}/progress/",
            data={"csrfmiddlewaretoken": token.group(1), "version": version.group(1), "note": "按计划推进整改。"},
            files={"files": ("佐证.pdf", EVIDENCE_PDF, "application/pdf")},
            headers={"Referer": f"{self.host}/rectifications/{pk}/progress/"},
            name="写：记录进展",
        )


class ClosingStaff(Journey):
    """A committee staff member closing (销号) the measure that has waited longest in the review queue."""

    fixed_count = 1 if WRITES_PER_MINUTE > 0 else 0
    wait_time = constant_pacing(_pacing())

    def pick_username(self) -> str:
        return f"sc-staff{random.randint(1, 5)}"

    @task
    def close(self) -> None:
        queue = self.client.get("/rectifications/review/", name="待我审核")
        ids = RECTIFICATION_LINK.findall(queue.text)
        if not ids:
            return
        pk = ids[0]
        form = self.client.get(f"/rectifications/{pk}/close/", name="销号（表单）")
        token, version = CSRF.search(form.text), VERSION.search(form.text)
        if not token or not version:
            return
        self.client.post(
            f"/rectifications/{pk}/close/",
            data={"csrfmiddlewaretoken": token.group(1), "version": version.group(1), "text": "核查属实，同意销号。"},
            headers={"Referer": f"{self.host}/rectifications/{pk}/close/"},
            name="写：销号",
        )
