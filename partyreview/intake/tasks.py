"""Celery tasks of the intake app: thin, they load by id and call one service."""

from celery import shared_task

from partyreview.accounts.models import User
from partyreview.intake.models import ImportBatch
from partyreview.intake.services import import_batch_execute


@shared_task
def import_batch_run(batch_id: int, actor_id: int) -> None:
    """Import a confirmed problem list (see services.import_batch_queue for why it runs here)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = User.objects.get(pk=actor_id)
    import_batch_execute(actor=actor, batch=batch)
