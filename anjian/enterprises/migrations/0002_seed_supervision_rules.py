"""Seed the 三个必须 table (industry → supervising department) from the plan (``anjian.enterprises.seed``)."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.enterprises.seed import SUPERVISION_RULES

    OrgUnit = apps.get_model("orgs", "OrgUnit")
    SupervisionRule = apps.get_model("enterprises", "SupervisionRule")
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={code for code, _ in SUPERVISION_RULES.values()})}
    for industry, (code, note) in SUPERVISION_RULES.items():
        if code in units:
            SupervisionRule.objects.get_or_create(industry=industry, defaults={"unit": units[code], "note": note})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial"), ("orgs", "0002_seed_units")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
