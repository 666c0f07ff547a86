"""Writes of the import: keeping an upload for its preview, planning it, and importing it all or nothing.

A file is kept (under a random name, with its SHA-256) from upload to confirmation; every step plans it
again from those bytes with the choices made in the preview (``ImportBatch.choices``), so the worker
imports exactly what the user saw. The plan a preview shows is kept for ten minutes in the shared cache
(``_keep_plan``): the confirmation and the worker take it rather than plan the file twice more, and the
writer checks again under its lock what may have changed since (permissions, organisations, people,
categories, problems another import wrote); a confirmation later than that, or a worker that finds no plan
kept, plans the file again. The writing itself is ``writer.findings_import_plan``: one transaction, bulk
inserts, progress told through the cache so the page can show it while the transaction is open.
"""

import datetime
import hashlib
import io
import json
import logging
import re
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import User
from partyreview.accounts.services import notification_create
from partyreview.common.errors import ActionRefused
from partyreview.common.spreadsheets import OLE_MAGIC, check_spreadsheet
from partyreview.inspections.models import Inspection
from partyreview.intake.document_rows import DocumentRead, read_document_rows
from partyreview.intake.documents import read_feedback_file
from partyreview.intake.fields import Field
from partyreview.intake.importers import ImportRefused
from partyreview.intake.ledger import LedgerRead, read_ledger
from partyreview.intake.models import ImportBatch, ImportStatus, LedgerMapping
from partyreview.intake.permissions import can_import_findings
from partyreview.intake.plan import Choices, Issue, Plan, plan_rows
from partyreview.intake.writer import ImportResult, findings_import_plan

logger = logging.getLogger(__name__)

# Unconfirmed uploads are scratch files; they are cleared out after this long.
PREVIEW_LIFETIME = datetime.timedelta(days=1)
# How long the worker's progress stays readable after its last report.
PROGRESS_SECONDS = 3600
# How long a previewed plan waits for its confirmation, and a confirmed one for the worker; later, the
# file is planned again.
PLAN_KEPT_SECONDS = 600


def _require_importer(actor: User, inspection: Inspection) -> None:
    if not can_import_findings(actor, inspection):
        raise ActionRefused("您无权向该检查导入问题清单。")


def is_document(data: bytes) -> bool:
    """A feedback document (.docx, text) rather than a workbook, judged from the bytes."""
    if data.startswith(OLE_MAGIC):
        return False  # an old .xls or .doc, or an encrypted file: the workbook checks explain it
    if not data.startswith(b"PK"):
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" not in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def read_upload(stream: IO[bytes], *, name: str = "") -> bytes:
    """The bytes of an upload that is a workbook or a feedback document, or a Chinese refusal.

    Judged from the bytes; the name only chooses which refusal speaks of what the user meant to send
    (a "workbook" that is none is told so in the workbook's words)."""
    head = stream.read(8)
    stream.seek(0)
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")) or head.startswith(OLE_MAGIC):
        return check_spreadsheet(stream)
    if head.startswith(b"PK"):
        data = stream.read(settings.OFFICE_IMPORT_MAX_BYTES + 1)
        stream.seek(0)
        if not is_document(data):
            return check_spreadsheet(stream)
    data = stream.read(settings.OFFICE_IMPORT_MAX_BYTES + 1)
    read_feedback_file(data)  # refuses what is no readable document
    return data


def _plan_document_rows(*, actor: User, data: bytes, choices: dict[str, Any] | None = None) -> DocumentRead:
    read = read_document_rows(data, actor=actor, choices=choices)
    if not read.rows and not any(re.search("[\u4e00-\u9fff]", p.text) for p in read_feedback_file(data).paragraphs):
        # No Chinese at all: not a feedback, and not a workbook either (the workbook's reader was not asked).
        raise ImportRefused("文件不是有效的 Excel 工作簿（.xlsx），也不是反馈意见（.docx、.txt），无法读取。")
    if not read.rows:
        raise ImportRefused(
            "文档中没有找到问题。请确认问题按“一、（一）1.”或“一是、二是”等编号列出，或在“现将……反馈如下：”之后逐段书写。"
        )
    return read


def _plan_document(*, actor: User, inspection: Inspection, data: bytes, choices: dict[str, Any]) -> Plan:
    read = _plan_document_rows(actor=actor, data=data, choices=choices)
    plan = plan_rows(
        actor=actor,
        inspection=inspection,
        rows=read.rows,
        choices=Choices(categories=choices.get("categories", {})),
    )
    plan.left_out = read.skipped
    # 党组织: the inspection's inspected organisation when there is exactly one; otherwise the user says.
    asked = not choices.get("organization") and inspection.inspected_orgs.count() != 1
    if asked and any(not row.values.get(Field.ORGANIZATION) for row in read.rows):
        plan.errors.insert(
            0, Issue(0, "党组织", "本次检查有多个（或没有）被检查党组织，请在预览上方选择这些问题所属的党组织")
        )
    return plan


