"""The nightly check: suggestions raised once per organisation, rule and period; confirmed into findings or
dismissed for good; the Celery task and the management command around it."""

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from partyreview.accounts.models import Notification, User
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import FindingSource, InspectionKind
from partyreview.inspections.services import inspection_create
from partyreview.orglife import services
from partyreview.orglife.models import Breach, BreachStatus
from partyreview.orglife.tasks import check_org_life
from tests.conftest import World
from tests.orglife.conftest import beijing, hold

APRIL_1 = datetime.date(2026, 4, 1)
MAY_1 = datetime.date(2026, 5, 1)


def keys() -> list[tuple[str, str, str]]:
    return sorted(Breach.objects.values_list("organization__code", "rule", "period_key"))


def test_running_the_check_twice_creates_no_duplicates(world, branch):
    first = services.org_life_check(as_of=APRIL_1)
    assert first.created == len(keys()) > 0
    before = keys()
    second = services.org_life_check(as_of=APRIL_1)
    assert second.created == 0
    assert second.breaches == first.breaches
    assert keys() == before
    assert len(before) == len(set(before))


def test_the_database_refuses_a_second_suggestion_for_the_same_period(world, branch):
    services.org_life_check(as_of=APRIL_1)
    existing = Breach.objects.first()
    existing.pk = None
    with pytest.raises(IntegrityError):
        existing.save()


def test_each_branch_rule_and_period_is_raised_with_its_category(world, branch):
    services.org_life_check(as_of=APRIL_1)
    theme = Breach.objects.get(organization=branch, rule="theme_day", period_key="2026-03")
    assert theme.category.code == "meeting_lapses"
    assert theme.light == 3
    assert theme.status == BreachStatus.SUGGESTED
    assert theme.period_label == "2026年3月"
    assert (theme.period_start, theme.period_end) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert "主题党日0次" in theme.description


def test_a_new_period_raises_a_new_suggestion(world, branch):
    services.org_life_check(as_of=APRIL_1)
    services.org_life_check(as_of=MAY_1)
    assert Breach.objects.filter(organization=branch, rule="theme_day").count() == 2


def test_a_dismissed_suggestion_does_not_come_back_for_the_same_period(world, branch):
    services.org_life_check(as_of=APRIL_1)
    theme = Breach.objects.get(organization=branch, rule="theme_day", period_key="2026-03")
    services.breach_dismiss(actor=world.alice, breach=theme, reason="已召开，漏录，已补录")
    services.org_life_check(as_of=APRIL_1)
    services.org_life_check(as_of=datetime.date(2026, 4, 20))
    rows = Breach.objects.filter(organization=branch, rule="theme_day", period_key="2026-03")
    assert [(b.status, b.decision_note) for b in rows] == [(BreachStatus.DISMISSED, "已召开，漏录，已补录")]


def test_dismissing_needs_a_reason_and_happens_once(world, branch):
    services.org_life_check(as_of=APRIL_1)
    breach = Breach.objects.filter(organization=branch).first()
    with pytest.raises(ActionRefused, match="驳回理由"):
        services.breach_dismiss(actor=world.alice, breach=breach, reason="  ")
    services.breach_dismiss(actor=world.alice, breach=breach, reason="不属实")
    with pytest.raises(ActionRefused, match="已由 王爱丽 处理"):
        services.breach_dismiss(actor=world.gina, breach=breach, reason="再驳回")


def _confirm(world: World, breach: Breach, actor: User | None = None, **kwargs: object) -> Breach:
    return services.breach_confirm(
        actor=actor or world.alice,
        breach=breach,
        measure="按月召开主题党日",
        assignee=world.mike,
        due_date=local_today() + datetime.timedelta(days=30),
        **kwargs,
    )


def test_confirming_files_a_finding_from_the_system_rule_in_the_yearly_routine_inspection(world, branch):
    services.org_life_check(as_of=APRIL_1)
    theme = Breach.objects.get(organization=branch, rule="theme_day")
    lecture = Breach.objects.get(organization=branch, rule="party_lecture")
    confirmed = _confirm(world, theme)
    finding = confirmed.finding
    assert confirmed.status == BreachStatus.CONFIRMED
    assert (finding.source, finding.category.code, finding.organization) == (
        FindingSource.RULE,
        "meeting_lapses",
        branch,
    )
    assert finding.description == theme.description
    assert [r.measure for r in finding.rectifications.all()] == ["按月召开主题党日"]
    inspection = finding.inspection
    assert inspection.title == f"组织生活自动检查（{local_today().year}年）"
    assert (inspection.kind, inspection.inspecting_org) == (InspectionKind.ROUTINE, world.committee)
    # The next confirmation of the year goes into the same inspection.
    assert _confirm(world, lecture).finding.inspection == inspection
    with pytest.raises(ActionRefused, match="已由 王爱丽 处理"):
        _confirm(world, theme)


