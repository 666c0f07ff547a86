from django.db import migrations


def create_policy(apps, schema_editor):
    # The defaults of domain.md (Reminders); administrators change them in the admin.
    apps.get_model("reminders", "ReminderPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
