"""Form errors speak of the content, never of a 变量 (locale/zh_Hans/LC_MESSAGES/django.po)."""

from django import forms
from django.utils import translation


class _Note(forms.Form):
    note = forms.CharField(max_length=5, min_length=2)


def test_too_long_and_too_short_text_are_said_as_content_not_variable():
    with translation.override("zh-hans"):
        long = _Note({"note": "一二三四五六"})
        short = _Note({"note": "一"})
        assert long.errors["note"] == ["内容不能超过 5 个字（现有 6 个）。"]
        assert short.errors["note"] == ["内容至少应有 2 个字（现有 1 个）。"]


def test_a_page_shows_the_project_wording_for_an_over_long_progress_note(world):
    from django.test import Client

    measure = world.rectification(world.a1, state="in_progress")
    sam = Client()
    sam.force_login(world.sam)
    response = sam.post(f"/rectifications/{measure.pk}/progress/", {"note": "长" * 5001, "version": measure.version})
    body = response.content.decode()
    assert "内容不能超过 5000 个字" in body
    assert "变量" not in body
