"""The roster and the dues ledger: Excel imports (all rows or none), recording by hand, the branch view."""

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from partyreview.common.errors import ActionRefused
from partyreview.orglife import services
from partyreview.orglife.imports import DUES_COLUMNS, MEMBER_COLUMNS
from partyreview.orglife.models import DuesPayment, MemberCategory, MemberStatus, PartyMember
from tests.conftest import World

D = datetime.date
OK, ABSENT = 200, 404


@pytest.fixture(autouse=True)
def _late_2026() -> Iterator[None]:
    # Default 党费起算月份 depend on the year the member is entered: pin it, so the cases read the same in 2027.
    with time_machine.travel(datetime.datetime(2026, 11, 22, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def xlsx(header: tuple[str, ...], rows: list[tuple], name: str = "名册.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


ROSTER = [
    ("赵一", "正式党员", "2010-07-01", "在支部", "2026-01", "否", ""),
    ("钱二", "预备党员", D(2026, 3, 20), "", "", "", "2026年3月接收"),
    ("孙三", "正式党员", "1980/05/04", "离退休", "", "是", "经党委批准免交"),
    ("李四", "", "2001年7月1日", "流动党员", "", "", ""),
]


def test_the_roster_is_imported_from_excel(world):
    result = services.members_import(actor=world.sam, organization=world.a1, upload=xlsx(MEMBER_COLUMNS, ROSTER))
    assert (result.created, result.updated) == (4, 0)
    members = {m.name: m for m in PartyMember.objects.filter(organization=world.a1)}
    assert members["赵一"].dues_from == D(2026, 1, 1)
    assert (members["钱二"].category, members["钱二"].joined_on, members["钱二"].dues_from) == (
        MemberCategory.PROBATIONARY,
        D(2026, 3, 20),
        D(2026, 3, 1),
    )
    assert (members["孙三"].status, members["孙三"].dues_exempt) == (MemberStatus.RETIRED, True)
    assert members["李四"].joined_on == D(2001, 7, 1)
    assert members["李四"].history.first().history_user == world.sam


def test_importing_the_roster_again_updates_by_name(world):
    services.members_import(actor=world.sam, organization=world.a1, upload=xlsx(MEMBER_COLUMNS, ROSTER))
    moved = [("赵一", "正式党员", "2010-07-01", "已转出", "", "否", "2026年4月转出")]
    result = services.members_import(actor=world.sam, organization=world.a1, upload=xlsx(MEMBER_COLUMNS, moved))
    assert (result.created, result.updated) == (0, 1)
    zhao = PartyMember.objects.get(name="赵一")
    assert (zhao.status, zhao.dues_from) == (MemberStatus.TRANSFERRED, D(2026, 1, 1))
    assert PartyMember.objects.count() == 4


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("赵一", "党员", "2010-07-01", "", "", "", "")], "第2行类别须为正式党员或预备党员"),
        ([("赵一", "", "2010-13-01", "", "", "", "")], "第2行日期格式不正确"),
        ([("赵一", "", "", "", "", "", "")], "第2行未填入党日期"),
        (
            [("赵一", "", "2010-07-01", "", "", "", ""), ("赵一", "", "2011-07-01", "", "", "", "")],
            "第3行姓名“赵一”与前面的行重复",
        ),
        ([("赵一", "", "2010-07-01", "退休", "", "", "")], "第2行状态须为"),
    ],
)
def test_a_roster_with_a_bad_row_is_refused_whole(world, rows, message):
    good = [("王五", "", "2012-07-01", "", "", "", "")]
    with pytest.raises(ActionRefused, match=message):
        services.members_import(actor=world.sam, organization=world.a1, upload=xlsx(MEMBER_COLUMNS, rows + good))
    assert not PartyMember.objects.exists()


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(world):
    with pytest.raises(ActionRefused, match="文件不是有效的 Excel 工作簿"):
        services.members_import(
            actor=world.sam, organization=world.a1, upload=SimpleUploadedFile("名册.xlsx", b"not a workbook")
        )
    with pytest.raises(ActionRefused, match="缺少列：入党日期"):
        services.members_import(actor=world.sam, organization=world.a1, upload=xlsx(("姓名",), [("赵一",)]))


