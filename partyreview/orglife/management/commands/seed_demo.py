"""The demo world for `make run`: lives in orglife, the app above the rectifications it seeds first, so the
dependency order of docs/architecture.md holds for commands too."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyreview.orglife.demo import seed_orglife_demo
from partyreview.rectifications.demo import DEMO_USERS, demo_exists, seed_demo


class Command(BaseCommand):
    help = "写入演示数据（党组织、演示账号、检查、问题与整改措施）。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="在 DJANGO_DEBUG 关闭时也写入（仅用于演示环境）")

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DJANGO_DEBUG 已关闭：演示数据只用于开发和演示环境。确需写入请加 --force。")
        if demo_exists():
            self.stdout.write("演示数据已存在，未重复写入。")
        else:
            seed_demo()
            seed_orglife_demo()
            self.stdout.write(self.style.SUCCESS("演示数据已写入。"))
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        for username, _name, _role, _org, note in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {note}")
