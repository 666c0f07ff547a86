"""A branch secretary may download the 整改台账 of their own branch, and only of it (docs/security.md):
on the ground the secretary is the one who prints it for the branch meeting."""

import io

import openpyxl
from django.urls import reverse


def _branches_in_export(client) -> list[str]:
    response = client.get(reverse("office:register_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    column = header.index("党组织")
    return sorted({row[column] for row in sheet.iter_rows(min_row=2, values_only=True)})


def test_a_secretary_downloads_the_register_of_their_own_branch_only(world, client_for):
    for branch in (world.a1, world.b1):
        world.rectification(branch)

    assert _branches_in_export(client_for(world.sam)) == [world.a1.name]
    assert _branches_in_export(client_for(world.sara)) == [world.b1.name]
    assert _branches_in_export(client_for(world.alice)) == sorted([world.a1.name, world.b1.name])
