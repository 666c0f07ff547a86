"""Every model change has its migration: a field added without one would work in tests (which build the
schema from the models' migrations only if they exist) and fail on the first deployment's ``migrate``."""

from io import StringIO

from django.core.management import call_command


def test_the_models_and_the_migrations_agree(db):
    out = StringIO()
    # --check exits non-zero (SystemExit) when a migration is missing; the output names it.
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
