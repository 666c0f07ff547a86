"""The embedded default (SQLite, `make run`) survives web, worker and beat writing at once.

Real processes, each with the project's settings, write one SQLite file inside transactions at the same
moment; none may meet "database is locked" (docs/decisions/sqlite-immediate-transactions.md).
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from partyreview.settings.base import BASE_DIR

PROCESSES = 6
ROUNDS = 60


def _env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{db}"
    env["DJANGO_SETTINGS_MODULE"] = "partyreview.settings.test"
    return env


def _run_writers(db: Path, *extra: str) -> list[subprocess.CompletedProcess]:
    subprocess.run(
        [sys.executable, "-m", "tests.common.sqlite_writer", "setup"], cwd=BASE_DIR, env=_env(db), check=True
    )
    go = db.with_name("go")
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.common.sqlite_writer", "write", str(ROUNDS), str(go), *extra],
            cwd=BASE_DIR,
            env=_env(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    # Python and Django take a second or two to start on a busy machine: all begin once all are ready.
    # (Not at an agreed time: this process's clock is the run's travelling one, the writers' the real one.)
    ready = [writer.stdout.readline().strip() for writer in writers]
    go.touch()
    results = []
    for writer, first in zip(writers, ready, strict=True):
        out, err = writer.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(writer.args, writer.returncode, out, err))
        assert first == "ready", err[-2000:]
    return results


def test_sqlite_settings_take_the_write_lock_when_a_transaction_begins():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]
        assert "busy_timeout" in options["init_command"]


def test_concurrent_writing_processes_on_one_sqlite_file_never_meet_a_lock_error(tmp_path):
    results = _run_writers(tmp_path / "shared.sqlite3")

    failures = [(r.stdout.strip(), r.stderr[-500:]) for r in results if r.returncode != 0]
    assert failures == []
    assert [r.stdout.strip() for r in results] == ["0"] * PROCESSES


def test_the_same_writers_meet_lock_errors_with_sqlites_default_deferred_transactions(tmp_path):
    # The control: without IMMEDIATE the read-then-write transactions collide (166 of 360 rounds failed
    # when measured), so the test above would catch the settings losing it.
    results = _run_writers(tmp_path / "shared.sqlite3", "--deferred")

    assert sum(int(r.stdout.strip()) for r in results) > 0
    assert any("database is locked" in r.stderr for r in results)
