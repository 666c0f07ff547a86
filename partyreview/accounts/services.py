"""Writes for users and their notifications."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from partyreview.accounts.models import Notification, User


def notification_create(*, recipients: Iterable[User], kind: str, title: str, body: str = "", url: str = "") -> int:
    """Put one in-app notification in each recipient's inbox. Returns how many were written.

    In-app delivery is always on; e-mail and group robots are the reminders app's business.
    """
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = [Notification(recipient=user, kind=kind, title=title, body=body, url=url) for user in unique.values()]
    Notification.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class NewNotification:
    recipient_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""


def notification_create_many(*, notifications: Iterable[NewNotification]) -> int:
    """Write many different notifications in one batch: the reminder sweep gives each person their own
    digest, thousands in a run. Callers pass ids of active users only."""
    rows = [
        Notification(recipient_id=n.recipient_id, kind=n.kind, title=n.title, body=n.body, url=n.url)
        for n in notifications
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    with transaction.atomic():
        qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        return qs.update(read_at=timezone.now())


def user_password_changed(*, user: User) -> None:
    """The person set a password of their own: the one-time password's restriction ends."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
