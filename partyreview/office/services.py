"""Writes of the office app: registers too large for a web request, written by the worker (我的导出).

The import that used to live here is the intake app's (``partyreview.intake``).
"""

import datetime
import logging
import tempfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.accounts.services import notification_create
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.office.models import Export, ExportStatus

logger = logging.getLogger(__name__)


def register_export_in_background(row_count: int) -> bool:
    """Whether a register of ``row_count`` rows is written by the worker rather than in the request."""
    return row_count > settings.OFFICE_EXPORT_ASYNC_ROWS


def register_export_request(*, actor: User, query: str, rows_total: int) -> Export:
    """Queue the register filtered by ``query`` (the list's query string) for the worker; the file will
    appear in 我的导出 and a notification will link to it."""
    from partyreview.office.tasks import register_export_run  # the task module imports this one

    if not actor.is_active:
        raise ActionRefused("账号已停用，不能导出。")
    export = Export.objects.create(
        owner=actor, query=query, filename=f"整改台账-{local_today():%Y%m%d}.xlsx", rows_total=rows_total
    )
    transaction.on_commit(lambda: _queue_export(export.pk, register_export_run))
    return export


def _queue_export(export_pk: int, task: object) -> None:
    # With the broker unreachable the request has already committed: say so on the export, never leave it
    # 排队中 forever.
    try:
        task.delay(export_pk)
    except Exception:
        logger.exception("could not queue export %s", export_pk)
        Export.objects.filter(pk=export_pk, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED, error="后台任务队列暂时不可用，未开始导出。请稍后重新导出。"
        )


class _Progress:
    """Counts rows as the writer takes them and stores the count every ``step`` rows (one UPDATE each)."""

    def __init__(self, rows: Iterable, export_pk: int, step: int) -> None:
        self.rows, self.export_pk, self.step = rows, export_pk, step

    def __iter__(self) -> Iterator:
        done = 0
        for done, row in enumerate(self.rows, start=1):
            if done % self.step == 0:
                Export.objects.filter(pk=self.export_pk).update(rows_done=done)
            yield row
        Export.objects.filter(pk=self.export_pk).update(rows_done=done)


EXPORT_PROGRESS_STEP = 2000


def register_export_execute(*, export: Export) -> Export:
    """Write the register of a queued export with its owner's scope as it is now, store the file, and tell
    the owner. A second delivery of the same task finds it no longer 排队中 and does nothing."""
    from partyreview.office.exporters import write_register
    from partyreview.office.selectors import register_values
    from partyreview.rectifications.filters import RectificationFilter
    from partyreview.rectifications.permissions import rectifications_visible_to

    claimed = Export.objects.filter(pk=export.pk, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING)
    export.refresh_from_db()
    if not claimed:
        return export
    try:
        owner = export.owner
        filterset = RectificationFilter(QueryDict(export.query), queryset=rectifications_visible_to(owner))
        rows = _Progress(register_values(filterset.qs), export.pk, EXPORT_PROGRESS_STEP)
        with tempfile.TemporaryFile(suffix=".xlsx") as target:
            written = write_register(rows, target)
            target.seek(0)
            export.file.save(export.filename, File(target), save=False)
            export.size = export.file.size
    except Exception:
        logger.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error="生成文件时出错，请稍后重新导出；如仍失败请联系系统管理员。"
        )
        export.refresh_from_db()
        return export
    now = timezone.now()
    export.status = ExportStatus.DONE
    export.rows_total = export.rows_done = written
    export.finished_at = now
    export.expires_at = now + datetime.timedelta(hours=settings.OFFICE_EXPORT_KEEP_HOURS)
    export.save(update_fields=["status", "rows_total", "rows_done", "file", "size", "finished_at", "expires_at"])
    notification_create(
        recipients=[owner],
        kind="export_ready",
        title="整改台账导出完成",
        body=f"{export.filename}（{written:,} 行）已生成，请在“我的导出”中下载，"
        f"{timezone.localtime(export.expires_at):%Y-%m-%d %H:%M} 前有效。",
        url=reverse("office:export_detail", args=[export.pk]),
    )
    return export


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their time (beat runs this hourly); returns how many."""
    now = now or timezone.now()
    expired = 0
    for export in Export.objects.filter(status=ExportStatus.DONE, expires_at__lte=now):
        if export.file:
            export.file.delete(save=False)
        export.status = ExportStatus.EXPIRED
        export.save(update_fields=["status", "file"])
        expired += 1
    # Exports the worker never finished (a killed worker, a lost message) are told apart after a day.
    stale = now - datetime.timedelta(days=1)
    Export.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], created_at__lt=stale).update(
        status=ExportStatus.FAILED, error="导出未能在一天内完成，请重新导出。"
    )
    return expired
