"""With the message broker unreachable, every page and every write still works: nothing a person does in
the browser waits on Celery, and what must reach the worker waits in the database for the next tick."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from partyreview.celery import app as celery_app
from partyreview.intake.models import ImportBatch, ImportStatus
from partyreview.office.models import Export, ExportStatus
from partyreview.rectifications.models import RectificationStatus
from tests.factories import pdf_upload
from tests.intake.template_workbooks import row, xlsx
from tests.intake.test_import_views import post_file

DEAD_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.fixture
def broker_down():
    """Point Celery at a broker that refuses connections, with publishing retries off, like Redis stopped."""
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "task_publish_retry")}
    celery_app.conf.update(task_always_eager=False, broker_url=DEAD_BROKER, task_publish_retry=False)
    celery_app._pool = None  # drop connections made to the previous broker
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_pages_and_lifecycle_writes_work_with_the_broker_down(
    world, client_for, broker_down, django_capture_on_commit_callbacks
):
    r = world.rectification(world.a1, state="pending")
    secretary = client_for(world.sam)
    for url in ("/", "/rectifications/my-branch/", f"/rectifications/{r.pk}/"):
        assert secretary.get(url, follow=True).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(
            reverse("rectifications:progress", args=[r.pk]),
            {"note": "已召开支委会", "version": r.version, "files": [pdf_upload()]},
        )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RectificationStatus.IN_PROGRESS
    staff = client_for(world.alice)
    for url in ("/inspections/workbench/", "/rectifications/", "/dashboard/", "/rectifications/review/"):
        assert staff.get(url).status_code == 200, url


def test_an_import_confirmed_while_the_broker_is_down_waits_with_a_reason(
    world, client_for, broker_down, django_capture_on_commit_callbacks
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert "后台任务队列暂时不可用" in batch.error
    assert "后台任务队列暂时不可用" in client.get(response["Location"]).content.decode()


def test_the_reminder_sweep_runs_with_the_broker_down_and_keeps_e_mail_for_later(world, broker_down, settings):
    from partyreview.reminders.models import Channel, Delivery, DeliveryStatus

    settings.REMINDER_EMAIL_ENABLED = True
    r = world.rectification(world.a1, state="in_progress", due_in=1)
    call_command("send_reminders")
    assert r.assignee.notifications.exists(), "in-app reminders need no broker"
    assert Delivery.objects.filter(channel=Channel.IN_APP, status=DeliveryStatus.SENT).exists()
    e_mail = Delivery.objects.filter(channel=Channel.EMAIL)
    assert e_mail.exists(), "the e-mail is claimed in the database"
    assert not e_mail.filter(status=DeliveryStatus.SENT).exists(), "and waits for the broker to return"


def test_with_the_broker_down_the_export_says_so_instead_of_waiting_forever(
    world, client_for, settings, broker_down, django_capture_on_commit_callbacks
):
    settings.OFFICE_EXPORT_ASYNC_ROWS = 2
    for _ in range(3):
        world.finding(world.a1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.alice).get(reverse("office:register_export"))

    assert response.status_code == 302

    export = Export.objects.get(owner=world.alice)
    assert export.status == ExportStatus.FAILED and "后台任务队列暂时不可用" in export.error
