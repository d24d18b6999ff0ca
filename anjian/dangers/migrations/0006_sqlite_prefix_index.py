"""The plain index the ``prefix`` lookup of a hidden danger's code reads on SQLite (issue 8; PostgreSQL: 0005)."""

from importlib import import_module

from django.db import migrations

#: 0005's prefix-searched columns (its indexes were PostgreSQL-only then).
PREFIX_COLUMNS = import_module("anjian.dangers.migrations.0005_ngram_indexes").PREFIX_COLUMNS


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import create_prefix_index

    if schema_editor.connection.vendor == "sqlite":
        for table, column in PREFIX_COLUMNS:
            create_prefix_index(apps, schema_editor, table, column)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import drop_prefix_index

    if schema_editor.connection.vendor == "sqlite":
        for table, column in PREFIX_COLUMNS:
            drop_prefix_index(apps, schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [("dangers", "0005_ngram_indexes")]

    operations = [migrations.RunPython(create, drop)]
