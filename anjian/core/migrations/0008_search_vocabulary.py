"""Search at province scale, second step (issue 8; see core.search).

PostgreSQL: ``anjian_ngrams`` rewritten in PL/pgSQL (about four times faster; the same tokens, so the GIN indexes
built with the first version stay valid). SQLite: the tables of the search vocabularies.
"""

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anjian.core.search import NGRAM_FUNCTION_SQL, create_vocabulary_tables

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NGRAM_FUNCTION_SQL)
    create_vocabulary_tables(apps, schema_editor)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for table in ("anjian_vocab_gram", "anjian_vocab", "anjian_seq"):
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_merge_0006_backgroundtask_0006_ngram_function")]

    operations = [migrations.RunPython(forward, backward)]
