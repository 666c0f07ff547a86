"""我的导出: a register larger than OFFICE_EXPORT_ASYNC_ROWS is written by the worker, shows its progress,
lands in the owner's 我的导出 with a notification, is the owner's alone, and is deleted when it expires."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Notification
from partyreview.office import services
from partyreview.office.models import Export, ExportStatus


@pytest.fixture
def small_threshold(settings):
    settings.OFFICE_EXPORT_ASYNC_ROWS = 2
    settings.OFFICE_EXPORT_KEEP_HOURS = 24


def _request_export(client, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(reverse("office:register_export"), params)


def test_a_large_register_is_written_by_the_worker_and_announced(
    world, client_for, small_threshold, django_capture_on_commit_callbacks
):
    for org in (world.a1, world.a1, world.b1):
        world.finding(org)
    client = client_for(world.alice)

    response = _request_export(client, django_capture_on_commit_callbacks)

    export = Export.objects.get(owner=world.alice)
    assert response.status_code == 302 and response["Location"] == reverse("office:export_detail", args=[export.pk])
    assert (export.status, export.rows_total, export.rows_done) == (ExportStatus.DONE, 3, 3)
    page = client.get(reverse("office:export_detail", args=[export.pk])).content.decode()
    assert "共 3 行" in page and reverse("office:export_download", args=[export.pk]) in page
    download = client.get(reverse("office:export_download", args=[export.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 4 and sheet["B2"].value == "2026年巡察"
    notice = Notification.objects.get(recipient=world.alice, kind="export_ready")
    assert notice.url == reverse("office:export_detail", args=[export.pk]) and "3 行" in notice.body
    listing = client.get(reverse("office:export_list")).content.decode()
    assert export.filename in listing and "已完成" in listing


def test_the_background_file_holds_the_filters_and_scope_of_its_owner(
    world, client_for, small_threshold, django_capture_on_commit_callbacks
):
    for org in (world.a1, world.a1, world.a1, world.b1):
        world.finding(org)

    _request_export(client_for(world.gina), django_capture_on_commit_callbacks)
    _request_export(client_for(world.alice), django_capture_on_commit_callbacks, organization=world.general_a.pk)

    assert Export.objects.get(owner=world.gina).rows_done == 3  # 机关党总支 only: b1 is outside her scope
    assert Export.objects.get(owner=world.alice).rows_done == 3  # the filter, not her whole scope


def test_a_small_register_is_still_written_in_the_request(world, client_for, small_threshold):
    world.finding(world.a1)

    response = client_for(world.alice).get(reverse("office:register_export"))

    assert response.status_code == 200 and response.streaming
    assert not Export.objects.exists()


def test_while_the_worker_writes_the_page_shows_the_progress_and_reloads(world, client_for):
    export = Export.objects.create(owner=world.alice, filename="整改台账.xlsx", rows_total=50000, rows_done=20000)
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)

    page = client_for(world.alice).get(reverse("office:export_detail", args=[export.pk])).content.decode()

    assert "已写入 20000 / 50000 行" in page
    assert 'http-equiv="refresh"' in page
    assert 'value="20000"' in page


@pytest.mark.parametrize("persona", ["gina", "leo", "sam", "root", "nobody"])
def test_no_one_but_the_owner_sees_or_downloads_an_export(
    world, client_for, small_threshold, django_capture_on_commit_callbacks, persona
):
    for _ in range(3):
        world.finding(world.a1)
    _request_export(client_for(world.alice), django_capture_on_commit_callbacks)
    export = Export.objects.get(owner=world.alice)
    other = client_for(getattr(world, persona))

    assert other.get(reverse("office:export_detail", args=[export.pk])).status_code == 404
    assert other.get(reverse("office:export_download", args=[export.pk])).status_code == 404
    assert export.filename not in other.get(reverse("office:export_list")).content.decode()


def test_an_expired_export_loses_its_file_and_answers_404(
    world, client_for, small_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        world.finding(world.a1)
    client = client_for(world.alice)
    _request_export(client, django_capture_on_commit_callbacks)
    export = Export.objects.get(owner=world.alice)
    stored = export.file.name
    storage = export.file.storage

    assert services.exports_expire(now=export.expires_at - datetime.timedelta(minutes=1)) == 0
    assert storage.exists(stored)
    with time_machine.travel(export.expires_at + datetime.timedelta(minutes=1), tick=False):
        assert services.exports_expire() == 1

    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file
    assert not storage.exists(stored)
    assert client.get(reverse("office:export_download", args=[export.pk])).status_code == 404
    assert "已过期" in client.get(reverse("office:export_detail", args=[export.pk])).content.decode()


def test_the_cleanup_runs_hourly_in_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["office-exports-expire"]
    assert entry["task"] == "partyreview.office.tasks.exports_expire" and entry["schedule"] == 3600.0


def test_a_second_delivery_of_the_task_writes_nothing_again(
    world, client_for, small_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        world.finding(world.a1)
    _request_export(client_for(world.alice), django_capture_on_commit_callbacks)
    export = Export.objects.get(owner=world.alice)
    finished = export.finished_at

    again = services.register_export_execute(export=export)

    assert again.finished_at == finished
    assert Notification.objects.filter(recipient=world.alice, kind="export_ready").count() == 1


def test_an_export_the_worker_never_finished_is_marked_failed_after_a_day(world):
    export = Export.objects.create(owner=world.alice, filename="整改台账.xlsx", rows_total=30000)
    Export.objects.filter(pk=export.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))

    services.exports_expire()

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "一天内" in export.error
