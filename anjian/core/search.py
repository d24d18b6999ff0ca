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

:func:`search_q` builds a search over several fields. It first reads the ids of at most :data:`FEW_MATCHES` matching
rows through a ``UNION ALL`` of per-field subqueries, each on its own index (an ``OR`` across joined tables cannot use
any), and then answers in one of two ways:

- **few matches** (the usual name, number or rare word: all of them were read): those ids as a constant
  (:class:`Keys`; the UNION is not run again for the count and the page), so the list reads its rows by key and
  sorts them, or walks its ordering index when PostgreSQL finds that cheaper (see :class:`AnyOfSubquery`);
- **many matches** (化工 among 600,000 people: 160,000 rows): each field is tested on the row itself (``OR`` of
  ``ILIKE``, the employer's name through the list's own join), so a list ordered by an index walks that index and
  stops at its page — a quarter of the rows match, so page 1 reads ~160 of them — instead of fetching and sorting
  every match (1.1 s).

Fields named ``"^field"`` match a prefix only (codes and numbers: ``LIKE 'value%'`` on a ``varchar_pattern_ops`` index
where one exists).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.lookups import IContains, Lookup
from rest_framework.filters import SearchFilter

from anjian.core.access import path_spans_many
from anjian.envconfig import env_int

__all__ = [
    "FEW_MATCHES",
    "NGRAM_FUNCTION_SQL",
    "NGRAM_INDEXED",
    "AnyOfSubquery",
    "ILikeContains",
    "IndexedSearchFilter",
    "Keys",
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

#: A search matching at most this many rows (``ANJIAN_SEARCH_FEW_MATCHES``; counted over the fields, before scope
#: and filters) is answered by key; past it, row by row (see the module's docstring).
FEW_MATCHES = env_int("ANJIAN_SEARCH_FEW_MATCHES", 20_000)

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
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # ILIKE on the column itself (``icontains`` upper-cases both sides): PostgreSQL estimates it from the
        # column's statistics, where ``UPPER(column)`` has none and is guessed rare — a plan for few rows.
        like = f"{lhs}::text ILIKE {rhs}"
        tokens = ngrams(str(self.rhs))
        if not tokens:
            return like, [*lhs_params, *rhs_params]
        # The LIKE first: where the condition is tested row by row (a list walking its ordering index), rows that
        # miss never call the ngram function, which costs ~25 µs a row; the index still answers the ``@>``.
        return (
            f"({like} AND anjian_ngrams({lhs}) @> %s::text[])",
            [*lhs_params, *rhs_params, *lhs_params, tokens],
        )


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILikeContains(IContains):
    """``field__ilike="化工"``: ``icontains`` written ``column ILIKE '%化工%'`` on PostgreSQL.

    PostgreSQL estimates it from the column's statistics; ``UPPER(column) LIKE …`` (``icontains``) has none and is
    guessed rare, so a search matching a quarter of a table was planned as if it matched a few hundred rows.
    """

    lookup_name = "ilike"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return str(connection.operators["icontains"] % rhs)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs}::text ILIKE {rhs}", [*lhs_params, *rhs_params]


class Keys:
    """Row keys for ``pk__any_of=Keys(ids)``, kept as one array literal.

    Not a list: Django resolves a list value element by element (twice per query), and psycopg adapts it element by
    element — for 20,000 ids, milliseconds of CPU for nothing. ``counted=False`` hides their number from the
    planner (see :class:`AnyOfSubquery`).
    """

    __slots__ = ("counted", "literal")

    def __init__(self, ids: Iterable[int], *, counted: bool = False) -> None:
        self.literal = "{" + ",".join(str(int(i)) for i in sorted(set(ids))) + "}"
        self.counted = counted

    def __len__(self) -> int:
        return 0 if self.literal == "{}" else self.literal.count(",") + 1


