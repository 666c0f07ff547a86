"""Hostile input into every form: very long text, control characters, emoji, SQL and HTML fragments, dates
out of range. No response is a server error, nothing is half-saved, and what is shown back is escaped.

The forms are read from the pages themselves (every input, textarea and select), so a new field is fuzzed
without this file changing."""

from html.parser import HTMLParser

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.rectifications.models import ProgressUpdate
from partyreview.rectifications.services import followup_schedule
from tests.conftest import build_world

PAYLOAD = "<script>alert('x')</script>"
hostile = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            PAYLOAD,
            "' OR 1=1; DROP TABLE inspections_finding; --",
            "\x00\x01\x1f\x7f",
            "😀" * 300,
            "长" * 20000,
            "9999-99-99",
            "0000-01-01",
            # Valid dates whose arithmetic overflows, an id past every integer column, a digit int() refuses.
            "0001-01-01",
            "9999-12-31",
            "99999999999999999999",
            "²",
            " ".join(["整改"] * 1000),
            "-1",
            "1e309",
            "{{ 7*7 }}",
            "%(x)s %s %d",
            "\u202e\u200b",
            "",
        ]
    ),
)


class _Forms(HTMLParser):
    """Collects the first POST form's fields: name → (kind, default value, select options)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select and self._form is not None and a.get("value"):
                self._form["fields"][self._select][2].append(a["value"])
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"file", "submit", "button", "image"}:
                return
            self._form["fields"][name] = (kind, a.get("value", ""), [])
        elif tag == "textarea":
            self._form["fields"][name] = ("textarea", "", [])
        elif tag == "select":
            self._form["fields"][name] = ("select", "", [])
            self._select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if not f["action"].endswith("/logout/")]


def _fill(fields: dict, values: list[str]) -> dict:
    data, i = {}, 0
    for name, (kind, default, options) in fields.items():
        if kind in {"hidden", "checkbox", "radio"}:
            data[name] = default
        elif kind == "select":
            data[name] = options[0] if options else ""
        else:
            data[name] = values[i % len(values)]
            i += 1
    return data


class HostileInput(TestCase):
    def setUp(self) -> None:
        self.w = build_world()
        self.measure = self.w.rectification(self.w.a1, state="in_progress")
        self.submitted = self.w.rectification(self.w.a1, state="submitted")
        closed = self.w.rectification(self.w.a1, state="closed")
        (self.follow_up,) = followup_schedule(
            actor=self.w.alice, rectifications=[closed], inspector=self.w.alice, due_date=local_today()
        )
        self.staff = Client()
        self.staff.force_login(self.w.alice)
        self.secretary = Client()
        self.secretary.force_login(self.w.sam)
        self.pages = [
            (self.staff, f"/inspections/{self.w.inspection.pk}/findings/new/"),
            (self.staff, "/inspections/new/"),
            (self.staff, f"/inspections/findings/{self.measure.finding_id}/edit/"),
            (self.staff, f"/rectifications/{self.submitted.pk}/"),
            (self.staff, f"/rectifications/{self.measure.pk}/edit/"),
            (self.secretary, f"/rectifications/{self.measure.pk}/progress/"),
            (self.secretary, f"/rectifications/{self.measure.pk}/extension/"),
            (self.secretary, f"/orglife/branches/{self.w.a1.pk}/meetings/new/"),
            (self.staff, f"/rectifications/follow-ups/schedule/?inspection={self.w.inspection.pk}"),
            (self.staff, f"/rectifications/follow-ups/{self.follow_up.pk}/"),
        ]
        self.forms = []
        for client, url in self.pages:
            page = client.get(url)
            assert page.status_code == 200, url
            for form in _forms(page.content.decode()):
                self.forms.append((client, form["action"] or url, form["fields"]))
        assert len(self.forms) >= len(self.pages)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(hostile, min_size=1, max_size=6))
    def test_hostile_values_in_every_form_never_break_or_half_save(self, values: list[str]) -> None:
        for client, action, fields in self.forms:
            response = client.post(action, _fill(fields, values))
            assert response.status_code < 500, f"{action} answered {response.status_code}"
            body = response.content.decode(errors="ignore")
            assert PAYLOAD not in body, f"{action} echoed unescaped HTML"
        # Nothing half-saved: a finding never exists without its measures, progress never without its text.
        assert not Finding.objects.filter(rectifications__isnull=True, is_archived=False).exists()
        assert not ProgressUpdate.objects.filter(note="").exists()

    def test_hostile_ids_in_every_select_and_hidden_field_never_break_or_half_save(self) -> None:
        # What a hand-made POST puts where the page offers choices: ids int() refuses or no column holds.
        for value in ["²", "99999999999999999999", "-1", "0", "1.5"]:
            for client, action, fields in self.forms:
                data = _fill(fields, ["整改说明"])
                for name, (kind, _default, _options) in fields.items():
                    if kind in {"select", "hidden"} and name != "csrfmiddlewaretoken":
                        data[name] = value
                response = client.post(action, data)
                assert response.status_code < 500, f"{action} answered {response.status_code} for {value!r}"
        assert not Finding.objects.filter(rectifications__isnull=True, is_archived=False).exists()
