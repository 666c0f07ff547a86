"""Sam asks for more time: a date later than the current deadline and a reason; staff decide."""

import datetime

import pytest
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services
from partyreview.rectifications.models import ExtensionRequest, ExtensionStatus
from partyreview.rectifications.selectors import rectification_timeline


def _url(r) -> str:
    return reverse("rectifications:extension_request", args=[r.pk])


def _post(client, r, new_due_date: datetime.date, reason: str = "需待党总支批复"):
    return client.post(_url(r), {"new_due_date": new_due_date.isoformat(), "reason": reason, "version": r.version})


def test_extension_request_leaves_the_deadline_until_approved(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    due = r.due_date
    response = _post(client_for(world.sam), r, due + datetime.timedelta(days=30))
    assert response.status_code == 302
    ext = ExtensionRequest.objects.get()
    assert (ext.status, ext.previous_due_date, ext.requested_by) == (ExtensionStatus.PENDING, due, world.sam)
    r.refresh_from_db()
    assert r.due_date == due
    services.extension_decide(actor=world.alice, extension=ext, approve=True)
    r.refresh_from_db()
    assert (r.due_date, r.original_due_date) == (due + datetime.timedelta(days=30), due)
    # The request and its decision stay in the timeline.
    titles = [e.title for e in rectification_timeline(r)]
    assert f"申请延期至 {r.due_date:%Y-%m-%d}" in titles
    assert "延期申请已批准" in titles


@pytest.mark.parametrize("days", [0, -5])
def test_extension_to_a_date_not_later_is_refused_with_message(world, client_for, days):
    r = world.rectification(world.a1, state="in_progress")
    response = _post(client_for(world.sam), r, r.due_date + datetime.timedelta(days=days))
    assert response.status_code == 200
    assert f"申请的新时限须晚于当前整改时限（{r.due_date:%Y-%m-%d}）" in response.content.decode()
    assert not ExtensionRequest.objects.exists()
    with pytest.raises(ActionRefused, match="须晚于当前整改时限"):
        services.extension_request(
            actor=world.sam, rectification=r, new_due_date=r.due_date + datetime.timedelta(days=days), reason="x"
        )


def test_overdue_measure_cannot_be_extended_into_the_past(world, client_for):
    r = world.rectification(world.a1, state="in_progress", due_in=-8)
    response = _post(client_for(world.sam), r, local_today() - datetime.timedelta(days=2))
    assert "不能早于今天" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_extension_needs_a_reason(world, client_for):
    r = world.rectification(world.a1)
    response = _post(client_for(world.sam), r, r.due_date + datetime.timedelta(days=10), reason="")
    assert "请填写延期理由" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_only_one_request_waits_at_a_time(world, client_for):
    r = world.rectification(world.a1)
    client = client_for(world.sam)
    _post(client, r, r.due_date + datetime.timedelta(days=10))
    response = client.get(_url(r), follow=True)
    assert "已有一份延期申请等待审批" in response.content.decode()
    response = _post(client, r, r.due_date + datetime.timedelta(days=20))
    assert "已有一份延期申请等待审批" in response.content.decode()
    assert ExtensionRequest.objects.count() == 1


def test_the_service_itself_refuses_a_new_deadline_in_the_past(world):
    # The rule lives in extension_request, so the admin, commands and tasks are held to it as the form is.
    r = world.rectification(world.a1, state="in_progress", due_in=-8)
    with pytest.raises(ActionRefused, match="不能早于今天"):
        services.extension_request(
            actor=world.sam, rectification=r, new_due_date=local_today() - datetime.timedelta(days=1), reason="待批复"
        )
    assert not ExtensionRequest.objects.exists()
