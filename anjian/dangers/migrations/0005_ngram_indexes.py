"""Indexes for province-scale lists and search (issue 8): `anjian_ngrams` GIN indexes on PostgreSQL (core.search)."""

from django.db import migrations

#: (table, column) searched by substring through the ``ngram`` lookup.
NGRAM_COLUMNS = [("dangers_hiddendanger", "title")]

#: (table, column) searched by prefix (``^field`` in ``search_q``).
PREFIX_COLUMNS = [("dangers_hiddendanger", "code")]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import create_ngram_index, create_prefix_index

    for table, column in NGRAM_COLUMNS:
        create_ngram_index(apps, schema_editor, table, column)
    for table, column in PREFIX_COLUMNS:
        create_prefix_index(apps, schema_editor, table, column)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import drop_ngram_index, drop_prefix_index

    for table, column in NGRAM_COLUMNS:
        drop_ngram_index(apps, schema_editor, table, column)
    for table, column in PREFIX_COLUMNS:
        drop_prefix_index(apps, schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [("dangers", "0004_completion_day_sums"), ("core", "0006_ngram_function")]

    operations = [migrations.RunPython(create, drop)]
