"""Writes of the office app: storing an upload for preview, and importing a clean plan in one transaction.

Every finding and measure is created through ``rectifications.services.finding_file``, so imported
records carry the same checks, history and notifications as those typed in by hand.
"""

import datetime
import hashlib
import io
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.accounts.services import notification_create
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Finding, FindingSource, Inspection
from partyreview.office import importers
from partyreview.office.importers import ImportPlan, ImportRefused
from partyreview.office.models import Export, ExportStatus, ImportBatch, ImportStatus
from partyreview.office.permissions import can_import_findings
from partyreview.rectifications.services import MeasureInput, finding_file

logger = logging.getLogger(__name__)

# Unconfirmed uploads are scratch files; they are cleared out after this long.
PREVIEW_LIFETIME = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ImportResult:
    findings_created: int
    measures_created: int
    findings_skipped: int

    def __str__(self) -> str:
        text = f"新建问题 {self.findings_created} 个、整改措施 {self.measures_created} 项"
        if self.findings_skipped:
            text += f"，{self.findings_skipped} 个问题已存在，跳过"
        return text


def _require_importer(actor: User, inspection: Inspection) -> None:
    if not can_import_findings(actor, inspection):
        raise ActionRefused("您无权向该检查导入问题清单。")


def findings_import(*, actor: User, inspection: Inspection, plan: ImportPlan) -> ImportResult:
    """Create every finding of a clean plan, or none: one transaction, and any refusal rolls it all back."""
    _require_importer(actor, inspection)
    if plan.errors:
        raise ActionRefused(f"文件中有 {len(plan.errors)} 处错误，未导入任何数据。请修改后重新上传。")
    created = measures = skipped = 0
    with transaction.atomic():
        # Two people importing into one inspection at once are serialised here; the second then finds
        # the first one's sequence numbers and skips them, as a re-import does.
        Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
        existing = set(
            Finding.objects.filter(inspection=inspection, sequence__in=[f.sequence for f in plan.findings]).values_list(
                "sequence", flat=True
            )
        )
        skipped = len(plan.skipped)
        for item in plan.findings:
            if item.sequence in existing:
                skipped += 1
                continue
            try:
                finding_file(
                    actor=actor,
                    inspection=inspection,
                    organization=item.organization,
                    category=item.category,
                    description=item.description,
                    found_on=item.found_on,
                    severity=item.severity,
                    basis=item.basis,
                    source=FindingSource.IMPORT,
                    sequence=item.sequence,
                    measures=[
                        MeasureInput(
                            measure=m.measure,
                            assignee=m.assignee,
                            due_date=m.due_date,
                            kind=m.kind,
                            responsible_leader=m.responsible_leader,
                        )
                        for m in item.measures
                    ],
                )
            except ActionRefused as refused:
                raise ActionRefused(
                    f"第{item.rows[0]}行（序号 {item.sequence}）：{refused.message} 未导入任何数据。"
                ) from refused
            created += 1
            measures += len(item.measures)
    return ImportResult(findings_created=created, measures_created=measures, findings_skipped=skipped)