def _plan_data(
    *, actor: User, inspection: Inspection, data: bytes, choices: dict[str, Any]
) -> tuple[Plan, LedgerRead | None]:
    """The plan of an upload, and what the table finder saw in a ledger (None for a feedback document)."""
    if is_document(data):
        return _plan_document(actor=actor, inspection=inspection, data=data, choices=choices), None
    read = read_ledger(data, choices=choices)
    if not read.rows and not read.errors:
        raise ImportRefused("表格中没有可导入的数据行。")
    plan = plan_rows(
        actor=actor,
        inspection=inspection,
        rows=read.rows,
        choices=Choices(keep_whole=choices.get("keep_whole", ()), categories=choices.get("categories", {})),
    )
    if read.errors:
        plan.errors = sorted([*read.errors, *plan.errors], key=lambda e: (e.row, e.column))
    return plan, read


def import_batch_create(*, actor: User, inspection: Inspection, upload: IO[bytes], name: str) -> ImportBatch:
    """Check an uploaded file and keep it for the preview. A file refused as a whole is not kept."""
    _require_importer(actor, inspection)
    data = read_upload(upload, name=name)
    if is_document(data):
        _plan_document_rows(actor=actor, data=data)
        # The batch tells a document by its name (paragraphs, not rows): give it the suffix its bytes have.
        suffix = ".docx" if data.startswith(b"PK") else ".txt"
        if not (name or "").lower().endswith(suffix):
            name = f"{name or '反馈意见'}{suffix}"
    else:
        read_ledger(data)
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


def import_batch_plan(*, actor: User, batch: ImportBatch) -> Plan:
    """Read the stored upload again and check it against the database as it is now."""
    return import_batch_read(actor=actor, batch=batch)[0]


def import_batch_read(*, actor: User, batch: ImportBatch) -> tuple[Plan, LedgerRead | None]:
    """The plan of a stored upload and what the table finder saw in it (for the preview's mapping step;
    None for a feedback document, which has no columns to map)."""
    if not batch.file:
        raise ImportRefused("暂存的文件已不存在，请重新上传。")
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise ImportRefused("暂存的文件已不存在，请重新上传。") from None
    if hashlib.sha256(data).hexdigest() != batch.sha256:
        raise ImportRefused("暂存的文件与预览时不一致，请重新上传。")
    return _plan_data(actor=actor, inspection=batch.inspection, data=data, choices=batch.choices or {})


def import_batch_preview(*, actor: User, batch: ImportBatch) -> tuple[Plan, LedgerRead | None]:
    """What the preview shows (``import_batch_read``); a clean plan is kept for the confirmation."""
    plan, read = import_batch_read(actor=actor, batch=batch)
    if plan.errors:
        _drop_plan(batch, actor)  # a plan kept from before the file's world changed is no longer what shows
    else:
        _keep_plan(batch, actor, plan)
    return plan, read


