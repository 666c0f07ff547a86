"""待我审核 and the staff decisions: close (销号), return, reopen (回头看), decide an extension.

Mike (assignee in A1) submits; Alice (committee staff) and Gina (staff of A) review.
"""

import datetime

from django.urls import reverse

from partyreview.rectifications import services
from partyreview.rectifications.models import ExtensionRequest, Rectification
from tests.pages import rendered

QUEUE = reverse("rectifications:review_queue")


def fresh(r: Rectification) -> Rectification:
    return Rectification.objects.get(pk=r.pk)


def history_count(r: Rectification) -> int:
    return r.history.count()


def extension_for(world, r: Rectification, days: int = 30) -> ExtensionRequest:
    return services.extension_request(
        actor=world.mike, rectification=r, new_due_date=r.due_date + datetime.timedelta(days=days), reason="人员调整"
    )


# ---- the queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_submissions_and_extensions_oldest_first(world, client_for):
    first = world.rectification(world.a1, state="submitted")
    second = world.rectification(world.b1, state="submitted")
    world.rectification(world.a1, state="in_progress")
    waiting = world.rectification(world.a1)
    extension = extension_for(world, waiting)

    response = client_for(world.alice).get(QUEUE)

    assert list(response.context["page"]) == [first, second]
    assert list(response.context["extensions"]) == [extension]


def test_the_queue_keeps_to_the_staff_scope(world, client_for):
    mine = world.rectification(world.a1, state="submitted")
    world.rectification(world.b1, state="submitted")

    assert list(client_for(world.gina).get(QUEUE).context["page"]) == [mine]


def test_only_staff_have_a_review_queue(world, client_for):
    for persona in (world.leo, world.sam, world.mike, world.nobody):
        assert client_for(persona).get(QUEUE).status_code == 403


# ---- close and return ----------------------------------------------------------------------------------


def decide(client, action: str, r: Rectification, text: str, version: int | None = None, **extra):
    data = {"text": text, "version": r.version if version is None else version, **extra}
    return client.post(reverse(f"rectifications:{action}", args=[r.pk]), data)