def import_batch_create(*, actor: User, inspection: Inspection, upload: IO[bytes], name: str) -> ImportBatch:
    """Check an uploaded file and keep it for the preview. A file refused as a whole is not kept."""
    _require_importer(actor, inspection)
    data = importers.check_container(upload)
    importers.read_workbook(io.BytesIO(data))
    _discard_stale_previews(actor)
    batch = ImportBatch(
        inspection=inspection,
        uploaded_by=actor,
        original_name=(name or "问题清单.xlsx")[-255:],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    batch.file.save("upload.xlsx", ContentFile(data), save=False)
    try:
        batch.save()
    except Exception:
        batch.file.delete(save=False)
        raise
    return batch


def _discard_stale_previews(actor: User) -> None:
    stale = ImportBatch.objects.filter(
        uploaded_by=actor, status=ImportStatus.PREVIEW, created_at__lt=timezone.now() - PREVIEW_LIFETIME
    )
    for batch in stale:
        if batch.file:
            batch.file.delete(save=False)
        batch.delete()


def import_batch_plan(*, actor: User, batch: ImportBatch) -> ImportPlan:
    """Read the stored upload again and check it against the database as it is now."""
    if not batch.file:
        raise ImportRefused("暂存的文件已不存在，请重新上传。")
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise ImportRefused("暂存的文件已不存在，请重新上传。") from None
    if hashlib.sha256(data).hexdigest() != batch.sha256:
        raise ImportRefused("暂存的文件与预览时不一致，请重新上传。")
    rows = importers.read_workbook(io.BytesIO(data))
    return importers.plan_import(actor=actor, inspection=batch.inspection, rows=rows)


def import_batch_queue(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Confirm a previewed upload: check it again now, so a problem shows at once, then hand the import to
    the worker — a list of thousands of rows takes longer than a web request may last."""
    from partyreview.office.tasks import import_batch_run  # the task module imports this one

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("inspection__inspecting_org").get(pk=batch.pk)
        _require_importer(actor, locked.inspection)
        if locked.is_imported:
            raise ActionRefused("该文件已经导入，无需重复确认。")
        if locked.is_importing:
            raise ActionRefused("该文件正在导入，请稍候刷新页面查看结果。")
        plan = import_batch_plan(actor=actor, batch=locked)
        if plan.errors:
            raise ActionRefused(f"文件中有 {len(plan.errors)} 处错误，未导入任何数据。请修改后重新上传。")
        locked.status = ImportStatus.IMPORTING
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: _queue_import(locked.pk, actor.pk, import_batch_run))
    return locked


def _queue_import(batch_pk: int, actor_pk: int, task: object) -> None:
    """Queue the import; with the broker unreachable, put the batch back to 待确认 with a reason rather than
    leave it "importing" forever or fail the request that already committed."""
    try:
        task.delay(batch_pk, actor_pk)
    except Exception:
        logger.exception("could not queue import batch %s", batch_pk)
        ImportBatch.objects.filter(pk=batch_pk, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.PREVIEW, error="后台任务队列暂时不可用，未开始导入。请稍后重新确认导入。"
        )


def import_batch_confirm(*, actor: User, batch: ImportBatch) -> ImportResult:
    """Import exactly the previewed file, all or nothing, and record the outcome on the batch.
    Runs again harmlessly if a worker died half-way: the transaction rolled back, or the sequences exist.
    A repeat of the worker's task after the commit stops earlier, in ``import_batch_execute``."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("inspection__inspecting_org").get(pk=batch.pk)
        _require_importer(actor, locked.inspection)
        if locked.is_imported:
            raise ActionRefused("该文件已经导入，无需重复确认。")
        plan = import_batch_plan(actor=actor, batch=locked)
        result = findings_import(actor=actor, inspection=locked.inspection, plan=plan)
        stored = locked.file.name
        locked.file = ""
        locked.status = ImportStatus.IMPORTED
        locked.imported_at = timezone.now()
        locked.error = ""
        locked.findings_created = result.findings_created
        locked.measures_created = result.measures_created
        locked.findings_skipped = result.findings_skipped
        locked.save()
        storage = batch.file.storage
        # The scratch file goes only once the import is committed; a rollback keeps it for another try.
        transaction.on_commit(lambda: storage.delete(stored))
    return result


def import_batch_execute(*, actor: User, batch: ImportBatch) -> ImportResult | None:
    """The worker's side of a confirmed import. Success or failure is recorded on the batch and told to the
    person who confirmed it, since they may have left the page by then.

    The outcome and its notification are written in one transaction, and only a batch still 导入中 is
    imported: a worker killed after the commit but before acknowledging the task gets the task back from
    the broker, and that second run must find the work done and do nothing — neither report the finished
    import as refused ("already imported") nor lose the message that it finished.
    """
    url = reverse("office:import_preview", args=[batch.pk])
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if not locked.is_importing:
                logger.info(
                    "import batch %s is %s, not importing: a repeated task, nothing to do", batch.pk, locked.status
                )
                return None
            result = import_batch_confirm(actor=actor, batch=locked)
            notification_create(
                recipients=[actor], kind="import_done", title="问题清单导入完成", body=f"{result}。", url=url
            )
    except ActionRefused as refused:
        with transaction.atomic():
            _import_failed(batch, refused.message)
            notification_create(
                recipients=[actor],
                kind="import_failed",
                title="问题清单导入未成功",
                body=refused.message[:300],
                url=url,
            )
        return None
    except Exception:
        _import_failed(batch, "导入时发生系统错误，未导入任何数据。请稍后重试或联系系统管理员。")
        raise
    return result


def _import_failed(batch: ImportBatch, message: str) -> None:
    # Back to 待确认 so the preview shows the file again with the reason; nothing of the import was kept.
    ImportBatch.objects.filter(pk=batch.pk).exclude(status=ImportStatus.IMPORTED).update(
        status=ImportStatus.PREVIEW, error=message
    )


def findings_import_file(*, actor: User, inspection: Inspection, stream: IO[bytes], name: str) -> ImportResult:
    """The command-line path: read, check and import in one go, leaving an import record behind."""
    _require_importer(actor, inspection)
    data = importers.check_container(stream)
    rows = importers.read_workbook(io.BytesIO(data))
    plan = importers.plan_import(actor=actor, inspection=inspection, rows=rows)
    if plan.errors:
        raise ImportRefused(
            f"文件中有 {len(plan.errors)} 处错误，未导入任何数据：\n{importers.errors_text(plan.errors)}"
        )
    with transaction.atomic():
        result = findings_import(actor=actor, inspection=inspection, plan=plan)
        ImportBatch.objects.create(
            inspection=inspection,
            uploaded_by=actor,
            original_name=name[-255:],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            status=ImportStatus.IMPORTED,
            imported_at=timezone.now(),
            findings_created=result.findings_created,
            measures_created=result.measures_created,
            findings_skipped=result.findings_skipped,
        )
    return result


# ---- 我的导出: registers too large for a web request --------------------------------------------------


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
