"""Load the zone's units, aliases and groups named by the plan (``anjian.orgs.seed``)."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.orgs import seed

    seed.load(apps.get_model("orgs", "OrgUnit"), apps.get_model("orgs", "OrgAlias"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
