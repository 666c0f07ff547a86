"""python manage.py import_findings FILE --inspection 12 --user staff [--dry-run [--json]]

FILE: an Excel ledger (.xlsx, any office's layout) or a feedback document (反馈意见: .docx or .txt).

The same import as the web page, for bulk loads: the same reading, the same plan, all or nothing, and
re-running it on the same file creates nothing new. ``--dry-run --json`` prints the plan as one JSON object,
exactly what the browser's preview shows (docs/decisions/import-format.md).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.accounts.models import User
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Inspection
from partyreview.intake import services
from partyreview.intake.plan import Plan


class Command(BaseCommand):
    help = "从 Excel 整改台账或问题清单导入问题与整改措施（与网页导入相同的识别与校验，全部成功才导入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="整改台账或问题清单（.xlsx，各单位自己的格式均可），或反馈意见（.docx、.txt）")
        parser.add_argument("--inspection", type=int, required=True, help="检查的 ID")
        parser.add_argument("--user", required=True, help="以哪位党务工作人员的名义导入（用户名）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入任何数据")
        parser.add_argument("--json", action="store_true", help="与 --dry-run 同用：以一个 JSON 对象输出导入计划")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if options["json"] and not options["dry_run"]:
            raise CommandError("--json 只能与 --dry-run 一起使用。")
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
                    data = services.read_upload(stream, name=path.name)
                    plan = services.findings_plan_file(actor=actor, inspection=inspection, data=data)
                    if options["json"]:
                        self.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
                        return
                    self._report_plan(plan)
                    return
                result = services.findings_import_file(
                    actor=actor, inspection=inspection, stream=stream, name=path.name
                )
        except ActionRefused as refused:
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "findings": [],
                            "errors": [{"row": None, "column": "", "message": refused.message}],
                            "warnings": [],
                        },
                        ensure_ascii=False,
                        indent=2,
                    )
                )
                raise CommandError(refused.message) from None
            raise CommandError(refused.message) from None
        self.stdout.write(self.style.SUCCESS(f"导入完成：{result}。"))

    def _report_plan(self, plan: Plan) -> None:
        for warning in plan.warnings:
            self.stdout.write(f"提示：{warning}")
        if plan.errors:
            listed = "\n".join(str(e) for e in plan.errors)
            raise CommandError(f"文件中有 {len(plan.errors)} 处错误：\n{listed}")
        self.stdout.write(
            self.style.SUCCESS(
                f"检查通过（未写入）：将新建问题 {len(plan.findings)} 个、整改措施 {plan.measure_count} 项，"
                f"跳过 {len(plan.skipped)} 个已存在的问题。"
            )
        )
