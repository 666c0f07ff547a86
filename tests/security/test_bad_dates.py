"""Dates a person can type but no deadline can be: answered in Chinese on the form, never a 500.

Alice (staff) moves a measure's deadline to 0001-01-01 (its warning day would be before the first day
Python knows); Sam (secretary) asks to extend one to 9999-12-31."""

from django.test import Client

from partyreview.rectifications.models import Rectification


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_deadline_at_the_first_day_python_knows_is_refused_in_chinese(world):
    measure = world.rectification(world.a1, state="in_progress")
    response = _signed_in(world.alice).post(
        f"/rectifications/{measure.pk}/edit/",
        {
            "measure": measure.measure,
            "kind": measure.kind,
            "assignee": measure.assignee_id,
            "due_date": "0001-01-01",
            "version": measure.version,
        },
    )
    assert response.status_code == 200
    assert "日期应在 1900-01-01 至 2199-12-31 之间。" in response.content.decode()
    assert Rectification.objects.get(pk=measure.pk).due_date == measure.due_date


def test_an_extension_to_the_last_day_python_knows_is_refused_in_chinese(world):
    measure = world.rectification(world.a1, state="in_progress")
    response = _signed_in(world.sam).post(
        f"/rectifications/{measure.pk}/extension/",
        {"new_due_date": "9999-12-31", "reason": "人员调整", "version": measure.version},
    )
    assert response.status_code == 200
    assert "日期应在 1900-01-01 至 2199-12-31 之间。" in response.content.decode()
    assert not measure.extension_requests.exists()
