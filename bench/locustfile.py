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
"""

import json
import os
import random
import re
import statistics

from locust import HttpUser, between, events, task

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
state = {"logged_in": 0, "users": 0}


@events.test_start.add_listener
def _users(environment: object, **kwargs: object) -> None:
    state["users"] = getattr(environment.parsed_options, "num_users", 0) or 0


@events.request.add_listener
def _record(name: str, response_time: float, exception: Exception | None, **kwargs: object) -> None:
    """Every response time of the journeys' pages, for exact percentiles without the logins."""
    if name in NOT_JOURNEY:
        return
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
