"""``python manage.py seed_scale --branches 1000 --findings 100000 [--seed 1]``: benchmark data.

Writes a committee of the given size into an empty database (see partyreview/rectifications/scale.py).
Run again with the same parameters it does nothing, so ``make bench`` can call it every time.
"""

import datetime
import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.common.commands import date_argument
from partyreview.organizations.models import Organization
from partyreview.rectifications.scale import ScaleSpec, scale_seed, scale_summary, seeded_marker


class Command(BaseCommand):
    help = "写入规模测试数据（上千个党支部、多年的检查、问题与整改措施），只用于性能测试的空数据库。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--branches", type=int, default=1000, help="党支部数量（默认 1000）")
        parser.add_argument("--findings", type=int, default=100_000, help="问题数量（默认 100000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同参数得到相同数据（默认 1）")
        parser.add_argument("--years", type=int, default=5, help="检查分布的年数（默认 5）")
        parser.add_argument("--today", type=date_argument, default=None, help="以该日期为“今天”生成（默认今天）")
        parser.add_argument("--summary", action="store_true", help="写入后以 JSON 输出数据分布")

    def handle(
        self,
        *args: object,
        branches: int,
        findings: int,
        seed: int,
        years: int,
        today: datetime.date | None,
        summary: bool,
        **options: object,
    ) -> None:
        if branches < 1 or findings < 1 or years < 1:
            raise CommandError("党支部数、问题数和年数都必须是正整数。")
        spec = ScaleSpec(branches=branches, findings=findings, seed=seed, years=years)
        if today is not None:
            spec = ScaleSpec(branches=branches, findings=findings, seed=seed, years=years, today=today)
        existing = seeded_marker()
        if existing == spec.marker:
            self.stdout.write(f"规模测试数据 {spec.marker} 已存在，未重复写入。")
        elif existing is not None or Organization.objects.exists():
            # Never mixed into other data: the numbers would mean nothing, and a production database
            # must not receive thousands of test users by a mistyped DATABASE_URL.
            raise CommandError(
                f"数据库中已有其他数据（{existing or '党组织'}）。规模测试数据只写入空数据库，请换一个数据库。"
            )
        else:
            started = time.monotonic()
            counts = scale_seed(spec, say=self.stdout.write)
            written = "，".join(f"{k} {v:,}" for k, v in counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"规模测试数据 {spec.marker} 已写入（{time.monotonic() - started:.0f} 秒）：{written}"
                )
            )
        if summary:
            self.stdout.write(json.dumps(scale_summary(), ensure_ascii=False, indent=1))
