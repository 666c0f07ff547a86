from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.common.backup import backup_restore


class Command(BaseCommand):
    help = "从备份文件恢复全部数据和上传文件（目标数据库须已 migrate）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="备份文件路径")
        parser.add_argument("--replace", action="store_true", help="目标数据库已有数据时，清空后恢复")

    def handle(self, *args: object, path: str, replace: bool = False, **options: object) -> None:
        if not Path(path).is_file():
            raise CommandError(f"找不到备份文件：{path}")
        try:
            summary = backup_restore(Path(path), replace=replace)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 {summary['rows']} 条记录、{summary['files']} 个文件。"))
