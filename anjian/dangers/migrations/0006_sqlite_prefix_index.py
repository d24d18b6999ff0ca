"""The plain index the ``prefix`` lookup of a hidden danger's code reads on SQLite (issue 8; PostgreSQL: 0005)."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import create_prefix_index

    if schema_editor.connection.vendor == "sqlite":
        create_prefix_index(apps, schema_editor, "dangers_hiddendanger", "code")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import drop_prefix_index

    if schema_editor.connection.vendor == "sqlite":
        drop_prefix_index(apps, schema_editor, "dangers_hiddendanger", "code")


class Migration(migrations.Migration):
    dependencies = [("dangers", "0005_ngram_indexes")]

    operations = [migrations.RunPython(create, drop)]
