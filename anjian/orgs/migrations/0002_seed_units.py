"""Load the zone's units, aliases and groups named by the plan (``anjian.orgs.seed``)."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.orgs import seed

    OrgUnit = apps.get_model("orgs", "OrgUnit")
    OrgAlias = apps.get_model("orgs", "OrgAlias")
    for item in seed.UNITS:
        unit, _ = OrgUnit.objects.get_or_create(
            code=item["code"], defaults={"name": item["name"], "full_name": item["full_name"], "kind": item["kind"]}
        )
        for alias in item["aliases"]:
            OrgAlias.objects.get_or_create(name=alias, defaults={"unit": unit})
    for item in seed.GROUPS:
        group, _ = OrgUnit.objects.get_or_create(
            code=item["code"], defaults={"name": item["name"], "full_name": item["name"], "kind": "group"}
        )
        for alias in item["aliases"]:
            OrgAlias.objects.get_or_create(name=alias, defaults={"unit": group})
        group.members.set(OrgUnit.objects.filter(name__in=item["members"]))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
