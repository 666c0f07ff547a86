"""The 整改台账 export: standard columns, real dates, lights as colours, the list's filters and scope,
text that never turns into a formula, a fixed number of queries, and a file LibreOffice opens."""

import csv
import datetime
import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partyreview.common.dates import local_today
from partyreview.office.exporters import REGISTER_COLUMNS
from partyreview.rectifications import services
from partyreview.rectifications.models import ProgressUpdate
from tests.factories import FindingFactory, RectificationFactory
from tests.hostile_cells import HOSTILE, formulas_in
from tests.office.libreoffice import CSV_UTF8, convert

HEADERS = [h for h, _w in REGISTER_COLUMNS]


def export(client, **params) -> openpyxl.Workbook:
    response = client.get(reverse("office:register_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(wb: openpyxl.Workbook) -> list[dict[str, object]]:
    ws = wb.active
    return [dict(zip(HEADERS, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def test_the_register_has_the_standard_columns_real_dates_and_the_light_as_a_colour(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    closed = world.rectification(world.b1, state="closed")
    overdue = world.finding(world.a1, due_in=-3, description="逾期的问题").rectifications.get()

    wb = export(client_for(world.alice))

    ws = wb.active
    assert ws.title == "整改台账"
    assert [c.value for c in ws[1]] == HEADERS
    assert HEADERS[:12] == [
        "序号",
        "检查名称",
        "党组织",
        "问题类别",
        "问题描述",
        "整改措施",
        "责任领导",
        "责任人",
        "整改时限",
        "整改进展",
        "状态",
        "销号日期",
    ]
    assert ws.freeze_panes == "A2"
    # Stored as Excel stores a width it shows as "40": the characters plus the cell's padding.
    assert 40 <= ws.column_dimensions["E"].width < 41
    by_measure = {(row["党组织"], row["问题描述"]): row for row in rows_of(wb)}
    row = by_measure[("机关第一党支部", "支部未按期召开党员大会")]
    assert row["整改进展"] == "已开展整改"
    assert row["状态"] == "整改中"
    assert row["整改时限"] == datetime.datetime.combine(r.due_date, datetime.time())
    assert row["责任领导"] == "李利奥" and row["责任人"] == "马可"
    done = by_measure[("生产第一党支部", "支部未按期召开党员大会")]
    assert done["状态"] == "已销号（按期完成）"  # with its timeliness, the one rule
    assert done["销号日期"] == datetime.datetime.combine(local_today(), datetime.time())
    assert done["整改进展"] == "整改完成"  # the latest note: the submission summary
    assert by_measure[("机关第一党支部", "逾期的问题")]["红黄绿灯"] == "红灯"
    assert HEADERS[12:] == ["红黄绿灯", "责任部门"]
    assert [row["序号"] for row in rows_of(wb)] == [1, 2, 3]

    cells = {ws.cell(row=i, column=5).value: ws[i] for i in range(2, 5)}
    overdue_row = cells["逾期的问题"]
    assert overdue_row[12].fill.fgColor.rgb.endswith("FFC7CE")  # red
    assert overdue_row[8].number_format == "yyyy-mm-dd"
    assert overdue_row[8].is_date
    assert overdue_row[4].alignment.wrap_text
    assert overdue.due_date < local_today() and closed.is_closed


def test_the_export_honours_the_lists_filters(world, client_for):
    world.rectification(world.a1, state="in_progress")
    world.rectification(world.b1, state="closed")
    world.rectification(world.a1, state="pending")
    client = client_for(world.alice)

    only_b1 = rows_of(export(client, organization=world.general_b.pk))
    only_closed = rows_of(export(client, status="closed"))
    keyword = rows_of(export(client, q="整改措施1", organization=world.a1.pk, status=["pending", "in_progress"]))

    assert [r["党组织"] for r in only_b1] == ["生产第一党支部"]
    assert [r["状态"] for r in only_closed] == ["已销号（按期完成）"]
    assert sorted(r["状态"] for r in keyword) == ["待整改", "整改中"]


def test_the_export_holds_only_what_the_user_may_see(world, client_for):
    world.rectification(world.a1)
    world.rectification(world.b1)

    gina = rows_of(export(client_for(world.gina)))
    sara = rows_of(export(client_for(world.sara)))
    nobody = rows_of(export(client_for(world.nobody)))

    assert [r["党组织"] for r in gina] == ["机关第一党支部"]
    assert [r["党组织"] for r in sara] == ["生产第一党支部"]
    assert nobody == []


def test_text_that_looks_like_a_formula_is_written_as_text(world, client_for):
    world.inspection.__class__.objects.filter(pk=world.inspection.pk).update(title=HOSTILE[0])
    world.a1.__class__.objects.filter(pk=world.a1.pk).update(name=HOSTILE[1])
    world.category().__class__.objects.filter(code="meeting_lapses").update(name=HOSTILE[2])
    for text in HOSTILE:
        r = world.finding(world.a1, description=text).rectifications.get()
        services.rectification_update(actor=world.alice, rectification=r, measure=text)
        services.rectification_record_progress(actor=world.mike, rectification=r, note=text)
    response = client_for(world.alice).get(reverse("office:register_export"))
    data = b"".join(response.streaming_content)

    assert formulas_in(data) == []
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for row in rows_of(wb):
        assert (row["检查名称"], row["党组织"], row["问题类别"]) == HOSTILE[:3]
        assert row["问题描述"] in {text.strip() for text in HOSTILE}  # the forms strip the edges
        assert row["整改措施"] == row["问题描述"] == row["整改进展"]
    quoted = [c for r in wb.active.iter_rows(min_row=2) for c in r[1:6] if isinstance(c.value, str)]
    assert quoted and all(c.quotePrefix for c in quoted)


def test_control_characters_in_user_text_do_not_break_the_file(world, client_for):
    world.finding(world.a1, description="换行\x0b和\x01控制字符")

    [row] = rows_of(export(client_for(world.alice)))

    assert row["问题描述"] == "换行和控制字符"


def _many(world, count: int) -> None:
    for _ in range(count):
        finding = FindingFactory(
            inspection=world.inspection, organization=world.a1, created_by=world.alice, category=world.category()
        )
        r = RectificationFactory(
            finding=finding,
            responsible_org=world.a1,
            assignee=world.mike,
            responsible_leader=world.leo,
            created_by=world.alice,
        )
        ProgressUpdate.objects.create(rectification=r, note="进展一", author=world.mike)
        ProgressUpdate.objects.create(rectification=r, note="进展二", author=world.mike)


def test_the_export_runs_a_fixed_number_of_queries_whatever_the_row_count(world, client_for, django_assert_num_queries):
    client = client_for(world.alice)
    _many(world, 10)
    with CaptureQueriesContext(connection) as small:
        assert len(rows_of(export(client, organization=world.a1.pk))) == 10

    _many(world, 190)
    with django_assert_num_queries(len(small.captured_queries)):
        rows = rows_of(export(client, organization=world.a1.pk))

    assert len(rows) == 200
    assert {r["整改进展"] for r in rows} == {"进展二"}


def test_the_exported_register_opens_in_libreoffice_with_every_row(world, client_for, tmp_path):
    world.rectification(world.a1, state="in_progress")
    world.rectification(world.b1, state="closed")
    response = client_for(world.alice).get(reverse("office:register_export"))
    source = tmp_path / "register.xlsx"
    source.write_bytes(b"".join(response.streaming_content))

    converted = convert(source, CSV_UTF8, tmp_path)

    lines = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"))))
    assert lines[0] == HEADERS
    assert len(lines) == 3
    by_org = {line[2]: line for line in lines[1:]}
    assert by_org["生产第一党支部"][10] == "已销号（按期完成）"
    assert by_org["生产第一党支部"][11] == f"{local_today():%Y-%m-%d}"
    assert by_org["机关第一党支部"][8] == f"{local_today() + datetime.timedelta(days=30):%Y-%m-%d}"
    assert by_org["机关第一党支部"][9] == "已开展整改"


def test_rows_with_long_text_are_tall_enough_to_show_it_and_the_sheet_prints_landscape(world, client_for):
    world.finding(world.a1, description="支部" * 60)
    world.finding(world.a1, description="短")

    ws = export(client_for(world.alice)).active

    heights = {ws.cell(row=i, column=5).value: ws.row_dimensions[i].height for i in (2, 3)}
    assert heights["支部" * 60] >= 7 * 15  # 120 characters in a column 40 wide: seven lines
    assert heights["短"] <= 2 * 15 + 3  # the category name takes two lines
    assert ws.page_setup.orientation == "landscape"
    assert ws.auto_filter.ref == "A1:N3"
