"""``manage.py send_reminders``: the same sweep, from cron or by hand."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partyreview.reminders.models import SweepRun, SweepTrigger
from tests.reminders.helpers import due


def test_send_reminders_sweeps_the_given_day_and_reports(world, policy, clock):
    world.rectification(due_in=3)
    out = StringIO()
    call_command("send_reminders", "--date", due(3).isoformat(), stdout=out)
    run = SweepRun.objects.get()
    assert (run.day, run.trigger, run.items) == (due(3), SweepTrigger.COMMAND, 2)
    assert f"{due(3):%Y-%m-%d} 提醒扫描完成：新提醒事项 2 条，接收人 2 位" in out.getvalue()

    again = StringIO()
    call_command("send_reminders", "--date", due(3).isoformat(), stdout=again)
    assert "新提醒事项 0 条" in again.getvalue()


def test_send_reminders_defaults_to_today(world, policy, clock):
    call_command("send_reminders", stdout=StringIO())
    assert SweepRun.objects.get().day == due(0)


def test_a_malformed_date_is_refused_readably(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026/03/02")
