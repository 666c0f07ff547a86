"""``python manage.py send_reminders [--date YYYY-MM-DD]``: the reminder sweep on demand or from cron.

The same service as the scheduled sweep; running it again sends nothing twice.
"""

import datetime

from django.core.management.base import BaseCommand, CommandParser

from partyreview.common.commands import date_argument
from partyreview.reminders.models import SweepTrigger
from partyreview.reminders.services import reminders_sweep


class Command(BaseCommand):
    help = "执行一次整改提醒扫描：认领应发的提醒，生成每人一份的摘要，并交给后台任务发送。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date_argument, default=None, help="按该日期（北京时间）扫描，默认今天")

    def handle(self, *args, date: datetime.date | None = None, **options) -> None:
        run = reminders_sweep(day=date, trigger=SweepTrigger.COMMAND)
        self.stdout.write(
            f"{run.day:%Y-%m-%d} 提醒扫描完成：新提醒事项 {run.items} 条，接收人 {run.recipients} 位，"
            f"站内通知 {run.notifications} 条，邮件 {run.emails} 封，群机器人消息 {run.webhooks} 条"
            f"（用时 {run.duration_seconds:.1f} 秒）。"
        )
