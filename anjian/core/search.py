"""Substring search of Chinese text that an index can answer (issue 8: 张 or 化工 among 600,000 people).

Why not ``pg_trgm``: a trigram index only sees characters the database's ``LC_CTYPE`` counts as letters (under
``C.UTF-8`` it does index CJK — ``show_trgm('化工')`` gives three hashed trigrams — but under the plain ``C`` locale
it does not), and even then a ``LIKE '%化工%'`` pattern of one or two characters yields no complete trigram, so the
index cannot narrow it: Chinese searches are mostly one to three characters (a surname, a given name, 化工).

So, on PostgreSQL, an expression GIN index over ``anjian_ngrams(column)`` — the column's lower-cased single
characters and character pairs, an ``IMMUTABLE`` SQL function created by ``core`` migration 0006 — and the lookup
``field__ngram=value``: the index finds the rows holding every pair of the value (or its one character), then the
``ILIKE`` rechecks the exact substring. Locale-independent, exact, and one or two characters are the cheapest case.
On other databases ``ngram`` is ``icontains`` (SQLite scans; its scale is the demo's).

:func:`search_q` builds a search over several fields as a union of per-field subqueries, so each one uses its own
index — an ``OR`` across joined tables cannot use any. Fields named ``"^field"`` match a prefix only (codes and
numbers: ``LIKE 'value%'`` on a ``varchar_pattern_ops`` index where one exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models.lookups import IContains, Lookup
from rest_framework.filters import SearchFilter

__all__ = [
    "NGRAM_FUNCTION_SQL",
    "NGRAM_INDEXED",
    "AnyOfSubquery",
    "IndexedSearchFilter",
    "NgramContains",
    "create_ngram_index",
    "create_prefix_index",
    "drop_ngram_index",
    "drop_prefix_index",
    "ngrams",
    "search_q",
]

#: (table, column) pairs with an ``anjian_ngrams`` GIN index on PostgreSQL (created by the apps' migrations
#: through :func:`create_ngram_index`); :func:`search_q` uses the ``ngram`` lookup only on these.
NGRAM_INDEXED: frozenset[tuple[str, str]] = frozenset(
    {
        ("enterprises_enterprise", "name"),
        ("people_person", "name"),
        ("people_person", "job"),
        ("dangers_hiddendanger", "title"),
    }
)

#: The tokens of a text: its lower-cased characters and pairs of adjacent characters.
NGRAM_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION anjian_ngrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(lower(t), i, 1) AS g FROM generate_series(1, char_length(t)) AS i
    UNION ALL
    SELECT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) AS i
  ) AS grams
$$
"""


def ngrams(value: str) -> list[str]:
    """The tokens every row containing ``value`` holds: its pairs, or its single character."""
    text = value.lower()
    if len(text) <= 1:
        return [text] if text else []
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


@models.CharField.register_lookup
@models.TextField.register_lookup
class NgramContains(IContains):
    """``field__ngram="化工"``: ``icontains``, answered on PostgreSQL by the field's ``anjian_ngrams`` GIN index."""

    lookup_name = "ngram"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        # The database's own ``icontains`` operator (backends know no "ngram").
        return str(connection.operators["icontains"] % rhs)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = super().as_sql(compiler, connection)
        tokens = ngrams(str(self.rhs))
        if not tokens:
            return sql, list(params)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"(anjian_ngrams({lhs}) @> %s::text[] AND {sql})", [*lhs_params, tokens, *params]


class AnyOfSubquery(Lookup):  # type: ignore[type-arg]
    """``pk__any_of=<subquery>`` on PostgreSQL: ``pk = ANY(ARRAY(subquery))``.

    The subquery becomes an init-plan whose array the database looks up key by key; as ``pk IN (subquery)`` it
    guesses the subquery's size and may hash-join it against a sequential scan of the whole table instead.
    """

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


models.AutoField.register_lookup(AnyOfSubquery)
models.BigAutoField.register_lookup(AnyOfSubquery)


def search_q(model: type[models.Model], value: str, fields: Sequence[str]) -> models.Q:
    """Rows of ``model`` where any of ``fields`` contains ``value`` (``"^field"``: starts with it).

    A field with an ``anjian_ngrams`` index (see :func:`create_ngram_index`) is searched through it. On
    PostgreSQL the fields are combined as ``pk = ANY(ARRAY(… UNION …))``, one indexed subquery per field; elsewhere as an
    ``OR`` of ``icontains``.
    """
    value = value.strip()
    if not value:
        return models.Q()
    if connection.vendor != "postgresql":
        q = models.Q()
        for field in fields:
            if field.startswith("^"):
                q |= models.Q(**{f"{field[1:]}__istartswith": value})
            else:
                q |= models.Q(**{f"{field}__icontains": value})
        return q
    parts: list[models.QuerySet[Any]] = []
    for field in fields:
        if field.startswith("^"):
            # Codes and numbers are stored upper-case (a trailing "x" of an ID number is "X").
            lookup = {f"{field[1:]}__startswith": value.upper()}
        elif _column_of(model, field) in NGRAM_INDEXED:
            lookup = {f"{field}__ngram": value}
        else:
            lookup = {f"{field}__icontains": value}
        parts.append(model._default_manager.filter(**lookup).order_by().values("pk"))
    union = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    return models.Q(pk__any_of=union)


def _column_of(model: type[models.Model], path: str) -> tuple[str, str] | None:
    """The (table, column) a lookup path ends on, e.g. ``employer_enterprise__name`` of a person."""
    opts = model._meta
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except Exception:
            return None
        if i == len(parts) - 1:
            column = getattr(field, "column", None)
            return (opts.db_table, column) if column else None
        related = field.related_model
        if related is None or isinstance(related, str):
            return None
        opts = related._meta
    return None


class IndexedSearchFilter(SearchFilter):
    """DRF's ``?search=``, answered on PostgreSQL through :func:`search_q` (one indexed subquery per field).

    ``search_fields`` keep DRF's meaning; ``^field`` is a prefix match. A view using ``=``, ``@`` or ``$``
    fields, and every other database, gets DRF's own filter.
    """

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        fields = self.get_search_fields(view, request)
        terms = self.get_search_terms(request)
        if connection.vendor != "postgresql" or not fields or not terms or any(f[0] in "=@$" for f in fields):
            return super().filter_queryset(request, queryset, view)
        for term in terms:
            queryset = queryset.filter(search_q(queryset.model, term, list(fields)))
        return queryset


def _index_name(table: str, column: str) -> str:
    return f"{table}_{column}_ngram"[:63]


def create_ngram_index(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """In a migration: the ``anjian_ngrams`` GIN index of ``table.column`` (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{_index_name(table, column)}" ON "{table}" USING gin (anjian_ngrams("{column}"))'
    )


def create_prefix_index(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """In a migration: a ``varchar_pattern_ops`` btree for ``LIKE 'value%'`` on ``table.column`` (PostgreSQL only;
    a plain btree serves prefix patterns only under the ``C`` collation)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    name = f"{table}_{column}_prefix"[:63]
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)'
    )


def drop_prefix_index(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """The reverse of :func:`create_prefix_index`."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{f"{table}_{column}_prefix"[:63]}"')


def drop_ngram_index(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """The reverse of :func:`create_ngram_index`."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(table, column)}"')
