"""One writing process for tests/common/test_sqlite_concurrency.py (run as `python -m`).

    python -m tests.common.sqlite_writer setup
    python -m tests.common.sqlite_writer write ROUNDS GO_FILE [--deferred]

It runs the project's own settings against the SQLite file named by DATABASE_URL, like `make run`'s web,
worker and beat processes do. `write` does what collided in them: inside one transaction it first reads,
then writes (the worker's heartbeat, a session saved at login). It prints how many rounds failed with
OperationalError and exits 1 if any did. `--deferred` turns the project's IMMEDIATE transactions off, to
show what the settings prevent. A writer prints "ready" once Django is set up and begins when GO_FILE
exists, so every writer begins at the same moment without comparing clocks (the test process runs on a
travelling clock, the writers on the real one).
"""

import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.test")
django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402

from partyreview.common.models import Heartbeat  # noqa: E402
from partyreview.common.services import heartbeat_record  # noqa: E402


def setup() -> None:
    with connection.schema_editor() as editor:
        editor.create_model(Heartbeat)
        editor.create_model(Session)


def write(rounds: int, go: Path, *, deferred: bool) -> int:
    if deferred:
        connection.ensure_connection()  # connecting reads the mode from the settings; override it after
        connection.transaction_mode = None
    # Every process starts at the same moment, so they really contend.
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    failures = 0
    for i in range(rounds):
        try:
            with transaction.atomic():
                Heartbeat.objects.filter(name__startswith="worker").count()
                heartbeat_record(name=f"worker-{i % 3}")
            session = SessionStore()
            session["round"] = i
            session.save()
        except OperationalError as exc:
            failures += 1
            sys.stderr.write(f"{exc}\n")
    print(failures)
    return failures


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        failed = write(int(sys.argv[2]), Path(sys.argv[3]), deferred="--deferred" in sys.argv)
        sys.exit(1 if failed else 0)
