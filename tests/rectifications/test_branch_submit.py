"""Sam asks for 销号: a summary and at least one evidence file; then the measure waits for staff."""

import pytest
from django.urls import reverse

from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services
from partyreview.rectifications.models import Evidence, ProgressKind, RectificationStatus
from tests.factories import pdf_upload


def _submit_url(r) -> str:
    return reverse("rectifications:submit", args=[r.pk])


def _in_progress_without_evidence(world):
    r = world.rectification(world.a1)
    services.rectification_record_progress(actor=world.sam, rectification=r, note="口头汇报，暂无材料")
    r.refresh_from_db()
    return r


def test_submit_with_summary_and_file_waits_for_review(world, client_for):
    r = _in_progress_without_evidence(world)
    response = client_for(world.sam).post(
        _submit_url(r), {"summary": "已整改完毕", "version": r.version, "files": [pdf_upload("会议记录.pdf")]}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.status, r.submitted_by, r.submission_summary) == (RectificationStatus.SUBMITTED, world.sam, "已整改完毕")
    assert r.progress_updates.filter(kind=ProgressKind.SUBMISSION).get().evidence.get().original_name == "会议记录.pdf"


def test_submit_without_any_evidence_is_refused(world, client_for):
    r = _in_progress_without_evidence(world)
    response = client_for(world.sam).post(_submit_url(r), {"summary": "已整改完毕", "version": r.version})
    assert response.status_code == 200
    assert "申请销号须至少上传一份佐证材料" in response.content.decode()
    r.refresh_from_db()
    assert r.status == RectificationStatus.IN_PROGRESS
    assert not r.progress_updates.filter(kind=ProgressKind.SUBMISSION).exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(ActionRefused, match="至少上传一份佐证材料"):
        services.rectification_submit(actor=world.sam, rectification=r, summary="已整改完毕")


def test_evidence_uploaded_with_earlier_progress_counts(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    page = client_for(world.sam).get(_submit_url(r)).content.decode()
    assert "已上传的佐证材料（1 份）" in page
    response = client_for(world.sam).post(_submit_url(r), {"summary": "已整改完毕", "version": r.version})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RectificationStatus.SUBMITTED


def test_submit_needs_a_summary(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    response = client_for(world.sam).post(
        _submit_url(r), {"summary": "", "version": r.version, "files": [pdf_upload()]}
    )
    assert "请填写整改情况说明" in response.content.decode()
    assert Evidence.objects.filter(rectification=r).count() == 1


def test_pending_measure_asks_for_progress_first(world, client_for):
    r = world.rectification(world.a1)
    response = client_for(world.sam).get(_submit_url(r), follow=True)
    assert "请先填报整改进展" in response.content.decode()


def test_returned_measure_can_be_submitted_again(world, client_for):
    r = world.rectification(world.a1, state="returned")
    response = client_for(world.mike).post(
        _submit_url(r), {"summary": "已补充签到表", "version": r.version, "files": [pdf_upload("签到表.pdf")]}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RectificationStatus.SUBMITTED


def test_stale_submit_is_refused(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    loaded_version = r.version
    services.rectification_submit(actor=world.mike, rectification=r, summary="马可先提交了", files=[pdf_upload()])
    response = client_for(world.sam).post(
        _submit_url(r), {"summary": "孙山也提交", "version": loaded_version, "files": [pdf_upload()]}
    )
    html = response.content.decode()
    assert "马可" in html
    assert "申请销号" in html
    assert "待审核" in html
    r.refresh_from_db()
    assert r.submission_summary == "马可先提交了"
    assert Evidence.objects.filter(rectification=r).count() == 2
