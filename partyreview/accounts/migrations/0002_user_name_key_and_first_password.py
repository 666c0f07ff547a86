from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    # The historical model has no save() override: compute the key with the model module's one function.
    from partyreview.accounts.models import name_search_key

    User = apps.get_model("accounts", "User")
    users = list(User.objects.only("pk", "full_name", "username"))
    for user in users:
        user.name_key = name_search_key(user.full_name or user.username)
    User.objects.bulk_update(users, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(
                default=False,
                help_text="由导入生成初始密码的账号在首次登录后必须先修改密码。",
                verbose_name="首次登录须修改密码",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="name_key",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=200, verbose_name="姓名拼音"
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
