"""python manage.py import_findings 问题清单.xlsx --inspection 12 --user staff

The same importer as the web page, for bulk loads: the same checks and messages, all or nothing, and
re-running it on the same file creates nothing new.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.accounts.models import User
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Inspection
from partyreview.office import importers, services


class Command(BaseCommand):
    help = "从 Excel（.xlsx）问题清单导入问题与整改措施（与网页导入相同的校验，全部成功才导入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="按导入模板填写的 .xlsx 文件")
        parser.add_argument("--inspection", type=int, required=True, help="检查的 ID")
        parser.add_argument("--user", required=True, help="以哪位党务工作人员的名义导入（用户名）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入任何数据")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"找不到用户：{options['user']}") from None
        try:
            inspection = Inspection.objects.select_related("inspecting_org").get(pk=options["inspection"])
        except Inspection.DoesNotExist:
            raise CommandError(f"找不到检查：{options['inspection']}") from None

        try:
            with path.open("rb") as stream:
                if options["dry_run"]:
                    rows = importers.read_workbook(stream)
                    plan = importers.plan_import(actor=actor, inspection=inspection, rows=rows)
                    self._report_plan(plan)
                    return
                result = services.findings_import_file(
                    actor=actor, inspection=inspection, stream=stream, name=path.name
                )
        except ActionRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(self.style.SUCCESS(f"导入完成：{result}。"))

    def _report_plan(self, plan: importers.ImportPlan) -> None:
        for skipped in plan.skipped:
            self.stdout.write(f"第{skipped.rows[0]}行（序号 {skipped.sequence}）：{skipped.note}")
        if plan.errors:
            raise CommandError(f"文件中有 {len(plan.errors)} 处错误：\n{importers.errors_text(plan.errors)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"检查通过（未写入）：将新建问题 {len(plan.findings)} 个、整改措施 {plan.measure_count} 项，"
                f"跳过 {len(plan.skipped)} 个已存在的问题。"
            )
        )
