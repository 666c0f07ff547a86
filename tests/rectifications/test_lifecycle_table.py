"""The lifecycle table of domain.md, exhaustively: every (state, action, persona) either does what the
table says or is refused with a Chinese message and leaves the database exactly as it was.

The expected outcome is written here from the table, independently of services.TRANSITIONS."""

import datetime

import pytest

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services
from partyreview.rectifications.models import (
    Evidence,
    ExtensionRequest,
    ProgressUpdate,
    Rectification,
    RectificationStatus,
)
from tests.factories import pdf_upload

STATES = ["pending", "in_progress", "submitted", "returned", "closed"]

# persona key → (attribute on World, description). Measures live in branch A1.
PERSONAS = {
    "staff_in": "alice",  # committee staff: A1 is in scope
    "staff_general_in": "gina",  # general branch A staff: A1 is in scope
    "leader_in": "leo",  # leaders read and press, never act on the lifecycle
    "secretary_in": "sam",  # A1's secretary
    "assignee": "mike",  # the measure's assignee
    "secretary_out": "sara",  # B1's secretary
    "nobody": "nobody",
}

STAFF_IN = {"staff_in", "staff_general_in"}
REPORTERS = {"secretary_in", "assignee"}

# action → (states it starts from, who may do it, state it leads to or None = unchanged)
TABLE = {
    "progress": ({"pending", "in_progress", "returned"}, STAFF_IN | REPORTERS, "in_progress"),
    "submit": ({"in_progress", "returned"}, REPORTERS, "submitted"),
    "close": ({"submitted"}, STAFF_IN, "closed"),
    "return": ({"submitted"}, STAFF_IN, "returned"),
    "reopen": ({"closed"}, STAFF_IN, "in_progress"),
    "request_extension": ({"pending", "in_progress", "returned"}, REPORTERS, None),
}


def _do(action: str, actor, r: Rectification):
    if action == "progress":
        return services.rectification_record_progress(
            actor=actor, rectification=r, note="开展了整改", files=[pdf_upload()]
        )
    if action == "submit":
        return services.rectification_submit(actor=actor, rectification=r, summary="已完成", files=[pdf_upload()])
    if action == "close":
        return services.rectification_close(actor=actor, rectification=r, note="核查属实")
    if action == "return":
        return services.rectification_return(actor=actor, rectification=r, reason="材料不全")
    if action == "reopen":
        return services.rectification_reopen(actor=actor, rectification=r, reason="回头看发现问题反弹")
    if action == "request_extension":
        return services.extension_request(
            actor=actor, rectification=r, new_due_date=r.due_date + datetime.timedelta(days=10), reason="人员调整"
        )
    raise AssertionError(action)


def _snapshot(r: Rectification) -> tuple:
    row = Rectification.objects.filter(pk=r.pk).values().get()
    return (
        row,
        ProgressUpdate.objects.filter(rectification=r).count(),
        Evidence.objects.filter(rectification=r).count(),
        ExtensionRequest.objects.filter(rectification=r).count(),
        r.history.count(),
    )


CASES = [(state, action, persona) for state in STATES for action in TABLE for persona in PERSONAS]


@pytest.mark.parametrize(("state", "action", "persona"), CASES)
def test_every_state_action_and_persona_follows_the_lifecycle_table(world, state, action, persona):
    r = world.rectification(world.a1, state=state)
    actor = getattr(world, PERSONAS[persona])
    allowed_states, allowed_personas, target = TABLE[action]
    before = _snapshot(r)
    history_before = r.history.count()

    if state in allowed_states and persona in allowed_personas:
        _do(action, actor, r)
        r.refresh_from_db()
        assert r.status == (target or state)
        if target is not None:
            latest = r.history.first()
            assert r.history.count() == history_before + 1
            assert latest.history_user_id == actor.pk
            assert latest.status == target
        else:
            assert ExtensionRequest.objects.filter(rectification=r, requested_by=actor).exists()
    else:
        with pytest.raises(ActionRefused) as refused:
            _do(action, actor, r)
        assert refused.value.message, "a refusal says why"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message), "the reason is in Chinese"
        assert _snapshot(r) == before, "a refused action changes nothing"


