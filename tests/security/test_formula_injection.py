"""Formula injection: every .xlsx the app writes keeps names users gave as text (partyreview/common/xlsx.py).

One test per writer, each fed the hostile names of tests/hostile_cells.py through the app's own pages;
the register's test is in tests/office/test_register_export.py.
"""

from io import BytesIO

import openpyxl
from django.urls import reverse

from partyreview.inspections.models import Category, Inspection
from partyreview.organizations.models import Organization
from tests.hostile_cells import HOSTILE, formulas_in, texts_in


def _hostile_names(world) -> None:
    Inspection.objects.filter(pk=world.inspection.pk).update(title=HOSTILE[0])
    Organization.objects.filter(pk=world.a1.pk).update(name=HOSTILE[1])
    Organization.objects.filter(pk=world.general_a.pk).update(name=HOSTILE[7])
    Category.objects.filter(code="meeting_lapses").update(name=HOSTILE[2])
    Category.objects.filter(code="dues_arrears").update(name=HOSTILE[8])


def test_the_dashboard_export_writes_hostile_inspection_organisation_and_category_names_as_text(world, client_for):
    _hostile_names(world)
    world.rectification(world.a1, state="closed")
    world.finding(world.a1, category="dues_arrears")

    response = client_for(world.leo).get(reverse("dashboards:export"))

    assert response.status_code == 200
    assert formulas_in(response.content) == []
    assert {HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[8]} <= texts_in(response.content)
    book = openpyxl.load_workbook(BytesIO(response.content))
    hostile_cells = [
        cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value in HOSTILE
    ]
    assert hostile_cells and all(cell.quotePrefix for cell in hostile_cells)


def test_the_import_template_writes_hostile_organisation_and_category_names_as_text(world, client_for):
    _hostile_names(world)

    response = client_for(world.alice).get(reverse("intake:template"))
    data = b"".join(response.streaming_content)

    assert formulas_in(data) == []
    assert {HOSTILE[1], HOSTILE[2], HOSTILE[8]} <= texts_in(data)


def test_the_roster_and_dues_templates_hold_no_formula(world, client_for):
    for kind in ("members", "dues"):
        response = client_for(world.alice).get(reverse("orglife:import_template", args=[kind]))
        data = response.content if not response.streaming else b"".join(response.streaming_content)

        assert response.status_code == 200
        assert formulas_in(data) == []
        assert texts_in(data)
