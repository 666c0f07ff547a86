from celery import shared_task

from partyreview.common.services import heartbeat_record


@shared_task
def heartbeat() -> None:
    """Beat schedules this every minute; the admin shows the last run, proving worker and beat live."""
    heartbeat_record(name="worker")
