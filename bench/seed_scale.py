"""``python -m bench.seed_scale --branches 1000 --findings 100000 [--seed 1]``: the benchmark's data.

Writes a committee of the given size into an empty database (bench/scale.py). Run again with the same
parameters it does nothing, so ``make bench`` can call it every time. It lives with the benchmark, not
among the production apps: it writes with COPY and past the services, which only a benchmark may do.
"""

import argparse
import datetime
import json
import os
import sys
import time
from typing import TextIO

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")


class SeedRefused(Exception):
    """The database holds other data, or the arguments make no sense; the message says why, in Chinese."""


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.seed_scale",
        description="写入规模测试数据（上千个党支部、多年的检查、问题与整改措施），只用于性能测试的空数据库。",
    )
    p.add_argument("--branches", type=int, default=1000, help="党支部数量（默认 1000）")
    p.add_argument("--findings", type=int, default=100_000, help="问题数量（默认 100000）")
    p.add_argument("--seed", type=int, default=1, help="随机种子：相同参数得到相同数据（默认 1）")
    p.add_argument("--years", type=int, default=5, help="检查分布的年数（默认 5）")
    p.add_argument("--today", type=_date, default=None, help="以该日期为“今天”生成（默认今天）")
    p.add_argument("--summary", action="store_true", help="写入后以 JSON 输出数据分布")
    return p


def seed_scale(
    *,
    branches: int = 1000,
    findings: int = 100_000,
    seed: int = 1,
    years: int = 5,
    today: datetime.date | None = None,
    summary: bool = False,
    out: TextIO = sys.stdout,
) -> None:
    """Seed (or find already seeded) the data of that size; raises SeedRefused on a database in use."""
    from bench.scale import ScaleSpec, scale_seed, scale_summary, seeded_marker
    from partyreview.organizations.models import Organization

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    if branches < 1 or findings < 1 or years < 1:
        raise SeedRefused("党支部数、问题数和年数都必须是正整数。")
    spec = ScaleSpec(branches=branches, findings=findings, seed=seed, years=years)
    if today is not None:
        spec = ScaleSpec(branches=branches, findings=findings, seed=seed, years=years, today=today)
    existing = seeded_marker()
    if existing == spec.marker:
        say(f"规模测试数据 {spec.marker} 已存在，未重复写入。")
    elif existing is not None or Organization.objects.exists():
        # Never mixed into other data: the numbers would mean nothing, and a production database must not
        # receive thousands of test users by a mistyped DATABASE_URL.
        raise SeedRefused(
            f"数据库中已有其他数据（{existing or '党组织'}）。规模测试数据只写入空数据库，请换一个数据库。"
        )
    else:
        started = time.monotonic()
        counts = scale_seed(spec, say=say)
        written = "，".join(f"{k} {v:,}" for k, v in counts.items())
        say(f"规模测试数据 {spec.marker} 已写入（{time.monotonic() - started:.0f} 秒）：{written}")
    if summary:
        say(json.dumps(scale_summary(), ensure_ascii=False, indent=1))


def main(argv: list[str]) -> int:
    options = parser().parse_args(argv)
    django.setup()
    try:
        seed_scale(**vars(options))
    except SeedRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
