"""Test-only pause points for the worker processes of tests/security/test_worker_killed.py.

A worker started with ``WORKER_PAUSE=<point>[,<point>…]`` and ``WORKER_PAUSE_DIR=<dir>`` stops at each
point the first time any of its processes reaches it, writes ``<dir>/<point>.json`` ({"pid", "args"}),
prints ``paused at <point>`` and sleeps, so that the test can see where it is and kill exactly that
process. Each point pauses once per test (the file is the claim): the redelivered task goes through.

Points:
- ``finding:<n>``: right after the batch holding the n-th finding this process saved — inside the
  import's transaction (the import writes findings in bulk, so the point wraps the recording of their
  history, which follows each batch's insert);
- ``import-committed``: right after an import's transaction committed, before the task returns;
- ``sweep-claimed``: the reminder sweep has claimed its items and written its deliveries, not yet committed;
- ``sweep-committed``: the sweep has committed, and not yet queued its e-mail and robot deliveries;
- ``prerun:<task name>`` / ``postrun:<task name>``: just before / just after a task's body runs (after the
  body means: its effects are committed and the message is not yet acknowledged).

Installed by tests/reminders/worker_settings.py only when WORKER_PAUSE is set; production code knows
nothing of it.
"""

import json
import os
import sys
import tempfile
import time

# Long enough for any test to kill the process; an orphan (its worker gone) stops waiting at once.
LONGEST_PAUSE_SECONDS = 120


def marker_name(point: str) -> str:
    return point.replace(":", "-").replace("/", "-") + ".json"


class Pauses:
    def __init__(self, points: list[str], directory: str) -> None:
        self.points = set(points)
        self.directory = directory
        self.findings_saved = 0

    def reach(self, point: str, args: object = None) -> None:
        if point not in self.points:
            return
        marker = os.path.join(self.directory, marker_name(point))
        fd, scratch = tempfile.mkstemp(dir=self.directory, prefix=".pause-")
        with os.fdopen(fd, "w") as out:
            json.dump({"pid": os.getpid(), "args": args}, out)
        try:
            # A hard link is created whole or not at all: the test never reads a half-written file, and
            # of two processes reaching the point only one pauses.
            os.link(scratch, marker)
        except FileExistsError:
            return
        finally:
            os.unlink(scratch)
        print(f"paused at {point} (pid {os.getpid()})", file=sys.stderr, flush=True)
        parent = os.getppid()
        deadline = time.monotonic() + LONGEST_PAUSE_SECONDS
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.1)

    # ---- Django model signals -------------------------------------------------------------------------

    def on_post_save(self, sender, instance, created, **kwargs) -> None:
        label = sender._meta.label
        if label == "inspections.Finding" and created:
            self.findings_saved += 1
            self.reach(f"finding:{self.findings_saved}")
        elif label == "intake.ImportBatch" and instance.status == "imported":
            from django.db import transaction

            transaction.on_commit(lambda: self.reach("import-committed", [instance.pk]))
        elif label == "reminders.SweepRun" and not created and instance.items:
            from django.db import transaction

            # Registered before the sweep's own on-commit queueing, so it runs first.
            transaction.on_commit(lambda: self.reach("sweep-committed", [instance.pk]))
            self.reach("sweep-claimed", [instance.pk])

    # ---- Celery task signals --------------------------------------------------------------------------

    def counting_bulk_inserts(self, record_history):
        """The import's bulk insert sends no post_save, so its findings are counted where the writer records
        their history (``writer._record_history``, right after each batch is inserted, in the transaction)."""

        def wrapped(model, pks, *args, **kwargs):
            record_history(model, pks, *args, **kwargs)
            if model._meta.label == "inspections.Finding":
                before = self.findings_saved
                self.findings_saved += len(pks)
                for point in sorted(self.points):
                    if point.startswith("finding:") and before < int(point.split(":")[1]) <= self.findings_saved:
                        self.reach(point)

        wrapped.counts_findings = True
        return wrapped

    def on_task_prerun(self, sender=None, args=None, **kwargs) -> None:
        # Wrapped here, once apps are loaded (install() runs while the settings are read).
        from partyreview.intake import writer

        if not getattr(writer._record_history, "counts_findings", False):
            writer._record_history = self.counting_bulk_inserts(writer._record_history)
        self.reach(f"prerun:{sender.name}", list(args or []))

    def on_task_postrun(self, sender=None, args=None, **kwargs) -> None:
        self.reach(f"postrun:{sender.name}", list(args or []))


def install(points: str, directory: str) -> Pauses:
    from celery.signals import task_postrun, task_prerun
    from django.db.models.signals import post_save

    pauses = Pauses([p.strip() for p in points.split(",") if p.strip()], directory)
    post_save.connect(pauses.on_post_save, weak=False, dispatch_uid="worker-pauses")
    task_prerun.connect(pauses.on_task_prerun, weak=False, dispatch_uid="worker-pauses")
    task_postrun.connect(pauses.on_task_postrun, weak=False, dispatch_uid="worker-pauses")
    return pauses