class AnyOfSubquery(Lookup):  # type: ignore[type-arg]
    """``pk__any_of=<subquery or list of ids>`` on PostgreSQL: ``pk = ANY(ARRAY(subquery))``.

    The subquery becomes an init-plan whose array the database looks up key by key; as ``pk IN (subquery)`` it
    guesses the subquery's size and may hash-join it against a sequential scan of the whole table instead.

    :class:`Keys` are a constant array, ``pk = ANY('{…}')``: PostgreSQL knows how many rows match and may walk the
    list's ordering index, testing each row against the (hashed) array, to stop at its page — 9,500 certificates of
    people named 张… among a million, in a list ordered by expiry date: 25–65 ms instead of fetching, joining and
    sorting all of them (140–230 ms). Not when the rows sit together in that order: the 5,800 people named 张… in a
    list ordered by name were reached after 195,000 rows (220 ms instead of 55). Such keys (``counted=False``) are
    read as ``ARRAY(SELECT unnest('{…}'))``, whose length the planner does not know: it looks them up key by key.
    """

    lookup_name = "any_of"

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, Keys):
            return self.rhs
        if isinstance(self.rhs, (list, tuple, set, frozenset)):
            return Keys(self.rhs)
        return super().get_prep_lookup()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Keys):
            if connection.vendor != "postgresql":
                ids = [int(i) for i in self.rhs.literal.strip("{}").split(",") if i]
                if not ids:
                    return "1 = 0", []
                return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]
            if self.rhs.counted:
                return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.literal]
            return f"{lhs} = ANY(ARRAY(SELECT unnest(%s::bigint[])))", [*lhs_params, self.rhs.literal]
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


models.AutoField.register_lookup(AnyOfSubquery)
models.BigAutoField.register_lookup(AnyOfSubquery)


def search_q(model: type[models.Model], value: str, fields: Sequence[str]) -> models.Q:
    """Rows of ``model`` where any of ``fields`` contains ``value`` (``"^field"``: starts with it).

    On PostgreSQL this reads (one query) the ids of at most :data:`FEW_MATCHES` matching rows through the fields'
    indexes — a field with an ``anjian_ngrams`` index (see :func:`create_ngram_index`) through it — and returns
    ``pk__any_of=<those ids>``, or, when more rows match, the fields' conditions on the row itself (see the module's
    docstring). Elsewhere an ``OR`` of ``icontains``.
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
    lookups = [_lookup(model, field, value) for field in fields]
    parts = [
        model._default_manager.filter(**lookup).order_by().values_list("pk", flat=True) for lookup in lookups
    ]
    # UNION ALL streams (a UNION would gather and de-duplicate every match first), so the LIMIT stops it early.
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found = list(union[: FEW_MATCHES + 1])
    if len(found) <= FEW_MATCHES:
        # The planner may be told how many unless the list's order is a searched column of its own (see AnyOfSubquery).
        ordering = {str(f).lstrip("-") for f in (model._meta.ordering or [])[:1]}
        counted = not ordering & {f.lstrip("^") for f in fields}
        return models.Q(pk__any_of=Keys(found, counted=counted))
    q = models.Q()
    for field, lookup in zip(fields, lookups, strict=True):
        path = field.lstrip("^")
        if path_spans_many(model, path):
            # A to-many join would repeat rows: that field keeps its own subquery.
            q |= models.Q(pk__any_of=model._default_manager.filter(**lookup).order_by().values("pk"))
        elif "__" in path and "ngram" in next(iter(lookup)):
            # Through the list's own join (the employer a list loads anyway); the ngram function would run per row.
            q |= models.Q(**{f"{path}__ilike": value})
        else:
            q |= models.Q(**lookup)
    return q


def _lookup(model: type[models.Model], field: str, value: str) -> dict[str, str]:
    """The indexed lookup of one search field: a prefix, an ngram search, or ``icontains``."""
    if field.startswith("^"):
        # Codes and numbers are stored upper-case (a trailing "x" of an ID number is "X").
        return {f"{field[1:]}__startswith": value.upper()}
    if _column_of(model, field) in NGRAM_INDEXED:
        return {f"{field}__ngram": value}
    return {f"{field}__icontains": value}


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