def test_a_secretary_keeps_only_their_own_branchs_roster(world):
    with pytest.raises(ActionRefused):
        services.members_import(actor=world.sara, organization=world.a1, upload=xlsx(MEMBER_COLUMNS, ROSTER))
    with pytest.raises(ActionRefused):
        services.member_create(actor=world.leo, organization=world.a1, name="赵一", joined_on=D(2010, 7, 1))


def _roster(world: World) -> dict[str, PartyMember]:
    services.members_import(actor=world.sam, organization=world.a1, upload=xlsx(MEMBER_COLUMNS, ROSTER))
    return {m.name: m for m in PartyMember.objects.all()}


DUES = [
    ("赵一", "2026-01", "2026-03", "90", "2026-01-10"),  # three months paid together
    ("赵一", "2026-04", "2026-12", "270.00", "2026-04-02"),  # the rest of the year in advance
    ("钱二", "2026年3月", "", "10", D(2026, 3, 25)),
]


def test_dues_are_imported_month_by_month_and_a_second_import_skips_them(world):
    members = _roster(world)
    result = services.dues_import(actor=world.sam, organization=world.a1, upload=xlsx(DUES_COLUMNS, DUES, "党费.xlsx"))
    assert (result.created, result.skipped) == (13, 0)
    zhao = DuesPayment.objects.filter(member=members["赵一"])
    assert zhao.count() == 12
    assert {p.amount for p in zhao} == {Decimal("30.00")}
    assert DuesPayment.objects.get(member=members["钱二"]).month == D(2026, 3, 1)
    again = services.dues_import(actor=world.sam, organization=world.a1, upload=xlsx(DUES_COLUMNS, DUES, "党费.xlsx"))
    assert (again.created, again.skipped) == (0, 13)
    assert DuesPayment.objects.count() == 13


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("周六", "2026-01", "", "30", "2026-01-10"), "第2行名册中没有“周六”"),
        (("赵一", "2026-03", "2026-01", "30", "2026-01-10"), "第2行月份范围不正确"),
        (("赵一", "2026-01", "", "三十", "2026-01-10"), "第2行月份、日期或金额格式不正确"),
        (("赵一", "2026-01", "", "30", "2099-01-10"), "第2行交纳日期晚于今天"),
    ],
)
def test_dues_with_a_bad_row_are_refused_whole(world, row, message):
    _roster(world)
    good = ("钱二", "2026-03", "", "10", "2026-03-25")
    with pytest.raises(ActionRefused, match=message):
        services.dues_import(actor=world.sam, organization=world.a1, upload=xlsx(DUES_COLUMNS, [row, good]))
    assert not DuesPayment.objects.exists()


def test_recording_a_month_twice_is_refused(world):
    zhao = _roster(world)["赵一"]
    services.dues_record(
        actor=world.sam, member=zhao, first_month=D(2026, 1, 1), amount=Decimal(30), paid_on=D(2026, 1, 5)
    )
    with pytest.raises(ActionRefused, match="已登记过 2026-01"):
        services.dues_record(
            actor=world.sam,
            member=zhao,
            first_month=D(2025, 12, 1),
            last_month=D(2026, 2, 1),
            amount=Decimal(90),
            paid_on=D(2026, 2, 5),
        )
    assert DuesPayment.objects.count() == 1


def test_the_dues_page_shows_who_is_behind_by_how_many_months(world, client_for):
    members = _roster(world)
    services.dues_record(
        actor=world.sam,
        member=members["赵一"],
        first_month=D(2026, 1, 1),
        last_month=D(2026, 12, 1),
        amount=Decimal(360),
        paid_on=D(2026, 1, 5),
    )
    html = client_for(world.sam).get(reverse("orglife:dues", args=[world.a1.pk])).content.decode()
    assert "欠缴党费" in html
    assert "李四（连续" in html
    assert "赵一（连续" not in html


