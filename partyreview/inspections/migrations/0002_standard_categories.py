from django.db import migrations


def seed(apps, schema_editor):
    from partyreview.inspections.categories import STANDARD_CATEGORIES

    Category = apps.get_model("inspections", "Category")
    for order, (code, name, description, days) in enumerate(STANDARD_CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "default_days": days, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
