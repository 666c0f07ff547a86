"""Celery tasks of the office app: thin, they load by id and call one service."""

from celery import shared_task

from partyreview.office.models import Export
from partyreview.office.services import exports_expire as expire_exports
from partyreview.office.services import register_export_execute


@shared_task
def register_export_run(export_id: int) -> None:
    """Write a register too large for a web request (services.register_export_request)."""
    register_export_execute(export=Export.objects.get(pk=export_id))


@shared_task
def exports_expire() -> None:
    """Hourly: delete the files of exports past their time."""
    expire_exports()
