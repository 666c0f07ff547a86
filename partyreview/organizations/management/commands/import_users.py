"""python manage.py import_users 人员.xlsx [--dry-run] [--deactivate-missing] [--passwords-out 初始密码.csv]

The same import as the administrators' page. New accounts get one-time passwords, written once to
``--passwords-out`` (a CSV Excel opens) or, without it, to the terminal; they are stored only as hashes.
"""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.common.errors import ActionRefused
from partyreview.intake.onboarding import commands
from partyreview.intake.onboarding.people import InitialPassword, apply_people, plan_people

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def passwords_csv(passwords: list[InitialPassword]) -> bytes:
    """The initial passwords as a CSV with a BOM (so Excel reads the Chinese), cells that would start a
    formula quoted as text."""

    def safe(text: str) -> str:
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "登录名", "所在党组织", "初始密码"])
    for p in passwords:
        writer.writerow([safe(p.name), safe(p.login), safe(p.organization), p.password])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class Command(BaseCommand):
    help = "从 Excel（.xlsx、.xls）导入人员账号与任职，新账号生成初始密码（首次登录须修改），全部检查通过才导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="人员 .xlsx 或 .xls 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入任何数据")
        parser.add_argument("--deactivate-missing", action="store_true", help="停用文件中已没有的人员的账号（不删除）")
        parser.add_argument("--passwords-out", help="把新账号的初始密码写入此 CSV 文件（只此一次）")
        parser.add_argument("--user", help="以哪位系统管理员的名义导入（用户名，记入变更记录）")

    def handle(self, *args, **options) -> None:
        data = commands.file_bytes(options["file"])
        actor = commands.actor_named(options["user"])
        target = Path(options["passwords_out"]) if options["passwords_out"] else None
        if target is not None and target.exists():
            raise CommandError(f"文件已存在，不会覆盖：{target}")
        try:
            plan = plan_people(data)
            missing = [f"{u.display_name}（{u.username}）" for u in plan.missing]
            commands.report(self.stdout.write, plan, missing_label="文件中已没有的人员", missing=missing)
            summary = f"新增 {plan.count('新增')} 人、更新 {plan.count('更新')} 人、不变 {plan.count('不变')} 人"
            if options["dry_run"]:
                self.stdout.write(self.style.SUCCESS(f"检查通过（未写入）：将{summary}。"))
                return
            result = apply_people(plan, actor=actor, deactivate_missing=options["deactivate_missing"])
        except ActionRefused as refused:
            raise CommandError(refused.message) from None
        if result.passwords:
            if target is not None:
                target.write_bytes(passwords_csv(result.passwords))
                target.chmod(0o600)
                self.stdout.write(f"{len(result.passwords)} 个初始密码已写入 {target}，请妥善分发后删除该文件。")
            else:
                for p in result.passwords:
                    self.stdout.write(f"{p.name}\t{p.login}\t{p.organization}\t{p.password}")
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {result.created} 人、更新 {result.updated} 人、不变 {result.unchanged} 人，"
                f"停用 {result.deactivated} 人。"
            )
        )
