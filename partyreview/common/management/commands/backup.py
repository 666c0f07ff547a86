from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from partyreview.common.backup import backup_write


class Command(BaseCommand):
    help = "备份全部数据和上传文件到一个 .tar.gz 文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="备份文件路径（默认 var/backups/partyreview-时间.tar.gz）")

    def handle(self, *args: object, path: str | None = None, **options: object) -> None:
        target = Path(path or f"var/backups/partyreview-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        summary = backup_write(target)
        self.stdout.write(self.style.SUCCESS(f"已备份 {summary['rows']} 条记录、{summary['files']} 个文件到 {target}"))