def import_batch_queue(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Confirm a previewed upload: check it now, so a problem shows at once, then hand the import to the
    worker — a list of thousands of rows takes longer than a web request may last. The check is of the plan
    the preview showed when it is kept (``_keep_plan``), else of the file planned again."""
    from partyreview.intake.tasks import import_batch_run  # the task module imports this one

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("inspection__inspecting_org").get(pk=batch.pk)
        _require_importer(actor, locked.inspection)
        if locked.is_imported:
            raise ActionRefused("该文件已经导入，无需重复确认。")
        if locked.is_importing:
            raise ActionRefused("该文件正在导入，请稍候刷新页面查看结果。")
        plan = _kept_plan(locked, actor) or import_batch_plan(actor=actor, batch=locked)
        if plan.errors:
            raise ActionRefused(f"文件中有 {len(plan.errors)} 处错误，未导入任何数据。请修改后重新上传。")
        locked.status = ImportStatus.IMPORTING
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: _keep_plan(locked, actor, plan))
        transaction.on_commit(lambda: _queue_import(locked.pk, actor.pk, import_batch_run))
    return locked


def _plan_key(batch: ImportBatch, actor: User) -> str:
    # The batch's file and choices and the person: another upload, mapping or confirmer is another plan.
    choices = json.dumps(batch.choices or {}, sort_keys=True, ensure_ascii=True, default=str)
    what = f"{batch.pk}:{batch.sha256}:{actor.pk}:{hashlib.sha256(choices.encode()).hexdigest()}"
    return f"intake:plan:{what}"


def _keep_plan(batch: ImportBatch, actor: User, plan: Plan) -> None:
    try:
        cache.set(_plan_key(batch, actor), plan, PLAN_KEPT_SECONDS)
    except Exception:  # the worker plans the file itself
        logger.warning("could not keep the plan of import batch %s", batch.pk, exc_info=True)


def _kept_plan(batch: ImportBatch, actor: User) -> Plan | None:
    try:
        return cache.get(_plan_key(batch, actor))
    except Exception:
        logger.warning("could not read the kept plan of import batch %s", batch.pk, exc_info=True)
        return None


def _drop_plan(batch: ImportBatch, actor: User) -> None:
    try:
        cache.delete(_plan_key(batch, actor))
    except Exception:
        logger.warning("could not drop the kept plan of import batch %s", batch.pk, exc_info=True)


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
        # The plan the confirm request checked, when the cache still holds it: the writer checks again
        # under its lock what may have changed since. Otherwise the file is planned afresh.
        plan = _kept_plan(locked, actor) or import_batch_plan(actor=actor, batch=locked)
        result = findings_import_plan(
            actor=actor,
            inspection=locked.inspection,
            plan=plan,
            progress=lambda done, total: _report_progress(locked.pk, done, total),
        )
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
        transaction.on_commit(lambda: _drop_plan(locked, actor))
    return result


def import_batch_execute(*, actor: User, batch: ImportBatch) -> ImportResult | None:
    """The worker's side of a confirmed import. Success or failure is recorded on the batch and told to the
    person who confirmed it, since they may have left the page by then.

    The outcome and its notification are written in one transaction, and only a batch still 导入中 is
    imported: a worker killed after the commit but before acknowledging the task gets the task back from
    the broker, and that second run must find the work done and do nothing — neither report the finished
    import as refused ("already imported") nor lose the message that it finished.
    """
    url = reverse("intake:preview", args=[batch.pk])
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
        _drop_plan(batch, actor)  # the next confirmation checks the file as it plans now
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


def _progress_key(batch_pk: int) -> str:
    return f"intake:progress:{batch_pk}"


def _report_progress(batch_pk: int, done: int, total: int) -> None:
    # The import's transaction is open while it runs, so its rows tell nobody how far it has come; the
    # shared cache does (Redis in production, files on a bare machine). A lost entry only hides the bar.
    try:
        cache.set(_progress_key(batch_pk), {"done": done, "total": total}, PROGRESS_SECONDS)
    except Exception:
        logger.warning("could not record progress of import batch %s", batch_pk, exc_info=True)


def import_batch_progress(batch: ImportBatch) -> dict[str, int] | None:
    """How far the worker has come with a confirmed import: {"done", "total"} findings, or None."""
    try:
        return cache.get(_progress_key(batch.pk))
    except Exception:
        return None


def import_batch_choose(*, actor: User, batch: ImportBatch, choices: dict[str, Any]) -> ImportBatch:
    """Keep what the user decided in the preview (measures kept as one, categories chosen) for the next
    plan of this upload. Only a batch still awaiting confirmation may change."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("inspection__inspecting_org").get(pk=batch.pk)
        _require_importer(actor, locked.inspection)
        if locked.status != ImportStatus.PREVIEW:
            raise ActionRefused("该文件已确认导入，不能再修改预览中的选择。")
        merged = dict(locked.choices or {})
        merged.update(choices)
        locked.choices = merged
        locked.save(update_fields=["choices"])
    return locked


def import_batch_map_columns(
    *, actor: User, batch: ImportBatch, columns: dict[int, str | None], sheet: str, signature: str
) -> ImportBatch:
    """The mapping step: the columns a person mapped or ignored (column number → field, None to ignore),
    and the sheet chosen. Kept for this upload, and remembered for the next ledger of the same shape."""
    allowed = set(Field.values)
    cleaned = {str(c): (f or None) for c, f in columns.items() if f is None or f == "" or f in allowed}
    batch = import_batch_choose(actor=actor, batch=batch, choices={"columns": cleaned, "sheet": sheet})
    if signature:
        LedgerMapping.objects.update_or_create(
            signature=signature[:64], defaults={"columns": cleaned, "confirmed_by": actor}
        )
    return batch


def findings_import_file(
    *, actor: User, inspection: Inspection, stream: IO[bytes], name: str, choices: dict[str, Any] | None = None
) -> ImportResult:
    """The command-line path: read, check and import in one go, leaving an import record behind."""
    _require_importer(actor, inspection)
    data = read_upload(stream, name=name)
    plan = findings_plan_file(actor=actor, inspection=inspection, data=data, choices=choices)
    if plan.errors:
        listed = "\n".join(str(e) for e in plan.errors)
        raise ImportRefused(f"文件中有 {len(plan.errors)} 处错误，未导入任何数据：\n{listed}")
    with transaction.atomic():
        result = findings_import_plan(actor=actor, inspection=inspection, plan=plan)
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
            choices=choices or {},
        )
    return result


def findings_plan_file(
    *, actor: User, inspection: Inspection, data: bytes, choices: dict[str, Any] | None = None
) -> Plan:
    """The plan of a file, written nowhere: what ``import_findings --dry-run`` prints."""
    _require_importer(actor, inspection)
    return _plan_data(actor=actor, inspection=inspection, data=data, choices=choices or {})[0]
