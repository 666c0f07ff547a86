"""其他 gets a default deadline (60 days) like every other standard category: an imported ledger row whose
deadline names no date takes its category's default, and 其他 is where unclassifiable problems go.
An administrator's own value is left alone."""

from django.db import migrations


def forwards(apps, schema_editor):
    Category = apps.get_model("inspections", "Category")
    Category.objects.filter(code="other", default_days__isnull=True).update(default_days=60)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_start_date_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
