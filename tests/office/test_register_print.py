"""整改台账, printed: the register's columns for the list's filters, under a title with the print date and
the scope; only what the viewer may see. Alice is committee staff, Gina staff of general branch A, Sam the
secretary of A1 and Sara of B1."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partyreview.office import views
from partyreview.rectifications.models import Rectification

URL = reverse("office:register_print")
NOON = datetime.datetime(2026, 12, 3, 4, 0, tzinfo=datetime.UTC)  # 12:00 in Beijing


@pytest.fixture
def measures(world):
    with time_machine.travel(NOON, tick=False):
        return {
            "a1": world.rectification(world.a1, state="in_progress"),
            "b1": world.rectification(world.b1, due_in=-3),
        }


def test_the_printed_register_has_a_title_date_scope_and_every_column(world, client_for, measures):
    with time_machine.travel(NOON, tick=False):
        page = (
            client_for(world.alice)
            .get(URL, {"inspection": world.inspection.pk, "status": ["pending"]})
            .content.decode()
        )
    assert '<h1 class="register-title">2026年巡察整改台账</h1>' in page
    assert "打印日期：2026年12月3日 12:00" in page
    assert "范围：测试党委及下级" in page and "状态：待整改" in page
    for column in (
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
    ):
        assert f'<th scope="col">{column}</th>' in page
    assert "生产第一党支部" in page and "已逾期" in page
    assert "机关第一党支部" not in page.split("<tbody>")[1]  # in progress: left out by the status filter
    assert "css/register_print.css" in page


def test_a_secretary_prints_only_their_branch(world, client_for, measures):
    page = client_for(world.sam).get(URL).content.decode()
    body = page.split("<tbody>")[1]
    assert "机关第一党支部" in body and "生产第一党支部" not in body
    # Naming another branch in the filter shows nothing of it either.
    page = client_for(world.sam).get(URL, {"organization": world.b1.pk}).content.decode()
    assert "生产第一党支部" not in page.split("<tbody>")[1]


def test_a_long_register_says_it_printed_only_the_first_rows(world, client_for, measures, monkeypatch):
    monkeypatch.setattr(views, "PRINT_ROWS", 1)
    page = client_for(world.alice).get(URL).content.decode()
    assert "只打印了前 1 项" in page
    assert page.split("<tbody>")[1].count("<tr") == 1


def test_the_register_list_links_to_its_print_view_with_the_same_filters(world, client_for, measures):
    page = client_for(world.alice).get(reverse("rectifications:list"), {"overdue": "1"}).content.decode()
    assert f'href="{URL}?overdue=1"' in page


def test_paper_and_file_say_the_same_of_each_measure(world, client_for, measures):
    # A measure closed after its deadline is 已销号（逾期完成）on paper as in the .xlsx, and a ledger's
    # department stands beside its person: one reading of the register's rows (register_values).
    late = world.rectification(world.a1, state="closed")
    Rectification.objects.filter(pk=late.pk).update(
        due_date=datetime.date(2026, 11, 1),
        original_due_date=datetime.date(2026, 11, 1),
        department="党委办公室",
        closed_at=datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC),
    )
    with time_machine.travel(NOON, tick=False):
        body = client_for(world.alice).get(URL).content.decode().split("<tbody>")[1]
    row = next(part for part in body.split("<tr")[1:] if late.measure in part)
    assert "已销号（逾期完成）" in row
    assert "（党委办公室）" in row
    assert "2026-11-20" in row
    assert "已逾期" not in row  # closed: late, not overdue
