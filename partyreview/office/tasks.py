"""Celery tasks of the office app: thin, they load by id and call one service."""

from celery import shared_task

from partyreview.accounts.models import User
from partyreview.office.models import Export, ImportBatch
from partyreview.office.services import exports_expire as expire_exports
from partyreview.office.services import import_batch_execute, register_export_execute


@shared_task
def import_batch_run(batch_id: int, actor_id: int) -> None:
    """Import a confirmed problem list (see services.import_batch_queue for why it runs here)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = User.objects.get(pk=actor_id)
    import_batch_execute(actor=actor, batch=batch)


@shared_task
def register_export_run(export_id: int) -> None:
    """Write a register too large for a web request (services.register_export_request)."""
    register_export_execute(export=Export.objects.get(pk=export_id))


@shared_task
def exports_expire() -> None:
    """Hourly: delete the files of exports past their time."""
    expire_exports()
