"""Indexes for province-scale lists and search (issue 8): `anjian_ngrams` GIN indexes on PostgreSQL (core.search)."""

from django.db import migrations

#: (table, column) searched by substring through the ``ngram`` lookup.
NGRAM_COLUMNS = [("people_person", "name"), ("people_person", "job")]

#: (table, column) searched by prefix (``^field`` in ``search_q``): numbers, and the few-valued issuer, course
#: and provider (a substring of a value a million rows share narrows nothing; a GIN index would slow every write).
PREFIX_COLUMNS = [
    ("people_person", "id_number"),
    ("people_person", "phone"),
    ("people_certificate", "number"),
    ("people_certificate", "issuer"),
    ("people_trainingrecord", "course"),
    ("people_trainingrecord", "provider"),
]


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
    dependencies = [("people", "0002_certificate_superseded"), ("core", "0006_ngram_function")]

    operations = [migrations.RunPython(create, drop)]
