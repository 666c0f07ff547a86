"""Celery tasks of the reminders: thin, they take ids and call one service each.

Beat runs ``reminders_tick`` every REMINDER_TICK_SECONDS; the sweep queues one ``deliver_*`` task per
e-mail or webhook delivery after its transaction commits. A send that fails for a transient reason
raises ``RetryLater``, and Celery retries it with exponential backoff; the service counts the attempts
on the delivery row and records the final error itself, so the task never needs a give-up handler.
"""

import datetime

from celery import shared_task
from django.conf import settings

from partyreview.accounts.models import User
from partyreview.reminders import services
from partyreview.reminders.models import SweepTrigger

RETRY_OPTIONS = {
    "autoretry_for": (services.RetryLater,),
    "retry_backoff": settings.REMINDER_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS,
    "retry_jitter": True,
    # The delivery row's own attempt count decides when to stop (REMINDER_SEND_MAX_ATTEMPTS).
    "max_retries": None,
}


@shared_task
def reminders_tick() -> None:
    services.reminders_tick()


@shared_task
def reminders_sweep(day: str | None = None, trigger: str = SweepTrigger.SCHEDULE, actor_id: int | None = None) -> None:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    services.reminders_sweep(
        day=datetime.date.fromisoformat(day) if day else None,
        trigger=trigger,
        actor=actor,
    )


@shared_task(**RETRY_OPTIONS)
def deliver_email(delivery_id: int) -> None:
    services.delivery_send(delivery_id=delivery_id)


@shared_task(**RETRY_OPTIONS)
def deliver_webhook(delivery_id: int) -> None:
    services.delivery_send(delivery_id=delivery_id)
