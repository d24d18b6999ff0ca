"""The ``anjian_ngrams`` SQL function behind indexed Chinese substring search (PostgreSQL only; see core.search)."""

from django.db import migrations


def create_function(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from anjian.core.search import NGRAM_FUNCTION_SQL

    schema_editor.execute(NGRAM_FUNCTION_SQL)


def drop_function(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS anjian_ngrams(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_jobrun")]

    operations = [migrations.RunPython(create_function, drop_function)]
