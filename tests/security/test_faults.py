"""A database error in the middle of a multi-step action leaves nothing half-written."""

import datetime

import pytest
from django.db import DatabaseError

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.rectifications import services
from partyreview.rectifications.models import Evidence, ProgressUpdate, Rectification
from tests.factories import pdf_upload


def test_a_failure_while_saving_the_second_measure_leaves_no_finding_and_no_first_measure(world, monkeypatch):
    real_save = Rectification.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise DatabaseError("连接中断（模拟）")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Rectification, "save", failing_save)
    with pytest.raises(DatabaseError):
        services.finding_file(
            actor=world.alice,
            inspection=world.inspection,
            organization=world.a1,
            category=world.category(),
            description="多步操作中途失败",
            found_on=local_today(),
            measures=[
                services.MeasureInput(
                    measure=f"措施{i}", assignee=world.mike, due_date=local_today() + datetime.timedelta(days=9)
                )
                for i in range(2)
            ],
        )
    assert not Finding.objects.filter(description="多步操作中途失败").exists()
    assert not Rectification.objects.exists()
    assert Finding.history.filter(description="多步操作中途失败").count() == 0


def test_a_failure_after_files_were_stored_removes_the_files_and_the_update(world, monkeypatch, settings):
    r = world.rectification(world.a1, state="pending")
    media = settings.MEDIA_ROOT
    before = {p for p in media.rglob("*") if p.is_file()}

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("写入失败（模拟）")

    monkeypatch.setattr(Rectification, "save", failing_save)
    with pytest.raises(DatabaseError):
        services.rectification_record_progress(
            actor=world.sam, rectification=r, note="带附件的进展", files=[pdf_upload("a.pdf"), pdf_upload("b.pdf")]
        )
    assert not ProgressUpdate.objects.filter(note="带附件的进展").exists()
    assert Evidence.objects.filter(rectification=r).count() == 0
    after = {p for p in media.rglob("*") if p.is_file()}
    assert after == before, "files stored before the failure are removed again"
