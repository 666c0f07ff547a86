"""Sam records progress on A1's measure from his phone: a note and several files at once."""

import datetime

import pytest
from django.urls import reverse

from partyreview.rectifications import services
from partyreview.rectifications.models import Evidence, ProgressUpdate, RectificationStatus
from tests.factories import pdf_upload, png_upload


def _progress_url(r) -> str:
    return reverse("rectifications:progress", args=[r.pk])


def test_first_progress_moves_pending_to_in_progress_with_all_files(world, client_for):
    r = world.rectification(world.a1)
    assert r.status == RectificationStatus.PENDING
    response = client_for(world.sam).post(
        _progress_url(r),
        {
            "note": "已召开支委会研究整改",
            "version": r.version,
            "files": [pdf_upload("方案.pdf"), png_upload("签到表.png")],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("rectifications:detail", args=[r.pk])
    r.refresh_from_db()
    assert r.status == RectificationStatus.IN_PROGRESS
    update = ProgressUpdate.objects.get(rectification=r)
    assert (update.note, update.author) == ("已召开支委会研究整改", world.sam)
    names = sorted(update.evidence.values_list("original_name", "content_type"))
    assert names == [("方案.pdf", "application/pdf"), ("签到表.png", "image/png")]


def test_camera_photo_and_chosen_files_arrive_together(world, client_for):
    """The camera input and the file input share the name ``files``; both reach the service."""
    r = world.rectification(world.a1)
    client_for(world.mike).post(
        _progress_url(r),
        {"note": "拍照上传会议记录", "version": r.version, "files": [png_upload("IMG_0001.png"), pdf_upload()]},
    )
    assert Evidence.objects.filter(rectification=r).count() == 2


def test_progress_without_files_is_allowed(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    response = client_for(world.sam).post(_progress_url(r), {"note": "正在整理会议记录", "version": r.version})
    assert response.status_code == 302
    assert r.progress_updates.count() == 2


def test_progress_needs_a_note(world, client_for):
    r = world.rectification(world.a1)
    response = client_for(world.sam).post(
        _progress_url(r), {"note": "  ", "version": r.version, "files": [pdf_upload()]}
    )
    assert response.status_code == 200
    assert "请填写进展情况" in response.content.decode()
    assert not ProgressUpdate.objects.filter(rectification=r).exists()
    assert not Evidence.objects.exists()


def test_progress_form_carries_the_version(world, client_for):
    r = world.rectification(world.a1)
    html = client_for(world.sam).get(_progress_url(r)).content.decode()
    assert f'name="version" value="{r.version}"' in html
    assert "multiple" in html
    assert 'capture="environment"' in html
    assert 'accept="image/*,application/pdf' in html


def test_stale_progress_form_is_refused_saying_what_changed(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    loaded_version = r.version
    # While Sam types, Mike records progress too.
    services.rectification_record_progress(actor=world.mike, rectification=r, note="马可的进展")
    before = ProgressUpdate.objects.count()
    response = client_for(world.sam).post(
        _progress_url(r), {"note": "孙山的进展", "version": loaded_version, "files": [pdf_upload()]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "马可" in html
    assert "填报进展" in html
    assert "您的内容未保存" in html
    assert ProgressUpdate.objects.count() == before
    assert not Evidence.objects.filter(progress_update__note="孙山的进展").exists()
    # What Sam typed is kept, and the form now carries the version he has just been shown.
    assert "孙山的进展" in html
    r.refresh_from_db()
    assert f'name="version" value="{r.version}"' in html


def test_stale_extension_form_is_refused_after_staff_moved_the_deadline(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    loaded_version = r.version
    services.rectification_update(
        actor=world.alice, rectification=r, due_date=r.due_date + datetime.timedelta(days=10), reason="统一时限"
    )
    response = client_for(world.sam).post(
        reverse("rectifications:extension_request", args=[r.pk]),
        {
            "new_due_date": (r.due_date + datetime.timedelta(days=60)).isoformat(),
            "reason": "人员调整",
            "version": loaded_version,
        },
    )
    html = response.content.decode()
    assert "王爱丽" in html
    assert "修改整改时限" in html
    assert not r.extension_requests.exists()


@pytest.mark.parametrize("state", ["pending", "in_progress", "returned"])
def test_returned_reason_is_shown_on_the_form(world, client_for, state):
    r = world.rectification(world.a1, state=state)
    html = client_for(world.sam).get(_progress_url(r)).content.decode()
    assert ("退回原因" in html) == (state == "returned")
