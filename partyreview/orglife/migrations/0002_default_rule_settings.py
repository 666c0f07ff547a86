from django.db import migrations


def seed(apps, schema_editor):
    # The rule table's defaults, one row per organisation kind and rule, so administrators see and edit
    # every rule in the admin. Later changes to the defaults in rules.py do not overwrite edited rows.
    from partyreview.organizations.models import OrganizationKind
    from partyreview.orglife.rules import RULES, default_config

    RuleSetting = apps.get_model("orglife", "RuleSetting")
    for kind in OrganizationKind.values:
        for code in RULES:
            cfg = default_config(kind, code)
            RuleSetting.objects.get_or_create(
                organization_kind=kind,
                rule=code,
                defaults={
                    "is_enabled": cfg.enabled,
                    "period": cfg.period,
                    "threshold": cfg.threshold,
                    "term_years": cfg.term_years if code in ("term_ending", "term_expired") else None,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
