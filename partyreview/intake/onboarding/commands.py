"""What the two import commands share: reading the file, the actor, and reporting a plan."""

from pathlib import Path

from django.core.management.base import CommandError

from partyreview.accounts.models import User
from partyreview.organizations.permissions import is_admin

MAX_LISTED = 50


def file_bytes(name: str) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"找不到文件：{path}")
    return path.read_bytes()


def actor_named(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not is_admin(user):
        raise CommandError(f"找不到系统管理员：{username}")
    return user


def report(write: object, plan: object, *, missing_label: str, missing: list[str]) -> None:
    """Notes, then every error (or raise), then the missing ones."""
    for note in plan.notes:
        write(note)
    errors = plan.errors + plan.row_errors
    if errors:
        listed = "\n".join(errors[:MAX_LISTED])
        more = f"\n……另有 {len(errors) - MAX_LISTED} 处" if len(errors) > MAX_LISTED else ""
        raise CommandError(f"文件中有 {len(errors)} 处错误，未导入任何内容：\n{listed}{more}")
    if missing:
        write(f"{missing_label}（{len(missing)}）：{'、'.join(missing[:MAX_LISTED])}")
