"""Backup and restore of the whole installation: every database row and every stored file.

A backup is one .tar.gz holding ``data.json`` (Django's portable serialisation, so it restores into
SQLite or PostgreSQL alike, with every primary key kept) and ``files/`` with the stored files under their storage
names. It goes through the storage API, so it works for the file system and S3-compatible storage.
For very large PostgreSQL databases, pg_dump is faster; docs/deployment.md says when to prefer it.
"""

import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import FileField
from django.test.utils import override_settings

# Rebuilt by migrate on the target: copying them would clash with what migrate already wrote.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
MANIFEST = "manifest.json"


def _stored_files() -> list[str]:
    names: set[str] = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, FileField)]
        if not fields or model._meta.app_label == "simple_history":
            continue
        for row in model._default_manager.values_list(*fields):
            names.update(name for name in row if name)
    return sorted(names)


def backup_write(path: Path) -> dict[str, int]:
    """Write a backup archive to ``path``. Returns what it holds (rows, files)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        call_command(
            "dumpdata",
            # Natural keys only for references to rows migrate recreates (content types, permissions);
            # every row keeps its own primary key, so ids in links and bookmarks survive a restore.
            "--natural-foreign",
            *[f"--exclude={e}" for e in EXCLUDED],
            "--output",
            str(data),
            verbosity=0,
        )
        rows = len(json.loads(data.read_text(encoding="utf-8")))
        files = _stored_files()
        with tarfile.open(path, "w:gz") as archive:
            archive.add(data, arcname="data.json")
            for name in files:
                with default_storage.open(name, "rb") as handle:
                    content = handle.read()
                info = tarfile.TarInfo(f"files/{name}")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
            manifest = json.dumps({"rows": rows, "files": len(files)}).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(manifest)
            archive.addfile(info, io.BytesIO(manifest))
    return {"rows": rows, "files": len(files)}


def _database_is_empty() -> bool:
    user_model = apps.get_model("accounts", "User")
    finding_model = apps.get_model("inspections", "Finding")
    return not user_model.objects.exists() and not finding_model.objects.exists()


def backup_restore(path: Path, *, replace: bool = False) -> dict[str, int]:
    """Restore a backup into a migrated database. Refuses a database that holds data unless ``replace``."""
    if not _database_is_empty():
        if not replace:
            raise ValueError("目标数据库中已有数据。恢复会覆盖全部数据，确认请加 --replace。")
        call_command("flush", "--noinput", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "r:gz") as archive:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
        members = archive.getmembers()
        for member in members:
            # Never trust paths inside an archive: only plain files under files/ or the two known names.
            if not member.isfile() or ".." in Path(member.name).parts or member.name.startswith("/"):
                raise ValueError(f"备份文件中有不安全的条目：{member.name}")
        archive.extract("data.json", tmp, filter="data")
        # The archive holds the history rows themselves; recording history for the rows being loaded (raw
        # saves are skipped, but many-to-many sets are not) would write duplicates of them.
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", str(Path(tmp) / "data.json"), verbosity=0)
        files = 0
        for member in members:
            if member.name.startswith("files/"):
                name = member.name.removeprefix("files/")
                content = archive.extractfile(member).read()
                if default_storage.exists(name):
                    default_storage.delete(name)
                saved = default_storage.save(name, ContentFile(content))
                if saved != name:
                    raise ValueError(f"无法按原名恢复文件：{name}")
                files += 1
    if connection.vendor == "postgresql":
        # loaddata writes explicit ids; move sequences past them so new rows do not collide.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
    return {"rows": manifest["rows"], "files": files}
