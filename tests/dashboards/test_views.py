"""The dashboard page, its export and 督办, through the web as each persona."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partyreview.accounts.models import Notification
from partyreview.rectifications.models import Escalation
from tests.dashboards.conftest import Dataset
from tests.pages import rendered

pytestmark = pytest.mark.django_db

INDEX = reverse("dashboards:index")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leo", 200),  # committee lead
        ("lena", 200),  # general-branch lead
        ("alice", 200),  # committee staff
        ("gina", 200),  # general-branch staff
        ("root", 200),  # superuser
        ("sam", 404),  # secretary: their branch's work is on 本支部整改
        ("sara", 404),
        ("mike", 404),  # member, assignee
        ("nobody", 404),
    ],
)
def test_who_may_open_the_dashboard(dataset: Dataset, client_for, persona: str, status: int):
    user = getattr(dataset.world, persona)
    assert client_for(user).get(INDEX).status_code == status
    assert client_for(user).get(reverse("dashboards:export")).status_code == status


def test_anonymous_visitors_are_sent_to_login(dataset: Dataset, client):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_shows_the_headline_figures(dataset: Dataset, client_for):
    html = client_for(dataset.world.leo).get(INDEX).content.decode()

    assert 'data-figure="findings">7<' in html
    assert 'data-figure="rectifications">9<' in html
    assert 'data-figure="completion_rate">33.3%<' in html
    assert 'data-figure="on_time_rate">33.3%<' in html
    assert 'data-figure="overdue">3<' in html
    assert 'data-figure="submitted">1<' in html
    assert 'data-figure="average_days">31.1 天<' in html


def test_lena_never_sees_general_branch_b_on_the_page_or_in_the_export(dataset: Dataset, client_for):
    client = client_for(dataset.world.lena)
    html = client.get(INDEX).content.decode()

    assert "机关第一党支部" in html
    assert "生产第一党支部" not in html
    assert "生产党总支" not in html
    assert 'data-figure="findings">4<' in html

    book = load_workbook(BytesIO(client.get(reverse("dashboards:export")).content))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "机关第一党支部" in cells
    assert not any("生产" in value for value in cells)


def test_every_heat_map_cell_links_to_the_filtered_problem_list(dataset: Dataset, client_for):
    w = dataset.world
    html = client_for(w.leo).get(INDEX).content.decode()
    meeting = w.category("meeting_lapses")

    link = f"{reverse('inspections:finding_list')}?organization={w.a1.pk}&amp;category={meeting.pk}"
    assert f'<a href="{link}" data-organization="{w.a1.pk}" data-category="{meeting.pk}">2</a>' in html


def test_figures_link_to_the_register_with_the_list_parameter_names(dataset: Dataset, client_for):
    w = dataset.world
    url = f"{INDEX}?inspection={dataset.i1.pk}"
    html = client_for(w.leo).get(url).content.decode()
    register = reverse("rectifications:list")

    assert f'href="{register}?inspection={dataset.i1.pk}&amp;overdue=1"' in html
    assert f'href="{register}?inspection={dataset.i1.pk}&amp;status=submitted"' in html
    assert f'href="{register}?inspection={dataset.i1.pk}&amp;organization={w.b1.pk}&amp;overdue=1"' in html
    assert f'href="{register}?inspection={dataset.i1.pk}&amp;light=3"' in html
    assert (
        f'href="{register}?inspection={dataset.i1.pk}&amp;light=1&amp;status=pending&amp;status=in_progress'
        '&amp;status=submitted&amp;status=returned"'
    ) in html


def test_filters_come_from_the_query_string(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)

    html = client.get(f"{INDEX}?inspection={dataset.i0.pk}").content.decode()
    assert 'data-figure="findings">2<' in html

    html = client.get(f"{INDEX}?date_from=2026-02-01&date_to=2026-02-28").content.decode()
    assert 'data-figure="findings">0<' in html
    assert 'data-figure="rectifications">1<' in html


def test_a_bad_filter_is_ignored_and_reported_never_a_500(dataset: Dataset, client_for):
    client = client_for(dataset.world.leo)
    for query in (
        "inspection=abc",
        "inspection=999999",
        "date_from=2026-13-01",
        "date_from=2026-03-01&date_to=2026-01-01",
    ):
        response = client.get(f"{INDEX}?{query}")
        assert response.status_code == 200
        assert "筛选条件有误" in response.content.decode()
        assert 'data-figure="findings">7<' in response.content.decode()


def test_an_inspection_outside_the_scope_cannot_be_chosen(dataset: Dataset, client_for):
    from partyreview.inspections.services import inspection_create

    w = dataset.world
    only_b = inspection_create(
        actor=w.alice,
        title="生产党总支专项检查",
        kind="special",
        inspecting_org=w.general_b,
        inspected_orgs=[w.b1],
        start_date=dataset.i1.start_date,
    )
    response = client_for(w.lena).get(f"{INDEX}?inspection={only_b.pk}")
    assert "筛选条件有误" in response.content.decode()
    assert "生产党总支专项检查" not in response.content.decode()


def test_charts_get_their_data_through_json_script_and_no_inline_code(dataset: Dataset, client_for):
    html = client_for(dataset.world.leo).get(INDEX).content.decode()

    assert '<script id="dashboard-data" type="application/json">' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "js/dashboard.js" in html
    assert "onclick=" not in html
    assert "<style" not in html


def test_export_holds_the_summary(dataset: Dataset, client_for):
    response = client_for(dataset.world.leo).get(reverse("dashboards:export"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "汇总",
        "党组织",
        "问题类别",
        "党组织×问题类别",
        "反复出现",
        "前后相似的问题",
        "月度趋势",
        "检查整改进度",
    ]
    summary = {row[0].value: row[1].value for row in book["汇总"].iter_rows(min_row=2)}
    assert summary["问题数"] == 7
    assert summary["整改措施数"] == 9
    assert summary["整改完成率（已销号 / 全部整改措施）"] == 0.3333
    assert summary["当前逾期"] == 3
    assert summary["平均销号用时（天）"] == 31.1
    assert book["汇总"].freeze_panes == "A2"
    branches = [[c.value for c in row] for row in book["党组织"].iter_rows(min_row=2)]
    assert branches[2][:8] == ["生产第一党支部", "红灯", 3, 3, 0, 0.0, 2, 1]


# ---- 督办 ----------------------------------------------------------------------------------------------


def test_lead_presses_a_lagging_rectification(dataset: Dataset, client_for, django_capture_on_commit_callbacks):
    w, r1b = dataset.world, dataset.r["R1b"]
    client = client_for(w.leo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboards:escalate_rectification", args=[r1b.pk]), {"instruction": "请本周内完成整改"}
        )

    assert response.status_code == 302
    escalation = Escalation.objects.get(rectification=r1b)
    assert (escalation.created_by, escalation.organization, escalation.instruction) == (w.leo, w.a1, "请本周内完成整改")
    told = set(Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True))
    assert told == {"mike", "sam"}  # assignee and the branch's secretary
    detail = client.get(reverse("rectifications:detail", args=[r1b.pk])).content.decode()
    assert "请本周内完成整改" in detail  # in the timeline


def test_the_escalation_form_shows_on_the_rectification_page_for_leads_only(dataset: Dataset, client_for):
    w, r1b = dataset.world, dataset.r["R1b"]
    action = reverse("dashboards:escalate_rectification", args=[r1b.pk])
    detail = reverse("rectifications:detail", args=[r1b.pk])

    assert action in client_for(w.leo).get(detail).content.decode()
    assert action not in rendered(client_for(w.sam).get(detail))
    closed = dataset.r["R0"]
    assert reverse("dashboards:escalate_rectification", args=[closed.pk]) not in (
        rendered(client_for(w.leo).get(reverse("rectifications:detail", args=[closed.pk])))
    )


@pytest.mark.parametrize(
    ("persona", "measure", "status", "recorded"),
    [
        ("leo", "R4", 302, True),
        ("lena", "R1b", 302, True),
        ("lena", "R4", 404, False),  # B1's: out of her scope
        ("sam", "R1b", 404, False),  # a secretary may see it, not press it
        ("mike", "R1b", 404, False),
        ("leo", "R0", 302, False),  # closed: refused with a message
    ],
)
def test_who_may_press_a_rectification(
    dataset: Dataset, client_for, persona: str, measure: str, status: int, recorded: bool
):
    r = dataset.r[measure]
    response = client_for(getattr(dataset.world, persona)).post(
        reverse("dashboards:escalate_rectification", args=[r.pk]), {"instruction": "抓紧整改"}
    )
    assert response.status_code == status
    assert Escalation.objects.filter(rectification=r).exists() is recorded


def test_an_empty_instruction_is_refused(dataset: Dataset, client_for):
    r = dataset.r["R1b"]
    response = client_for(dataset.world.leo).post(
        reverse("dashboards:escalate_rectification", args=[r.pk]), {"instruction": "  "}, follow=True
    )
    assert "请填写督办要求" in response.content.decode()
    assert not Escalation.objects.exists()


def test_lead_presses_a_branch_one_message_per_person(dataset: Dataset, client_for, django_capture_on_commit_callbacks):
    w = dataset.world
    url = reverse("dashboards:escalate_organization", args=[w.b1.pk])
    client = client_for(w.leo)
    page = client.get(url).content.decode()
    assert "逾期未销号的整改措施" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"instruction": "请书记亲自抓，月底前全部销号", "next": INDEX})

    assert response.status_code == 302
    assert response["Location"] == INDEX
    pressed = set(Escalation.objects.filter(organization=w.b1).values_list("rectification", flat=True))
    assert pressed == {dataset.r["R0b"].pk, dataset.r["R4"].pk}  # its open overdue measures, each in its timeline
    told = list(Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True))
    assert sorted(told) == ["mona", "sara"]  # once each, not once per measure
    assert "请书记亲自抓" in client.get(INDEX).content.decode()  # 近期督办


@pytest.mark.parametrize(
    ("persona", "branch", "status"),
    [("leo", "b1", 200), ("lena", "a1", 200), ("lena", "b1", 404), ("sara", "b1", 404), ("sam", "a1", 404)],
)
def test_who_may_press_a_branch(dataset: Dataset, client_for, persona: str, branch: str, status: int):
    org = getattr(dataset.world, branch)
    url = reverse("dashboards:escalate_organization", args=[org.pk])
    client = client_for(getattr(dataset.world, persona))
    assert client.get(url).status_code == status
    client.post(url, {"instruction": "抓紧整改"})
    assert Escalation.objects.filter(organization=org).exists() is (status == 200)


def test_a_branch_without_overdue_measures_is_not_pressed(dataset: Dataset, client_for):
    w = dataset.world
    response = client_for(w.leo).post(
        reverse("dashboards:escalate_organization", args=[w.a2.pk]), {"instruction": "抓紧整改"}
    )
    assert response.status_code == 200
    assert "没有逾期未销号的整改措施" in response.content.decode()
    assert not Escalation.objects.exists()


def test_next_outside_the_site_is_ignored(dataset: Dataset, client_for):
    w = dataset.world
    response = client_for(w.leo).post(
        reverse("dashboards:escalate_organization", args=[w.b1.pk]),
        {"instruction": "抓紧整改", "next": "https://example.com/"},
    )
    assert response["Location"] == INDEX


def test_figures_are_never_stale_after_the_viewers_own_action(dataset: Dataset, client_for):
    from partyreview.rectifications.services import rectification_close

    client = client_for(dataset.world.alice)
    assert 'data-figure="overdue">3<' in client.get(INDEX).content.decode()

    rectification_close(actor=dataset.world.alice, rectification=dataset.r["R4"], note="核查属实")

    html = client.get(INDEX).content.decode()
    assert 'data-figure="overdue">2<' in html
    assert 'data-figure="submitted">0<' in html
    assert 'data-figure="completion_rate">44.4%<' in html  # 4 / 9
