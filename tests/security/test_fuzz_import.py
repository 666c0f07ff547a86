"""Hostile cells in an uploaded problem list: whatever a row holds, the importer answers with its Chinese
row messages or imports cleanly — it never fails with an unexpected error, never half-imports, and what the
preview page shows back is escaped."""

import io

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from partyreview.inspections.models import Finding
from partyreview.intake.importers import HEADERS
from partyreview.rectifications.models import Rectification
from tests.conftest import build_world
from tests.intake.template_workbooks import row, xlsx

PAYLOAD = "<script>alert('x')</script>"
cell = st.one_of(
    st.none(),
    # Control characters cannot be stored in a worksheet at all (a spreadsheet program would refuse them too).
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40).filter(
        lambda t: not t.startswith(("=", "+", "-", "@"))
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([PAYLOAD, "' OR 1=1 --", "😀" * 200, "长" * 5000, "2026-13-45", "0", "   ", "\t"]),
)


class HostileImport(TestCase):
    def setUp(self) -> None:
        self.w = build_world()
        self.client = Client()
        self.client.force_login(self.w.alice)

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.dictionaries(st.sampled_from(HEADERS), cell, max_size=5), min_size=1, max_size=3))
    def test_hostile_cells_never_break_the_import_or_half_save(self, overrides: list[dict]) -> None:
        rows = [row(**{k: v for k, v in o.items() if k != "序号"}, 序号=i + 1) for i, o in enumerate(overrides)]
        upload = io.BytesIO(xlsx(*rows))
        upload.name = "问题清单.xlsx"
        response = self.client.post(reverse("intake:start"), {"inspection": self.w.inspection.pk, "file": upload})
        assert response.status_code < 500
        if response.status_code == 302:
            preview = self.client.get(response["Location"])
            assert preview.status_code == 200
            assert PAYLOAD not in preview.content.decode()
        # Nothing is imported before a person confirms the preview.
        assert not Finding.objects.exists()
        assert not Rectification.objects.exists()
