"""The 整改报告期限 and 回头看 reminders end to end: two real Celery workers sweep at the same moment through
Redis, and the inspection's staff get one mail listing the report and the check, once.

Needs PostgreSQL and TEST_REDIS_URL, like the other integration tests (tests/reminders/integration.py).
"""

import collections
import datetime

import pytest
from django.utils import timezone

from partyreview.common.dates import local_today
from partyreview.inspections.models import Inspection
from partyreview.rectifications.models import FollowUpReview, Rectification, RectificationStatus
from partyreview.reminders.models import ReminderItem, ReminderKind, SweepRun, SweepStatus, SweepTrigger
from tests.reminders.integration import build_overdue_world, wait_until
from tests.reminders.test_integration_delivery import settle, start_workers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_workers_sweeping_at_once_send_the_staff_one_mail_with_the_report_and_the_check(
    processes, broker_queue, smtp, policy
):
    from partyreview.reminders import tasks

    world = build_overdue_world(branches=2, assignees_per_branch=2, per_assignee=2, days_overdue=1)
    in_three_days = local_today() + datetime.timedelta(days=3)
    inspection = Inspection.objects.get(inspecting_org=world.committee)
    Inspection.objects.filter(pk=inspection.pk).update(report_due_date=in_three_days)
    checked = Rectification.objects.filter(finding__inspection=inspection).first()
    Rectification.objects.filter(pk=checked.pk).update(
        status=RectificationStatus.CLOSED, closed_at=timezone.now(), closed_by=world.staff
    )
    FollowUpReview.objects.create(
        rectification=checked, inspector=world.staff, due_date=in_three_days, created_by=world.staff
    )
    start_workers(processes, broker_queue, smtp, count=2)

    tasks.reminders_sweep.delay(trigger=SweepTrigger.COMMAND)
    tasks.reminders_sweep.delay(trigger=SweepTrigger.COMMAND)

    wait_until(lambda: SweepRun.objects.filter(status=SweepStatus.DONE).count() == 2, timeout=120, message="sweeps")
    people = [*world.assignees, *world.secretaries, world.staff]
    wait_until(lambda: len(smtp.received) >= len(people), timeout=120, message="mail")
    settle(3)
    assert collections.Counter(m.to[0] for m in smtp.received) == {u.email: 1 for u in people}
    staff_mail = next(m for m in smtp.received if m.to == [world.staff.email])
    assert f"报送“{inspection.title}”整改情况报告" in staff_mail.text
    assert f"整改报告期限：{in_three_days:%Y-%m-%d}" in staff_mail.text
    assert f"回头看：{checked.measure}" in staff_mail.text
    assert f"/inspections/{inspection.pk}/" in staff_mail.text
    # One claim each, whichever of the two sweeps made it.
    mine = ReminderItem.objects.filter(recipient=world.staff)
    assert sorted(mine.values_list("kind", "offset")) == [
        (ReminderKind.FOLLOW_UP_DUE, -3),
        (ReminderKind.REPORT_DUE, -3),
    ]