def test_staff_of_a_general_branch_file_into_their_own_routine_inspection(world, branch):
    services.org_life_check(as_of=APRIL_1)
    confirmed = _confirm(world, Breach.objects.get(organization=branch, rule="theme_day"), actor=world.gina)
    assert confirmed.finding.inspection.inspecting_org == world.general_a


def test_staff_may_choose_the_inspection_to_file_under(world, branch):
    services.org_life_check(as_of=APRIL_1)
    special = inspection_create(
        actor=world.alice,
        title="2026年组织生活专项检查",
        kind=InspectionKind.SPECIAL,
        inspecting_org=world.committee,
        inspected_orgs=[branch],
        start_date=datetime.date(2026, 3, 1),
    )
    confirmed = _confirm(world, Breach.objects.get(organization=branch, rule="theme_day"), inspection=special)
    assert confirmed.finding.inspection == special


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("alice", True), ("gina", True), ("root", True), ("leo", False), ("lena", False), ("sam", False), ("sara", False)],
)
def test_who_may_decide_a_suggestion(world, branch, persona, allowed):
    services.org_life_check(as_of=APRIL_1)
    breach = Breach.objects.get(organization=branch, rule="theme_day")
    actor = getattr(world, persona)
    if allowed:
        services.breach_dismiss(actor=actor, breach=breach, reason="不属实")
    else:
        with pytest.raises(ActionRefused):
            services.breach_dismiss(actor=actor, breach=breach, reason="不属实")
        with pytest.raises(ActionRefused):
            _confirm(world, breach, actor=actor)
        assert Breach.objects.get(pk=breach.pk).status == BreachStatus.SUGGESTED


def test_a_failed_confirmation_leaves_the_suggestion_open_and_files_nothing(world, branch):
    services.org_life_check(as_of=APRIL_1)
    breach = Breach.objects.get(organization=branch, rule="theme_day")
    with pytest.raises(ActionRefused):
        services.breach_confirm(
            actor=world.alice, breach=breach, measure="措施", assignee=world.mona, due_date=local_today()
        )  # Mona belongs to B1, not A1
    breach.refresh_from_db()
    assert (breach.status, breach.finding) == (BreachStatus.SUGGESTED, None)
    assert not world.inspection.findings.filter(source=FindingSource.RULE).exists()


def test_staff_covering_new_suggestions_get_one_notification_each(world, branch):
    services.org_life_check(as_of=APRIL_1)
    under_a = Breach.objects.filter(organization__path__startswith=world.general_a.path).count()
    assert 0 < under_a < Breach.objects.count()
    for user, count in ((world.alice, Breach.objects.count()), (world.gina, under_a)):
        (note,) = Notification.objects.filter(recipient=user, kind="orglife_breach")
        assert note.title == f"组织生活检查：{count} 条建议问题待确认"
    assert not Notification.objects.filter(recipient__in=[world.sam, world.leo], kind="orglife_breach").exists()
    services.org_life_check(as_of=APRIL_1)
    assert Notification.objects.filter(kind="orglife_breach").count() == 2  # nothing new, nobody told again


def test_a_compliant_branch_raises_nothing(world, branch):
    for org in (world.a2, world.b1):
        org.is_active = False
        org.save()
    hold(branch, world.sam, ["life_meeting", "member_review"], beijing(2025, 12, 20))
    hold(branch, world.sam, ["branch_assembly", "party_lecture"], beijing(2026, 2, 10))
    hold(branch, world.sam, ["committee_meeting", "group_meeting", "theme_day"], beijing(2026, 3, 5))
    result = services.org_life_check(as_of=APRIL_1)
    assert (result.breaches, result.created) == (0, 0)


def test_the_nightly_task_runs_the_check(world, branch):
    result = check_org_life.delay().get()
    assert result["created"] == Breach.objects.count()
    schedule = settings.CELERY_BEAT_SCHEDULE["orglife-nightly-check"]
    assert schedule["task"] == "partyreview.orglife.tasks.check_org_life"
    assert schedule["schedule"].hour == {settings.ORGLIFE_CHECK_HOUR}


def test_the_command_checks_as_of_a_given_day(world, branch, capsys):
    call_command("check_org_life", "--date", "2026-04-01", "--no-notify")
    out = capsys.readouterr().out
    assert "2026-04-01" in out
    assert f"新增建议问题 {Breach.objects.count()} 条" in out
    assert not Notification.objects.filter(kind="orglife_breach").exists()


def test_the_command_refuses_a_malformed_day_and_checks_nothing(world, branch):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("check_org_life", "--date", "2026/04/01", "--no-notify")
    assert not Breach.objects.exists()
