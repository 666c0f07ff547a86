from django.db import migrations


def seed(apps, schema_editor):
    from partyreview.rectifications.measure_library import ensure_standard_measures

    ensure_standard_measures(
        apps.get_model("inspections", "Category"), apps.get_model("rectifications", "StandardMeasure")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_standard_categories"),
        ("rectifications", "0005_measure_library"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
