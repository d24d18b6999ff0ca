"""Readings become a table partitioned by day on PostgreSQL (no-op on SQLite)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from anjian.monitoring.partitions import make_partitioned

    make_partitioned(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