def test_recording_dues_on_the_page(world, client_for):
    members = _roster(world)
    response = client_for(world.sam).post(
        reverse("orglife:dues_create", args=[world.a1.pk]),
        {
            "member": members["李四"].pk,
            "first_month": "2026-01",
            "last_month": "2026-06",
            "amount": "60",
            "paid_on": "2026-06-30",
        },
    )
    assert response.status_code == 302
    assert DuesPayment.objects.filter(member=members["李四"]).count() == 6


@pytest.mark.parametrize(
    ("persona", "status"),
    [("sam", OK), ("alice", OK), ("leo", OK), ("sara", ABSENT), ("mike", ABSENT), ("nobody", ABSENT)],
)
def test_who_may_open_a1s_roster_and_dues(world, client_for, persona, status):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("orglife:member_list", args=[world.a1.pk])).status_code == status
    assert client.get(reverse("orglife:dues", args=[world.a1.pk])).status_code == status


def test_the_roster_page_imports_and_the_templates_download(world, client_for):
    client = client_for(world.sam)
    response = client.post(reverse("orglife:member_import", args=[world.a1.pk]), {"file": xlsx(MEMBER_COLUMNS, ROSTER)})
    assert response.status_code == 302
    assert PartyMember.objects.count() == 4
    for kind, columns in (("members", MEMBER_COLUMNS), ("dues", DUES_COLUMNS)):
        download = client.get(reverse("orglife:import_template", args=[kind]))
        sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
        assert tuple(c.value for c in sheet[1]) == columns


def test_a_member_is_edited_on_the_page(world, client_for):
    zhao = _roster(world)["赵一"]
    response = client_for(world.sam).post(
        reverse("orglife:member_update", args=[zhao.pk]),
        {
            "name": "赵一",
            "category": "formal",
            "joined_on": "2010-07-01",
            "status": "mobile",
            "dues_from": "",
            "note": "外出务工",
        },
    )
    assert response.status_code == 302
    zhao.refresh_from_db()
    assert (zhao.status, zhao.dues_from, zhao.note) == (MemberStatus.MOBILE, D(2026, 1, 1), "外出务工")


def test_the_dues_page_costs_the_same_queries_for_few_and_many_members(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.sam)
    _roster(world)
    client.get(reverse("orglife:dues", args=[world.a1.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orglife:dues", args=[world.a1.pk]))
    for n in range(20):
        member = services.member_create(
            actor=world.sam, organization=world.a1, name=f"新党员{n}", joined_on=D(2020, 1, 1), dues_from=D(2026, 1, 1)
        )
        services.dues_record(
            actor=world.sam, member=member, first_month=D(2026, 1, 1), amount=Decimal(20), paid_on=D(2026, 1, 5)
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("orglife:dues", args=[world.a1.pk]))
    assert len(many) == len(few)


PAGES = [
    ("orglife:compliance", []),
    ("orglife:branch", ["a1"]),
    ("orglife:meeting_list", []),
    ("orglife:meeting_create", ["a1"]),
    ("orglife:member_list", ["a1"]),
    ("orglife:member_create", ["a1"]),
    ("orglife:dues", ["a1"]),
    ("orglife:dues_create", ["a1"]),
    ("orglife:breach_list", []),
    ("orglife:term_list", []),
]


@pytest.mark.parametrize("persona", ["sam", "alice"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_every_page_renders_for_the_secretary_and_staff(world, client_for, persona, name, args):
    _roster(world)
    url = reverse(name, args=[getattr(world, a).pk for a in args])
    response = client_for(getattr(world, persona)).get(url)
    assert response.status_code == OK
    assert "<h1" in response.content.decode()
