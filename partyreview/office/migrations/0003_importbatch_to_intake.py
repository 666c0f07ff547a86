"""导入记录 (ImportBatch) now belongs to the intake app (its 0001); the table and its rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("office", "0002_import_in_worker"),
        ("intake", "0001_importbatch_from_office"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ImportBatch")]),
    ]
