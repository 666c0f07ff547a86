"""A backup restored into an emptied database brings back every record and every file.

Transactional tests: flushing a database (as a restore onto used data does) cannot run inside the
transaction an ordinary test wraps itself in on PostgreSQL."""

from django.core.files.storage import default_storage
from django.core.management import call_command

from partyreview.accounts.models import User
from partyreview.inspections.models import Finding
from partyreview.organizations.models import Organization
from partyreview.rectifications.models import Evidence, Rectification


def _inventory() -> dict:
    return {
        "users": sorted(User.objects.values_list("pk", "username")),
        "orgs": sorted(Organization.objects.values_list("code", "path")),
        "findings": sorted(Finding.objects.values_list("pk", "description")),
        "measures": sorted(Rectification.objects.values_list("pk", "status", "due_date", "version")),
        "history": Rectification.history.count(),
        "evidence": sorted(Evidence.objects.values_list("file", "sha256")),
    }


def test_a_backup_restores_every_record_and_file_into_a_fresh_database(transactional_db, world, tmp_path):
    world.rectification(world.a1, state="closed")
    world.rectification(world.b1, state="returned")
    before = _inventory()
    contents = {name: default_storage.open(name, "rb").read() for name, _ in before["evidence"]}
    assert contents, "the world has evidence files"

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    call_command("flush", "--noinput")
    for name in contents:
        default_storage.delete(name)
    assert not User.objects.exists()

    call_command("restore", str(archive))
    assert _inventory() == before
    for name, body in contents.items():
        assert default_storage.open(name, "rb").read() == body
    # New rows do not collide with restored ids.
    assert world.finding(world.a1).pk > max(pk for pk, _ in before["findings"])


def test_restore_refuses_a_database_that_holds_data_unless_told_to_replace(transactional_db, world, tmp_path):
    import pytest
    from django.core.management.base import CommandError

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--replace")
    assert User.objects.filter(username="alice").exists()
