"""回头看 pages: Alice (committee staff) plans checks of closed measures from an inspection, previews the plan
and confirms it for Gina (staff of general branch A) or herself; Gina finds them in 我的回头看任务 and records
整改到位 or 问题反弹. Bad input is answered in Chinese and changes nothing; a second outcome never overwrites
the first; whoever is outside the measures' scope gets 404."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Notification
from partyreview.common.dates import local_today
from partyreview.inspections.models import Finding
from partyreview.inspections.services import inspection_create
from partyreview.rectifications import services
from partyreview.rectifications.models import FollowUpOutcome, FollowUpReview, Rectification, RectificationStatus
from partyreview.rectifications.selectors import finding_relapsed_q, months_before
from tests.inspections.rows import count_queries

SCHEDULE = reverse("rectifications:followup_schedule")
MINE = reverse("rectifications:followup_mine")
ALL = reverse("rectifications:followup_list")


def _due(days: int = 14) -> str:
    return (local_today() + datetime.timedelta(days=days)).isoformat()


def _plan(world, inspector, **extra) -> dict:
    data = {"inspection": world.inspection.pk, "inspector": inspector.pk, "due_date": _due(), "seed": 7}
    return data | extra


def _schedule(world, measures, inspector=None) -> list[FollowUpReview]:
    return services.followup_schedule(
        actor=world.alice,
        rectifications=measures,
        inspector=inspector or world.gina,
        due_date=local_today() + datetime.timedelta(days=14),
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- scheduling -------------------------------------------------------------------------------------


def test_alice_previews_an_inspections_closed_measures_and_nothing_is_scheduled_before_she_confirms(world, client_for):
    a1 = world.rectification(world.a1, state="closed")
    b1 = world.rectification(world.b1, state="closed")
    world.rectification(world.a1, state="in_progress")
    client = client_for(world.alice)

    assert client.get(SCHEDULE, {"inspection": world.inspection.pk}).status_code == 200
    preview = client.post(SCHEDULE, _plan(world, world.alice, action="preview"))

    assert [r.pk for r in preview.context["plan"]] == [a1.pk, b1.pk]
    assert preview.context["planned_ids"] == {a1.pk, b1.pk}
    assert not FollowUpReview.objects.exists()

    done = client.post(SCHEDULE, _plan(world, world.alice, action="confirm", planned=[a1.pk, b1.pk]))

    assert done.status_code == 302 and done["Location"] == ALL
    reviews = FollowUpReview.objects.order_by("rectification_id")
    assert [(r.rectification_id, r.inspector_id, r.outcome) for r in reviews] == [
        (a1.pk, world.alice.pk, "pending"),
        (b1.pk, world.alice.pk, "pending"),
    ]


def test_alice_may_leave_a_measure_of_the_preview_out_and_gina_is_told_where_her_tasks_are(
    world, client_for, django_capture_on_commit_callbacks
):
    kept = world.rectification(world.a1, state="closed")
    left_out = world.rectification(world.a1, state="closed")

    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.alice).post(SCHEDULE, _plan(world, world.gina, action="confirm", planned=[kept.pk]))

    assert list(FollowUpReview.objects.values_list("rectification_id", flat=True)) == [kept.pk]
    assert not left_out.follow_ups.exists()
    notice = Notification.objects.get(recipient=world.gina, kind="follow_up")
    assert (notice.title, notice.url) == ("回头看任务：1 项已销号整改措施", MINE)


def test_a_sample_per_branch_confirmed_is_the_sample_previewed(world, client_for):
    a1 = [world.rectification(world.a1, state="closed") for _ in range(4)]
    b1 = world.rectification(world.b1, state="closed")
    client = client_for(world.alice)

    preview = client.post(SCHEDULE, _plan(world, world.alice, action="preview", per_branch=2))
    planned = [r.pk for r in preview.context["plan"]]

    assert len(planned) == 3 and b1.pk in planned
    assert len(set(planned) & {r.pk for r in a1}) == 2
    client.post(SCHEDULE, _plan(world, world.alice, action="confirm", per_branch=2, planned=planned))
    assert sorted(FollowUpReview.objects.values_list("rectification_id", flat=True)) == sorted(planned)


def test_months_after_closure_keeps_only_measures_closed_long_enough(world, client_for):
    old = world.rectification(world.a1, state="closed")
    recent = world.rectification(world.a1, state="closed")
    Rectification.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=200))

    preview = client_for(world.alice).post(SCHEDULE, _plan(world, world.alice, action="preview", closed_months=6))

    assert [r.pk for r in preview.context["plan"]] == [old.pk]
    assert recent.pk not in preview.context["planned_ids"]


def test_six_months_before_the_last_of_august_is_the_last_of_february():
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)


def test_a_closed_measures_page_offers_its_own_look_back(world, client_for):
    r = world.rectification(world.a1, state="closed")
    client = client_for(world.alice)

    detail = client.get(reverse("rectifications:detail", args=[r.pk]))
    assert f"{SCHEDULE}?rectification={r.pk}".encode() in detail.content

    data = {"rectification": r.pk, "inspector": world.gina.pk, "due_date": _due(), "seed": 1}
    client.post(SCHEDULE, data | {"action": "confirm", "planned": [r.pk]})
    assert r.follow_ups.get().inspector == world.gina


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"due_date": "2020-01-01"}, "复查期限不能早于今天。"),
        ({"due_date": "明天"}, "复查期限不是有效日期。"),
        ({"due_date": ""}, "请填写复查期限。"),
        ({"inspector": ""}, "请选择复查人。"),
        ({"closed_months": "六"}, "销号月数请填写整数。"),
        ({"per_branch": "0"}, "抽查数量至少为 1 项。"),
        ({"closed_months": "-1"}, "销号月数不能为负数。"),
        ({"planned": []}, "请至少勾选一项要回头看的整改措施。"),
    ],
)
def test_bad_input_is_answered_in_chinese_and_schedules_nothing(world, client_for, extra, message):
    r = world.rectification(world.a1, state="closed")
    data = _plan(world, world.gina, action="confirm", planned=[r.pk]) | extra

    response = client_for(world.alice).post(SCHEDULE, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FollowUpReview.objects.exists()


def test_an_inspector_outside_alices_scope_cannot_be_chosen(world, client_for):
    r = world.rectification(world.a1, state="closed")
    data = _plan(world, world.sam, action="confirm", planned=[r.pk])

    response = client_for(world.alice).post(SCHEDULE, data)

    assert "所选复查人不是您范围内的党务工作人员" in response.content.decode()
    assert not FollowUpReview.objects.exists()


def test_an_inspector_who_does_not_cover_every_measure_refuses_the_whole_plan(world, client_for):
    a1 = world.rectification(world.a1, state="closed")
    b1 = world.rectification(world.b1, state="closed")

    response = client_for(world.alice).post(
        SCHEDULE, _plan(world, world.gina, action="confirm", planned=[a1.pk, b1.pk])
    )

    assert "不是负责“生产第一党支部”的党务工作人员" in response.content.decode()
    assert not FollowUpReview.objects.exists()


def test_a_measure_scheduled_by_a_colleague_after_the_preview_refuses_the_confirmation(world, client_for):
    first = world.rectification(world.a1, state="closed")
    second = world.rectification(world.a1, state="closed")
    client = client_for(world.alice)
    client.post(SCHEDULE, _plan(world, world.alice, action="preview"))
    _schedule(world, [first])  # a colleague, between Alice's preview and her confirmation

    response = client.post(SCHEDULE, _plan(world, world.alice, action="confirm", planned=[first.pk, second.pk]))

    assert "预览之后计划有变化" in response.content.decode()
    assert [r.pk for r in response.context["plan"]] == [second.pk]
    assert not second.follow_ups.exists()
    assert first.follow_ups.get().inspector == world.gina


def test_scheduling_twice_by_a_double_submit_schedules_once(world, client_for):
    r = world.rectification(world.a1, state="closed")
    client = client_for(world.alice)
    data = _plan(world, world.gina, action="confirm", planned=[r.pk])

    client.post(SCHEDULE, data)
    again = client.post(SCHEDULE, data)

    assert "预览之后计划有变化" in again.content.decode()
    assert r.follow_ups.count() == 1


def test_the_inspection_page_links_its_look_back_for_its_staff_only(world, client_for):
    link = f"{SCHEDULE}?inspection={world.inspection.pk}".encode()
    page = reverse("inspections:detail", args=[world.inspection.pk])

    assert link in client_for(world.alice).get(page).content
    assert link not in client_for(world.leo).get(page).content


def test_without_an_inspection_the_page_asks_for_one(world, client_for):
    response = client_for(world.gina).get(SCHEDULE)

    assert response.status_code == 200
    assert f"?inspection={world.inspection.pk}".encode() in response.content


# ---- scope ------------------------------------------------------------------------------------------


def test_an_inspection_or_a_measure_outside_ginas_scope_is_404(world, client_for):
    other = inspection_create(
        actor=world.alice,
        title="生产党总支专项检查",
        kind="special",
        inspecting_org=world.general_b,
        inspected_orgs=[world.b1],
        start_date=local_today(),
    )
    b1 = world.rectification(world.b1, state="closed")
    client = client_for(world.gina)

    assert client.get(SCHEDULE, {"inspection": other.pk}).status_code == 404
    assert client.get(SCHEDULE, {"rectification": b1.pk}).status_code == 404
    assert client.post(SCHEDULE, {"rectification": b1.pk, "action": "confirm", "planned": [b1.pk]}).status_code == 404
    assert not FollowUpReview.objects.exists()


def test_a_check_of_another_branch_is_404_and_not_staffs_to_decide_403(world, client_for):
    a1 = world.rectification(world.a1, state="closed")
    b1 = world.rectification(world.b1, state="closed")
    (a1_review,) = _schedule(world, [a1])
    (b1_review,) = _schedule(world, [b1], inspector=world.alice)
    record = "rectifications:followup_record"

    assert client_for(world.gina).get(reverse(record, args=[b1_review.pk])).status_code == 404
    assert client_for(world.sara).get(reverse(record, args=[a1_review.pk])).status_code == 404
    post = client_for(world.gina).post(reverse(record, args=[b1_review.pk]), {"outcome": "relapsed", "note": "x"})
    assert post.status_code == 404
    assert client_for(world.sam).get(reverse(record, args=[a1_review.pk])).status_code == 403
    assert client_for(world.leo).get(reverse(record, args=[a1_review.pk])).status_code == 403
    assert FollowUpReview.objects.get(pk=b1_review.pk).outcome == FollowUpOutcome.PENDING


def test_the_task_lists_are_for_staff_and_show_only_their_scope(world, client_for):
    a1 = world.rectification(world.a1, state="closed")
    b1 = world.rectification(world.b1, state="closed")
    _schedule(world, [a1])
    _schedule(world, [b1], inspector=world.alice)

    ginas = client_for(world.gina).get(ALL)
    assert [t.rectification_id for t in ginas.context["page"]] == [a1.pk]
    alices = client_for(world.alice).get(ALL)
    assert sorted(t.rectification_id for t in alices.context["page"]) == [a1.pk, b1.pk]
    assert [t.rectification_id for t in client_for(world.alice).get(MINE).context["page"]] == [b1.pk]
    for user in (world.leo, world.sam):
        assert client_for(user).get(MINE).status_code == 403
        assert client_for(user).get(ALL).status_code == 403
        assert client_for(user).get(SCHEDULE).status_code == 403


# ---- the task list and the outcome -------------------------------------------------------------------


def test_ginas_tasks_list_the_open_ones_first_with_the_overdue_marked(world, client_for):
    decided, overdue, later = (world.rectification(world.a1, state="closed") for _ in range(3))
    (decided_review,) = _schedule(world, [decided])
    services.followup_record(actor=world.gina, review=decided_review, outcome="rectified", note="运行正常")
    services.followup_schedule(
        actor=world.alice, rectifications=[overdue], inspector=world.gina, due_date=local_today()
    )
    services.followup_schedule(
        actor=world.alice,
        rectifications=[later],
        inspector=world.gina,
        due_date=local_today() + datetime.timedelta(days=30),
    )

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        response = client_for(world.gina).get(MINE)

    rows = list(response.context["page"])
    assert [t.rectification_id for t in rows] == [overdue.pk, later.pk, decided.pk]
    assert [t.is_overdue for t in rows] == [True, False, False]
    assert response.content.decode().count("已逾期") == 1


def test_the_workbench_counts_ginas_open_checks(world, client_for):
    r = world.rectification(world.a1, state="closed")
    _schedule(world, [r])

    response = client_for(world.gina).get(reverse("inspections:workbench"))

    assert response.context["followup_count"] == 1
    assert MINE.encode() in response.content


def test_gina_records_a_relapse_which_reopens_the_measure_and_marks_the_finding(world, client_for):
    r = world.rectification(world.a1, state="closed")
    (review,) = _schedule(world, [r])
    url = reverse("rectifications:followup_record", args=[review.pk])
    client = client_for(world.gina)
    assert client.get(url).status_code == 200

    response = client.post(url, {"outcome": "relapsed", "note": "会议记录又缺失"}, follow=True)

    assert "已记录问题反弹" in response.content.decode()
    r.refresh_from_db()
    assert r.status == RectificationStatus.IN_PROGRESS
    assert r.reopen_reason == "问题反弹：会议记录又缺失"
    assert Finding.objects.filter(finding_relapsed_q(), pk=r.finding_id).exists()


def test_a_second_outcome_is_refused_and_never_overwrites_the_first(world, client_for):
    r = world.rectification(world.a1, state="closed")
    (review,) = _schedule(world, [r])
    url = reverse("rectifications:followup_record", args=[review.pk])
    client_for(world.gina).post(url, {"outcome": "rectified", "note": "制度运行正常"})

    # Alice had the form open too, or Gina pressed twice.
    response = client_for(world.alice).post(url, {"outcome": "relapsed", "note": "问题又出现"})

    assert response.status_code == 200
    assert "该回头看已有结论（整改到位）" in response.content.decode()
    assert '您填写的内容未保存：</strong><span class="text-pre">问题又出现' in response.content.decode()
    review.refresh_from_db()
    assert (review.outcome, review.note) == ("rectified", "制度运行正常")
    assert Rectification.objects.get(pk=r.pk).status == RectificationStatus.CLOSED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "看过了"}, "请选择复查结论：整改到位或问题反弹。"),
        ({"outcome": "pending", "note": "看过了"}, "请选择复查结论：整改到位或问题反弹。"),
        ({"outcome": "relapsed", "note": "   "}, "请填写复查情况。"),
        ({"outcome": "relapsed", "note": "长" * 2001}, "复查情况请不超过 2000 字。"),
    ],
)
def test_a_bad_outcome_is_answered_in_chinese_and_changes_nothing(world, client_for, data, message):
    r = world.rectification(world.a1, state="closed")
    (review,) = _schedule(world, [r])

    response = client_for(world.gina).post(reverse("rectifications:followup_record", args=[review.pk]), data)

    assert message in response.content.decode()
    assert FollowUpReview.objects.get(pk=review.pk).outcome == FollowUpOutcome.PENDING
    assert Rectification.objects.get(pk=r.pk).status == RectificationStatus.CLOSED


@pytest.mark.parametrize("url", [MINE, ALL])
def test_the_task_lists_do_not_grow_with_rows(world, client_for, url):
    client = client_for(world.gina)
    _schedule(world, [world.rectification(world.a1, state="closed") for _ in range(2)])
    count_queries(client, url)
    small = count_queries(client, url)

    _schedule(world, [world.rectification(world.a1, state="closed") for _ in range(8)])
    large = count_queries(client, url)

    assert len(client.get(url).context["page"]) == 10
    assert small == large


@pytest.mark.parametrize(("persona", "offered"), [("alice", True), ("gina", True), ("leo", False), ("sam", False)])
def test_staff_find_their_look_back_tasks_in_the_menu_under_their_name(world, client_for, persona, offered):
    page = client_for(getattr(world, persona)).get(reverse("accounts:notifications")).content.decode()
    assert "dropdown-menu" in page
    assert (f'href="{reverse("rectifications:followup_mine")}"' in page) is offered
