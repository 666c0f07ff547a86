"""python manage.py import_organizations 党组织.xlsx [--dry-run] [--deactivate-missing] [--user admin]

The same import as the administrators' page: the same checks and messages, all or nothing, and a
repeated import of the same file changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.common.errors import ActionRefused
from partyreview.intake.onboarding import commands
from partyreview.intake.onboarding.tree import apply_tree, plan_tree


class Command(BaseCommand):
    help = "从 Excel（.xlsx、.xls）导入党组织（新增、更名、调整隶属；不删除），全部检查通过才导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="党组织 .xlsx 或 .xls 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入任何数据")
        parser.add_argument(
            "--deactivate-missing", action="store_true", help="把文件中已没有的党组织标记为已撤销（不删除）"
        )
        parser.add_argument("--user", help="以哪位系统管理员的名义导入（用户名，记入变更记录）")

    def handle(self, *args, **options) -> None:
        data = commands.file_bytes(options["file"])
        actor = commands.actor_named(options["user"])
        try:
            plan = plan_tree(data)
            missing = [o.name for o in plan.missing]
            commands.report(self.stdout.write, plan, missing_label="文件中已没有的党组织", missing=missing)
            summary = f"新增 {plan.count('新增')} 个、更新 {plan.count('更新')} 个、不变 {plan.count('不变')} 个党组织"
            if options["dry_run"]:
                self.stdout.write(self.style.SUCCESS(f"检查通过（未写入）：将{summary}。"))
                return
            result = apply_tree(plan, actor=actor, deactivate_missing=options["deactivate_missing"])
        except ActionRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {result.created} 个、更新 {result.updated} 个、不变 {result.unchanged} 个，"
                f"标记撤销 {result.deactivated} 个。"
            )
        )
