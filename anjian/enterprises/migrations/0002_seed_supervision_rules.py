"""Seed the 三个必须 table (industry → supervising department) from the plan (``anjian.enterprises.seed``)."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.enterprises import seed

    seed.load(apps.get_model("orgs", "OrgUnit"), apps.get_model("enterprises", "SupervisionRule"))


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial"), ("orgs", "0002_seed_units")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
