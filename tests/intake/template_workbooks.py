"""Build import workbooks the way a user would: start from the downloaded template, then fill rows."""

import datetime
import io

import openpyxl

from partyreview.inspections.models import Category
from partyreview.intake.importers import DATA_SHEET, HEADERS, build_template
from partyreview.organizations.models import Organization

# Fixed dates: the intake tests pin the clock at 2026-11-04 (tests/intake/conftest.py).
FOUND = datetime.date(2026, 10, 30)
DUE = datetime.date(2026, 12, 4)


def template_bytes() -> bytes:
    return build_template(
        categories=list(Category.objects.filter(is_active=True)),
        organizations=list(Organization.objects.filter(is_active=True)),
    )


def row(**cells: object) -> dict[str, object]:
    """A valid row for the ``world`` personas (a measure for 机关第一党支部, assigned to Mike); override any cell."""
    values: dict[str, object] = {
        "序号": 1,
        "党组织": "机关第一党支部",
        "问题类别": '"三会一课"落实不到位',
        "严重程度": "较重",
        "问题描述": "支部未按期召开党员大会",
        "依据": "《中国共产党支部工作条例（试行）》第十一条",
        "发现日期": FOUND,
        "整改措施": "制定季度会议计划",
        "整改类型": "限期整改",
        "责任领导": "leo",
        "责任人": "mike",
        "整改时限": DUE,
    }
    values.update(cells)
    return values


def workbook(*rows: dict[str, object]) -> openpyxl.Workbook:
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    ws = wb[DATA_SHEET]
    for values in rows:
        ws.append([values.get(h) for h in HEADERS])
    return wb


def to_bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx(*rows: dict[str, object]) -> bytes:
    """Template + rows, as the bytes of an .xlsx file. Data rows start at Excel row 3 (row 2 is the example)."""
    return to_bytes(workbook(*rows))
