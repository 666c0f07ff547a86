from django.db import migrations


def seed(apps, schema_editor):
    from partyreview.inspections.categories import ensure_standard_categories

    ensure_standard_categories(apps.get_model("inspections", "Category"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
