"""The skeleton: configuration errors are one readable line, production settings pass check --deploy,
demo data is safe to load twice, the heartbeat proves the worker runs, and the UI speaks Chinese."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-" + "x7Qp9rT2vW5yZ8bC1dF4gH6jK0mN3" * 2,
    "DJANGO_ALLOWED_HOSTS": "partyreview.example.org",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_HSTS_PRELOAD": "true",
}


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update({"PARTYREVIEW_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "partyreview.settings.base"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_debug_off_without_a_secret_key_stops_with_one_line_naming_the_setting(tmp_path):
    result = _manage("check", env={"DJANGO_DEBUG": "false"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_stops_with_one_line_naming_database_url(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://nobody:wrong@127.0.0.1:9/none"}
    result = _manage("migrate", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_seed_demo_refuses_when_debug_is_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_seed_demo_twice_writes_nothing_twice(db, settings):
    from partyreview.accounts.models import User
    from partyreview.inspections.models import Inspection
    from partyreview.rectifications.models import Rectification, RectificationStatus

    call_command("seed_demo", force=True)
    counts = (User.objects.count(), Inspection.objects.count(), Rectification.objects.count())
    call_command("seed_demo", force=True)
    assert (User.objects.count(), Inspection.objects.count(), Rectification.objects.count()) == counts
    states = set(Rectification.objects.values_list("status", flat=True))
    assert states == set(RectificationStatus.values), "demo data shows every state"
    assert Rectification.objects.overdue().exists()
    for username in ("admin", "staff", "leader", "secretary", "secretary2"):
        assert User.objects.get(username=username).check_password(settings.DEMO_PASSWORD)


def test_the_heartbeat_task_records_that_the_worker_ran(db, admin_client):
    from partyreview.common.models import Heartbeat
    from partyreview.common.tasks import heartbeat

    heartbeat.delay()
    beat = Heartbeat.objects.get(name="worker")
    assert (timezone.now() - beat.last_seen).total_seconds() < 60
    page = admin_client.get("/admin/common/heartbeat/")
    assert page.status_code == 200 and "运行正常" in page.content.decode()


def test_login_page_and_form_errors_are_chinese(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "用户名" in html and "密码" in html and 'lang="zh-CN"' in html
    failed = client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    assert "请输入一个正确的" in failed.content.decode()


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_templates_and_static_files_load_nothing_from_outside():
    external = re.compile(r"""(src|href)\s*=\s*["']\s*(https?:)?//""", re.IGNORECASE)
    css_url = re.compile(r"""url\(\s*["']?\s*(https?:)?//""", re.IGNORECASE)
    offenders = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("static").rglob("*.css")]:
        text = path.read_text(encoding="utf-8", errors="ignore")
        if external.search(text) or css_url.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_pages_carry_a_content_security_policy_of_our_own_assets(client, db):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
