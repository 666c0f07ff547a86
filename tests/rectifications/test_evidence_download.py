"""Evidence is opened only through the download view: scoped, never rendered as a page."""

import io
from urllib.parse import quote

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partyreview.rectifications import services
from partyreview.rectifications.models import Evidence
from tests.factories import pdf_upload, png_upload


def _evidence(world, upload) -> Evidence:
    r = world.rectification(world.a1)
    update = services.rectification_record_progress(actor=world.sam, rectification=r, note="上传", files=[upload])
    return update.evidence.get()


def _url(evidence: Evidence) -> str:
    return reverse("rectifications:evidence_download", args=[evidence.pk])


def _word() -> SimpleUploadedFile:
    body = io.BytesIO()
    docx.Document().save(body)
    return SimpleUploadedFile("支部工作制度.docx", body.getvalue(), content_type="application/msword")


@pytest.mark.parametrize(
    ("upload", "content_type", "disposition"),
    [
        (pdf_upload("整改报告.pdf"), "application/pdf", "inline"),
        (png_upload("签到表.png"), "image/png", "inline"),
        (
            _word(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
        ),
    ],
    ids=["pdf", "png", "docx"],
)
def test_download_headers(world, client_for, upload, content_type, disposition):
    name = upload.name
    evidence = _evidence(world, upload)
    response = client_for(world.sam).get(_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(disposition)
    # RFC 5987: the Chinese name survives the header.
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    with evidence.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_a_stored_type_outside_the_allowed_list_is_sent_as_opaque_bytes(world, client_for):
    evidence = _evidence(world, pdf_upload("报告.pdf"))
    Evidence.objects.filter(pk=evidence.pk).update(content_type="text/html", original_name="报告.html")
    response = client_for(world.sam).get(_url(evidence))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("persona", "status"), [("sara", 404), ("mona", 404), ("nobody", 404), ("gina", 200)])
def test_another_branch_cannot_download(world, client_for, persona, status):
    evidence = _evidence(world, pdf_upload())
    assert client_for(getattr(world, persona)).get(_url(evidence)).status_code == status


def test_missing_evidence_and_missing_file_answer_404(world, client_for):
    evidence = _evidence(world, pdf_upload())
    client = client_for(world.sam)
    assert client.get(reverse("rectifications:evidence_download", args=[evidence.pk + 100])).status_code == 404
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(_url(evidence)).status_code == 404


def test_download_is_read_only(world, client_for):
    evidence = _evidence(world, pdf_upload())
    assert client_for(world.sam).post(_url(evidence)).status_code == 405
