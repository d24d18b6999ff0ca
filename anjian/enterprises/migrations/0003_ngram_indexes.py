"""Indexes for province-scale lists and search (issue 8): `anjian_ngrams` GIN indexes on PostgreSQL (core.search)."""

from django.db import migrations

#: (table, column) searched by substring through the ``ngram`` lookup.
NGRAM_COLUMNS = [("enterprises_enterprise", "name")]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import create_ngram_index

    for table, column in NGRAM_COLUMNS:
        create_ngram_index(apps, schema_editor, table, column)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import drop_ngram_index

    for table, column in NGRAM_COLUMNS:
        drop_ngram_index(apps, schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_seed_supervision_rules"), ("core", "0006_ngram_function")]

    operations = [migrations.RunPython(create, drop)]