def test_the_submitter_never_closes_their_own_submission(world):
    """Even someone who is both staff and the assignee cannot verify their own request."""
    from partyreview.accounts.models import Role
    from partyreview.organizations.models import Membership

    Membership.objects.create(user=world.alice, organization=world.a1, role=Role.MEMBER)
    r = world.finding(world.a1).rectifications.get()
    services.rectification_update(actor=world.alice, rectification=r, assignee=world.alice)
    services.rectification_record_progress(actor=world.alice, rectification=r, note="进展", files=[pdf_upload()])
    services.rectification_submit(actor=world.alice, rectification=r, summary="完成", files=[])
    with pytest.raises(ActionRefused, match="不能为自己的申请销号"):
        services.rectification_close(actor=world.alice, rectification=r, note="自己核查")
    services.rectification_close(actor=world.gina, rectification=r, note="他人核查")
    r.refresh_from_db()
    assert r.closed_by == world.gina


def test_submitting_without_any_evidence_is_refused(world):
    r = world.rectification(world.a1, state="pending")
    services.rectification_record_progress(actor=world.sam, rectification=r, note="进展，无附件")
    with pytest.raises(ActionRefused, match="佐证材料"):
        services.rectification_submit(actor=world.sam, rectification=r, summary="完成")
    assert Rectification.objects.get(pk=r.pk).status == RectificationStatus.IN_PROGRESS


def test_a_stale_form_is_refused_with_what_changed(world):
    from partyreview.common.errors import StaleEdit

    r = world.rectification(world.a1, state="submitted")
    loaded_version = r.version
    services.rectification_return(
        actor=world.gina, rectification=r, reason="请补充会议记录", expected_version=loaded_version
    )
    with pytest.raises(StaleEdit) as stale:
        services.rectification_close(actor=world.alice, rectification=r, note="同意", expected_version=loaded_version)
    assert "高静" in stale.value.message and "已退回" in stale.value.message
    r.refresh_from_db()
    assert r.status == RectificationStatus.RETURNED and r.verification_note == ""


def test_closing_twice_reports_the_first_closure(world):
    r = world.rectification(world.a1, state="submitted")
    services.rectification_close(actor=world.gina, rectification=r, note="同意销号")
    with pytest.raises(ActionRefused, match="已销号"):
        services.rectification_close(actor=world.alice, rectification=r, note="我也同意")
    r.refresh_from_db()
    assert r.closed_by == world.gina and r.verification_note == "同意销号"
    assert r.history.filter(status=RectificationStatus.CLOSED).count() == 1


def test_approved_extension_moves_due_date_but_never_the_original(world):
    r = world.rectification(world.a1, state="in_progress")
    original = r.original_due_date
    new_date = r.due_date + datetime.timedelta(days=20)
    ext = services.extension_request(actor=world.sam, rectification=r, new_due_date=new_date, reason="需要更多时间")
    services.extension_decide(actor=world.alice, extension=ext, approve=True)
    r.refresh_from_db()
    assert r.due_date == new_date and r.original_due_date == original


def test_extension_to_an_earlier_or_same_date_is_refused(world):
    r = world.rectification(world.a1, state="in_progress")
    with pytest.raises(ActionRefused, match="须晚于当前整改时限"):
        services.extension_request(actor=world.sam, rectification=r, new_due_date=r.due_date, reason="理由")
    assert not ExtensionRequest.objects.exists()


def test_rejecting_an_extension_needs_a_reason_and_keeps_the_deadline(world):
    r = world.rectification(world.a1, state="pending")
    ext = services.extension_request(
        actor=world.mike, rectification=r, new_due_date=r.due_date + datetime.timedelta(days=5), reason="理由"
    )
    with pytest.raises(ActionRefused, match="理由"):
        services.extension_decide(actor=world.alice, extension=ext, approve=False, note="")
    services.extension_decide(actor=world.alice, extension=ext, approve=False, note="时限不变，请抓紧落实")
    r.refresh_from_db()
    ext.refresh_from_db()
    assert ext.status == "rejected" and r.due_date == ext.previous_due_date


