"""Hostile cells in an uploaded problem list: whatever a row holds, the importer answers with its Chinese
row messages or imports cleanly — it never fails with an unexpected error, never half-imports, and what the
preview page shows back is escaped. And damaged files (parts cut short, bytes flipped, sizes that lie) get
a Chinese answer from the finding import and the roster import, never a 500."""

import io
import re

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from partyreview.inspections.models import Finding
from partyreview.office.importers import HEADERS
from partyreview.orglife.models import PartyMember
from partyreview.rectifications.models import Rectification
from tests.common import hostile_workbooks as hostile
from tests.conftest import build_world
from tests.office.workbooks import row, xlsx
from tests.security.test_spreadsheet_paths import roster_bytes

SHEET_PARTS = (hostile.SHEET, "xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")
XML_JUNK = (
    "<",
    "</row>",
    '<c r="ZZZZ1"><v>1</v></c>',
    "&undefined;",
    '<row r="0"/>',
    "\x00",
    "<v>x</v>",
    '<c t="s"><v>99999</v></c>',
)
CHINESE = re.compile(r"[\u4e00-\u9fff]{4,}")

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
        response = self.client.post(reverse("office:import"), {"inspection": self.w.inspection.pk, "file": upload})
        assert response.status_code < 500
        if response.status_code == 302:
            preview = self.client.get(response["Location"])
            assert preview.status_code == 200
            assert PAYLOAD not in preview.content.decode()
        # Nothing is imported before a person confirms the preview.
        assert not Finding.objects.exists()
        assert not Rectification.objects.exists()


# ---- damaged and lying files ------------------------------------------------------------------------
# Whatever a sender does to a workbook's bytes — cut a part short, flip bytes in its XML, change what the
# zip says an entry's size is — the finding import and the roster import answer with a Chinese message
# (or import it, if it is still a good workbook), never a 500 and never a half-save.

damage = st.one_of(
    st.tuples(st.just("truncate"), st.sampled_from(SHEET_PARTS), st.floats(min_value=0.0, max_value=0.99)),
    st.tuples(st.just("flip"), st.sampled_from(SHEET_PARTS), st.lists(st.integers(0, 10**6), min_size=1, max_size=8)),
    st.tuples(st.just("insert"), st.sampled_from(SHEET_PARTS), st.sampled_from(XML_JUNK)),
    st.tuples(st.just("declare"), st.sampled_from(SHEET_PARTS), st.integers(min_value=0, max_value=2**32 - 1)),
)


def damaged(data: bytes, how: tuple) -> bytes:
    kind, part, arg = how
    if kind == "declare":
        return hostile.lying_size(data, declared=arg) if part == hostile.SHEET else data
    entries = hostile.entries_of(data)
    body = bytearray(entries.get(part, b""))
    if kind == "truncate":
        body = body[: int(len(body) * arg)]
    elif kind == "flip":
        for at in arg:
            if body:
                body[at % len(body)] ^= 0x5A
    else:
        middle = len(body) // 2
        body[middle:middle] = arg.encode()
    entries[part] = bytes(body)
    return hostile.zip_of(entries)


class DamagedProblemList(TestCase):
    # One test per class: the world built in setUp lives as long as the class (as in HostileImport above).
    def setUp(self) -> None:
        self.w = build_world()
        self.staff = Client()
        self.staff.force_login(self.w.alice)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(damage)
    def test_a_damaged_problem_list_gets_a_chinese_answer(self, how: tuple) -> None:
        upload = io.BytesIO(damaged(xlsx(row()), how))
        upload.name = "问题清单.xlsx"
        response = self.staff.post(reverse("office:import"), {"inspection": self.w.inspection.pk, "file": upload})
        assert response.status_code in {200, 302}
        if response.status_code == 200:
            assert CHINESE.search(response.content.decode())
        assert not Finding.objects.exists()


class DamagedRoster(TestCase):
    def setUp(self) -> None:
        self.w = build_world()
        self.secretary = Client()
        self.secretary.force_login(self.w.sam)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(damage)
    def test_a_damaged_roster_gets_a_chinese_answer(self, how: tuple) -> None:
        upload = io.BytesIO(damaged(roster_bytes(), how))
        upload.name = "名册.xlsx"
        response = self.secretary.post(
            reverse("orglife:member_import", args=[self.w.a1.pk]), {"file": upload}, follow=True
        )
        assert response.status_code == 200
        imported = PartyMember.objects.count()
        assert imported in {0, 30}  # all rows or none
        if not imported:
            assert any(CHINESE.search(str(m)) for m in response.context["messages"])
