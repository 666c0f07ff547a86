import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.common.commands import date_argument
from partyreview.orglife.services import org_life_check


class Command(BaseCommand):
    help = "按组织生活规则检查各党组织（“三会一课”、党费、换届、支委会设置），对新发现的问题生成建议问题。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date_argument, help="按哪一天检查（YYYY-MM-DD，北京时间），默认今天")
        parser.add_argument("--periods", type=int, default=1, help="会议类规则回看几个已结束的周期，默认 1")
        parser.add_argument("--no-notify", action="store_true", help="不给党务工作人员发站内通知")

    def handle(
        self,
        *args: object,
        date: datetime.date | None = None,
        periods: int = 1,
        no_notify: bool = False,
        **options: object,
    ) -> None:
        if periods < 1 or periods > 36:
            raise CommandError("--periods 须在 1 至 36 之间。")
        result = org_life_check(as_of=date, lookback=periods, notify=not no_notify)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.as_of:%Y-%m-%d}：检查党组织 {result.organizations} 个，发现问题 {result.breaches} 项，"
                f"新增建议问题 {result.created} 条。"
            )
        )