def test_measures_are_refused_for_an_assignee_outside_the_organisation_or_a_date_before_the_finding(world):
    finding = world.finding(world.a1)
    with pytest.raises(ActionRefused, match="不属于"):
        services.rectification_create(
            actor=world.alice, finding=finding, measure="措施", assignee=world.mona, due_date=local_today()
        )
    with pytest.raises(ActionRefused, match="早于问题发现日期"):
        services.rectification_create(
            actor=world.alice,
            finding=finding,
            measure="措施",
            assignee=world.mike,
            due_date=finding.found_on - datetime.timedelta(days=1),
        )
    assert finding.rectifications.count() == 1


def test_filing_a_finding_with_a_bad_measure_saves_neither(world):
    from partyreview.inspections.models import Finding

    with pytest.raises(ActionRefused):
        services.finding_file(
            actor=world.alice,
            inspection=world.inspection,
            organization=world.a1,
            category=world.category(),
            description="问题",
            found_on=local_today(),
            measures=[
                services.MeasureInput(measure="好的措施", assignee=world.mike, due_date=local_today()),
                services.MeasureInput(measure="坏的措施", assignee=world.mona, due_date=local_today()),
            ],
        )
    assert not Finding.objects.exists() and not Rectification.objects.exists()


def test_staff_cannot_file_findings_outside_their_scope(world):
    with pytest.raises(ActionRefused, match="不在您的管理范围内"):
        services.finding_file(
            actor=world.gina,
            inspection=world.inspection,
            organization=world.b1,
            category=world.category(),
            description="问题",
            found_on=local_today(),
            measures=[services.MeasureInput(measure="措施", assignee=world.mona, due_date=local_today())],
        )


# ---- 长期坚持: the period report and the end of the keeping-up, on a measure kept up -------------------

# action → (states it starts from, who may do it). A period report moves a pending measure to in_progress
# and leaves any other state as it is; ending changes no state (the measure stays closed).
LONG_TERM_TABLE = {
    "report_period": ({"pending", "in_progress", "submitted", "returned", "closed"}, STAFF_IN | REPORTERS),
    "end_long_term": ({"closed"}, STAFF_IN),
}
LONG_TERM_CASES = [(state, action, persona) for state in STATES for action in LONG_TERM_TABLE for persona in PERSONAS]


def _long_term(world, state: str) -> Rectification:
    r = services.rectification_create(
        actor=world.alice,
        finding=world.finding(world.a1),
        measure="建立制度并长期坚持",
        assignee=world.mike,
        due_date=None,
        kind="long_term",
        report_cadence="quarterly",
    )
    if state == "pending":
        return Rectification.objects.get(pk=r.pk)
    services.rectification_record_progress(actor=world.mike, rectification=r, note="已开展", files=[pdf_upload()])
    if state != "in_progress":
        services.rectification_submit(actor=world.mike, rectification=r, summary="制度已建立", files=[])
        if state == "returned":
            services.rectification_return(actor=world.alice, rectification=r, reason="材料不全")
        elif state == "closed":
            services.rectification_close(actor=world.alice, rectification=r, note="阶段性完成")
    r = Rectification.objects.get(pk=r.pk)
    assert r.status == state
    return r


def _do_long_term(action: str, actor, r: Rectification):
    if action == "report_period":
        return services.rectification_report_period(actor=actor, rectification=r, note="本期落实情况")
    return services.rectification_end_long_term(actor=actor, rectification=r, reason="已固化为常态")


@pytest.mark.parametrize(("state", "action", "persona"), LONG_TERM_CASES)
def test_every_state_action_and_persona_of_a_long_term_measure_follows_its_table(world, state, action, persona):
    r = _long_term(world, state)
    actor = getattr(world, PERSONAS[persona])
    allowed_states, allowed_personas = LONG_TERM_TABLE[action]
    before = _snapshot(r)

    if state in allowed_states and persona in allowed_personas:
        _do_long_term(action, actor, r)
        r.refresh_from_db()
        latest = r.history.first()
        assert latest.history_user_id == actor.pk
        if action == "report_period":
            assert r.status == ("in_progress" if state == "pending" else state)
            assert r.progress_updates.filter(kind="period_report", author=actor).exists()
        else:
            assert r.status == "closed" and r.long_term_ended_at is not None
    else:
        with pytest.raises(ActionRefused) as refused:
            _do_long_term(action, actor, r)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message), "the reason is in Chinese"
        assert _snapshot(r) == before, "a refused action changes nothing"
