"""Search of 600,000 people on SQLite (issue 8; see core.search): vocabularies of names and jobs, and the plain
indexes the ``prefix`` lookup reads (on PostgreSQL both exist since 0003 as GIN and pattern indexes)."""

from importlib import import_module

from django.db import migrations

#: (table, column, needs its own index): the name has the list's (name, id) index already.
VOCABULARY_COLUMNS = [("people_person", "name", False), ("people_person", "job", True)]

#: The prefix-searched columns: 0003's own list (its indexes were PostgreSQL-only then).
PREFIX_COLUMNS = import_module("anjian.people.migrations.0003_ngram_indexes").PREFIX_COLUMNS


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import create_prefix_index, create_vocabulary

    if schema_editor.connection.vendor != "sqlite":
        return
    for table, column, index in VOCABULARY_COLUMNS:
        create_vocabulary(apps, schema_editor, table, column, index=index)
    for table, column in PREFIX_COLUMNS:
        create_prefix_index(apps, schema_editor, table, column)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import drop_prefix_index, drop_vocabulary

    if schema_editor.connection.vendor != "sqlite":
        return
    for table, column, _index in VOCABULARY_COLUMNS:
        drop_vocabulary(apps, schema_editor, table, column)
    for table, column in PREFIX_COLUMNS:
        drop_prefix_index(apps, schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_list_order_indexes"), ("core", "0008_search_vocabulary")]

    operations = [migrations.RunPython(create, drop)]