def test_staff_close_from_the_queue_and_return_to_it(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    response = decide(client_for(world.alice), "close", r, "材料齐全，核查属实", next=QUEUE)

    r = fresh(r)
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert (r.status, r.closed_by, r.verification_note) == ("closed", world.alice, "材料齐全，核查属实")


def test_closing_says_what_happened(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    response = client_for(world.alice).post(
        reverse("rectifications:close", args=[r.pk]), {"text": "核查属实", "version": r.version}, follow=True
    )

    assert "已销号" in response.content.decode()


def test_staff_return_with_a_reason(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    response = decide(client_for(world.gina), "return", r, "佐证材料缺少签到表")

    r = fresh(r)
    assert response["Location"] == reverse("rectifications:detail", args=[r.pk])
    assert (r.status, r.return_reason) == ("returned", "佐证材料缺少签到表")


def test_closing_without_a_note_is_refused_beside_the_field(world, client_for):
    r = world.rectification(world.a1, state="submitted")
    before = history_count(r)

    response = decide(client_for(world.alice), "close", r, "   ")

    assert response.status_code == 200
    assert "请填写核查意见" in response.content.decode()
    assert fresh(r).status == "submitted"
    assert history_count(r) == before


def test_returning_without_a_reason_is_refused(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    response = decide(client_for(world.alice), "return", r, "")

    assert "请填写退回原因" in response.content.decode()
    assert fresh(r).status == "submitted"


def test_two_staff_closing_at_once_one_wins_and_the_other_is_told(world, client_for, client):
    r = world.rectification(world.a1, state="submitted")
    seen = r.version  # both loaded the queue at this version
    decide(client_for(world.alice), "close", r, "王爱丽核查属实", version=seen)
    after_first = history_count(r)

    client.force_login(world.gina)
    response = decide(client, "close", r, "高静也核查了", version=seen)

    page = response.content.decode()
    r = fresh(r)
    assert response.status_code == 200
    assert "被 王爱丽 销号" in page
    assert "当前状态为“已销号”" in page
    assert "高静也核查了" in page  # her text stays in the box, nothing lost
    assert (r.closed_by, r.verification_note) == (world.alice, "王爱丽核查属实")
    assert history_count(r) == after_first


def test_a_return_racing_a_close_is_refused(world, client_for, client):
    r = world.rectification(world.a1, state="submitted")
    seen = r.version
    decide(client_for(world.alice), "close", r, "核查属实", version=seen)

    client.force_login(world.gina)
    response = decide(client, "return", r, "材料不全", version=seen)

    assert "您的内容未保存" in response.content.decode()
    assert fresh(r).status == "closed"


def test_closing_again_after_a_refresh_is_refused_by_the_state(world, client_for):
    r = world.rectification(world.a1, state="submitted")
    client = client_for(world.alice)
    decide(client, "close", r, "核查属实")

    response = decide(client, "close", fresh(r), "再销一次")

    assert "当前状态为“已销号”，不能销号" in response.content.decode()


def test_the_submitter_cannot_close_their_own_submission(world, client_for):
    r = world.rectification(world.a1, state="in_progress")
    r.assignee = world.gina
    r.save()
    services.rectification_submit(actor=world.gina, rectification=r, summary="完成", files=[])
    r = fresh(r)

    response = decide(client_for(world.gina), "close", r, "自己销号")

    assert "不能为自己的申请销号" in response.content.decode()
    assert fresh(r).status == "submitted"


def test_the_decision_page_keeps_the_next_address_on_this_site_only(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    response = decide(client_for(world.alice), "close", r, "核查属实", next="https://example.org/steal")

    assert response["Location"] == reverse("rectifications:detail", args=[r.pk])


def test_the_detail_page_offers_the_staff_panel(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    page = client_for(world.alice).get(reverse("rectifications:detail", args=[r.pk])).content.decode()

    assert "核查通过，销号" in page
    assert reverse("rectifications:return", args=[r.pk]) in page


def test_secretaries_see_no_staff_panel(world, client_for):
    r = world.rectification(world.a1, state="submitted")

    page = rendered(client_for(world.sam).get(reverse("rectifications:detail", args=[r.pk])))

    assert "核查通过，销号" not in page


# ---- reopen ------------------------------------------------------------------------------------------


def test_staff_reopen_a_closed_measure_with_a_reason(world, client_for):
    r = world.rectification(world.a1, state="closed")

    decide(client_for(world.alice), "reopen", r, "回头看发现问题反弹")

    r = fresh(r)
    assert (r.status, r.reopen_reason, r.closed_at) == ("in_progress", "回头看发现问题反弹", None)


def test_reopening_an_open_measure_is_refused(world, client_for):
    r = world.rectification(world.a1, state="in_progress")

    response = decide(client_for(world.alice), "reopen", r, "回头看")

    assert "不能回头看重新打开" in response.content.decode()
    assert fresh(r).status == "in_progress"


# ---- edit --------------------------------------------------------------------------------------------


def edit_data(world, r: Rectification, **overrides) -> dict:
    data = {
        "measure": r.measure,
        "kind": r.kind,
        "responsible_leader": world.leo.pk,
        "assignee": r.assignee_id,
        "due_date": r.due_date.isoformat(),
        "reason": "",
        "version": r.version,
    }
    data.update(overrides)
    return data


def test_staff_move_a_deadline_and_the_original_stays(world, client_for):
    r = world.rectification(world.a1)
    new_due = r.due_date + datetime.timedelta(days=15)

    response = client_for(world.alice).post(
        reverse("rectifications:update", args=[r.pk]),
        edit_data(world, r, due_date=new_due.isoformat(), reason="党委会研究同意"),
    )

    updated = fresh(r)
    assert response.status_code == 302
    assert (updated.due_date, updated.original_due_date) == (new_due, r.original_due_date)
    assert "党委会研究同意" in updated.history.first().history_change_reason


def test_an_edit_from_a_stale_page_is_refused(world, client_for):
    r = world.rectification(world.a1)
    stale = edit_data(world, r, measure="我的改动")
    services.rectification_update(actor=world.alice, rectification=r, measure="别人的改动")

    response = client_for(world.gina).post(reverse("rectifications:update", args=[r.pk]), stale)

    assert "您的内容未保存" in response.content.decode()
    assert fresh(r).measure == "别人的改动"


def test_an_assignee_outside_the_branch_is_refused(world, client_for):
    r = world.rectification(world.a1)

    response = client_for(world.alice).post(
        reverse("rectifications:update", args=[r.pk]), edit_data(world, r, assignee=world.mona.pk)
    )

    assert "所选责任人不属于该党组织" in response.content.decode()
    assert fresh(r).assignee == world.mike


def test_a_deadline_before_the_finding_date_is_refused(world, client_for):
    r = world.rectification(world.a1)
    too_early = r.finding.found_on - datetime.timedelta(days=1)

    response = client_for(world.alice).post(
        reverse("rectifications:update", args=[r.pk]), edit_data(world, r, due_date=too_early.isoformat())
    )

    assert "整改时限不能早于问题发现日期" in response.content.decode()
    assert fresh(r).due_date == r.due_date


# ---- extensions --------------------------------------------------------------------------------------


def decide_extension(client, extension: ExtensionRequest, decision: str, note: str = ""):
    return client.post(
        reverse("rectifications:extension_decide", args=[extension.pk]), {"decision": decision, "note": note}
    )


def test_staff_approve_an_extension_and_the_deadline_moves(world, client_for):
    r = world.rectification(world.a1)
    extension = extension_for(world, r)

    response = decide_extension(client_for(world.alice), extension, "approve")

    extension.refresh_from_db()
    updated = fresh(r)
    assert response.status_code == 302
    assert extension.status == "approved"
    assert (updated.due_date, updated.original_due_date) == (extension.requested_due_date, r.original_due_date)


def test_rejecting_an_extension_needs_a_reason(world, client_for):
    r = world.rectification(world.a1)
    extension = extension_for(world, r)
    client = client_for(world.alice)

    refused = decide_extension(client, extension, "reject")
    extension.refresh_from_db()
    assert "不批准延期时请填写理由" in refused.content.decode()
    assert extension.status == "pending"

    decide_extension(client, extension, "reject", "时间已足够")
    extension.refresh_from_db()
    assert (extension.status, extension.decision_note) == ("rejected", "时间已足够")
    assert fresh(r).due_date == r.due_date


def test_deciding_an_extension_twice_says_who_decided(world, client_for, client):
    extension = extension_for(world, world.rectification(world.a1))
    decide_extension(client_for(world.alice), extension, "approve")

    client.force_login(world.gina)
    response = decide_extension(client, extension, "reject", "不同意")

    extension.refresh_from_db()
    assert "该延期申请已由 王爱丽 审批" in response.content.decode()
    assert extension.status == "approved"


def test_an_extension_outside_scope_is_404(world, client_for):
    extension = extension_for(world, world.rectification(world.a1))

    response = decide_extension(client_for(world.sara), extension, "approve")

    assert response.status_code == 404
