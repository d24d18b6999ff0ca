"""Substring search of Chinese text that an index can answer (issue 8: 张 or 化工 among 600,000 people).

Why not ``pg_trgm``: a trigram index only sees characters the database's ``LC_CTYPE`` counts as letters (under
``C.UTF-8`` it does index CJK — ``show_trgm('化工')`` gives three hashed trigrams — but under the plain ``C`` locale
it does not), and even then a ``LIKE '%化工%'`` pattern of one or two characters yields no complete trigram, so the
index cannot narrow it: Chinese searches are mostly one to three characters (a surname, a given name, 化工).

So, on PostgreSQL, an expression GIN index over ``anjian_ngrams(column)`` — the column's lower-cased single
characters and character pairs, an ``IMMUTABLE`` PL/pgSQL function (``core`` migrations 0006, 0008) — and the lookup
``field__ngram=value``: the index finds the rows holding every pair of the value (or its one character), then the
``ILIKE`` rechecks the exact substring. Locale-independent, exact, and one or two characters are the cheapest case.

On SQLite the person tables need the same (600,000 people: a scan of one column costs 40–90 ms, and a list ordered
by name walked half its index before the first 张). There a column of :data:`SQLITE_VOCABULARY` has a
*vocabulary*: its distinct values (``anjian_vocab``) and their characters and pairs (``anjian_vocab_gram``), kept by
triggers on insert and update — a name or job that is already known costs one key lookup, so an import is barely
slower. ``field__ngram=value`` there is ``field IN (the known values holding the value's first token and containing
it)``, answered by the column's index. Other columns scan (``icontains``), which at their size is cheap.

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

Fields named ``"^field"`` match a prefix only (codes and numbers: the ``prefix`` lookup, ``LIKE 'value%'`` on a
``varchar_pattern_ops`` index on PostgreSQL, a range of the column's plain index on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models.lookups import IContains, Lookup, StartsWith
from rest_framework.filters import SearchFilter

from anjian.core.access import path_spans_many
from anjian.envconfig import env_int

__all__ = [
    "FEW_MATCHES",
    "NGRAM_FUNCTION_SQL",
    "NGRAM_INDEXED",
    "SQLITE_VOCABULARY",
    "AnyOfSubquery",
    "ILikeContains",
    "IndexedSearchFilter",
    "Keys",
    "NgramContains",
    "create_ngram_index",
    "create_prefix_index",
    "create_vocabulary",
    "create_vocabulary_tables",
    "drop_ngram_index",
    "drop_prefix_index",
    "drop_vocabulary",
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

#: SQLite (table, column) pairs with a vocabulary n-gram index (see the module's docstring), created by the apps'
#: migrations through :func:`create_vocabulary`: only the columns of tables too large to scan.
SQLITE_VOCABULARY: frozenset[tuple[str, str]] = frozenset(
    {("people_person", "name"), ("people_person", "job")}
)

#: The tokens of a text: its lower-cased characters and pairs of adjacent characters (duplicates kept: a GIN index
#: stores each key of a row once). PL/pgSQL, not one SQL statement: an ``array_agg(DISTINCT …)`` over
#: ``generate_series`` cost ~13 µs a short name, this loop ~3 — paid for every row written to an indexed column
#: (an import of 10,000 enterprises: 0.15 s of the server's time).
NGRAM_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION anjian_ngrams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  l text := lower(t);
  n int := char_length(l);
  r text[] := '{}';
BEGIN
  FOR i IN 1..n LOOP
    r := r || substr(l, i, 1);
    IF i < n THEN
      r := r || substr(l, i, 2);
    END IF;
  END LOOP;
  RETURN r;
END
$$
"""

#: ``lower()`` of SQLite (without ICU): ASCII letters only — as its ``LIKE`` folds case.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

#: Characters of a value the vocabulary's triggers index (``anjian_seq`` holds 1…this).
VOCABULARY_MAX_CHARS = 1000


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

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = self.as_sql(compiler, connection)  # the column's LIKE
        target = getattr(self.lhs, "target", None)
        value = str(self.rhs).translate(_ASCII_LOWER)
        key = _vocabulary_key(target)
        if key is None or not value:
            return sql, list(params)
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The known values holding the value's first token (its one character or first pair), rechecked by LIKE
        # on the value itself — a few thousand distinct names at most; then the column's index finds the rows.
        token = value[:2]
        return (
            f"{lhs} IN (SELECT text FROM anjian_vocab_gram WHERE k = %s AND gram = %s AND text LIKE {rhs} ESCAPE '\\')",
            [*lhs_params, key, token, *rhs_params],
        )


def _vocabulary_key(field: Any) -> str | None:
    """``table.column`` of ``field`` when SQLite keeps a vocabulary of it (:data:`SQLITE_VOCABULARY`)."""
    model = getattr(field, "model", None)
    column = getattr(field, "column", None)
    if model is None or column is None:
        return None
    table = model._meta.db_table
    return f"{table}.{column}" if (table, column) in SQLITE_VOCABULARY else None


@models.CharField.register_lookup
@models.TextField.register_lookup
class PrefixLookup(StartsWith):
    """``field__prefix="91150"``: ``startswith`` (case-sensitive) that an index answers on every database.

    PostgreSQL: ``LIKE 'value%'`` (a ``varchar_pattern_ops`` index, :func:`create_prefix_index`). SQLite: its
    ``LIKE`` folds case, so no index serves it; the range ``value <= column < value || U+10FFFF`` does (binary
    collation compares UTF-8 bytes, and no character encodes above U+10FFFF).
    """

    lookup_name = "prefix"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        # The database's own ``startswith`` operator (backends know no "prefix").
        return str(connection.operators["startswith"] % rhs)

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = compiler.compile(self.lhs)
        value = str(self.rhs)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, value, *lhs_params, value + "\U0010ffff"]


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
                # One JSON array parameter (SQLite reads it with json_each), not one placeholder per key.
                return f"{lhs} IN (SELECT value FROM json_each(%s))", [
                    *lhs_params,
                    "[" + self.rhs.literal[1:-1] + "]",
                ]
            if self.rhs.counted:
                return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.literal]
            return f"{lhs} = ANY(ARRAY(SELECT unnest(%s::bigint[])))", [*lhs_params, self.rhs.literal]
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        if connection.vendor != "postgresql":
            return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


models.AutoField.register_lookup(AnyOfSubquery)
models.BigAutoField.register_lookup(AnyOfSubquery)


def search_q(model: type[models.Model], value: str, fields: Sequence[str]) -> models.Q:
    """Rows of ``model`` where any of ``fields`` contains ``value`` (``"^field"``: starts with it).

    On PostgreSQL and SQLite this reads (one query) the ids of at most :data:`FEW_MATCHES` matching rows through the
    fields' indexes — a field with an ``anjian_ngrams`` index (PostgreSQL, :func:`create_ngram_index`) or a vocabulary
    (SQLite, :func:`create_vocabulary`) through it — and returns ``pk__any_of=<those ids>``, or, when more rows match,
    the fields' conditions on the row itself (see the module's docstring). Elsewhere an ``OR`` of ``icontains``.
    """
    value = value.strip()
    if not value:
        return models.Q()
    if connection.vendor not in ("postgresql", "sqlite"):
        q = models.Q()
        for field in fields:
            if field.startswith("^"):
                q |= models.Q(**{f"{field[1:]}__istartswith": value})
            else:
                q |= models.Q(**{f"{field}__icontains": value})
        return q
    lookups = [_lookup(model, field, value) for field in fields]
    parts = [_matching(model, lookup).values_list("pk", flat=True) for lookup in lookups]
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


def _matching(model: type[models.Model], lookup: dict[str, str]) -> models.QuerySet[Any]:
    """The rows of ``model`` one field's ``lookup`` finds, unordered.

    On SQLite a lookup through a foreign key (``employer_enterprise__name__icontains``) is written
    ``employer_enterprise_id IN (SELECT id FROM the related table WHERE …)``: as a join, SQLite's planner drove it from
    the 600,000 people (85 ms) instead of the 20,000 enterprises it filters. PostgreSQL plans the join well.
    """
    manager = model._default_manager
    ((path, wanted),) = lookup.items()
    head, _sep, rest = path.partition("__")
    if connection.vendor == "sqlite" and rest:
        try:
            field = model._meta.get_field(head)
        except FieldDoesNotExist:  # "pk" and other names that are not fields: as Django reads them
            return manager.filter(**lookup).order_by()
        related = field.related_model
        if field.many_to_one and related is not None and not isinstance(related, str):
            inner = _matching(related, {rest: wanted}).values("pk")
            return manager.filter(**{f"{head}__in": inner}).order_by()
    return manager.filter(**lookup).order_by()


def _lookup(model: type[models.Model], field: str, value: str) -> dict[str, str]:
    """The indexed lookup of one search field: a prefix, an ngram search, or ``icontains``."""
    if field.startswith("^"):
        # Codes and numbers are stored upper-case (a trailing "x" of an ID number is "X").
        return {f"{field[1:]}__prefix": value.upper()}
    column = _column_of(model, field)
    if column in (SQLITE_VOCABULARY if connection.vendor == "sqlite" else NGRAM_INDEXED):
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
    """DRF's ``?search=``, answered on PostgreSQL and SQLite through :func:`search_q` (one indexed subquery per field).

    ``search_fields`` keep DRF's meaning; ``^field`` is a prefix match. A view using ``=``, ``@`` or ``$``
    fields, and every other database, gets DRF's own filter.
    """

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        fields = self.get_search_fields(view, request)
        terms = self.get_search_terms(request)
        if (
            connection.vendor not in ("postgresql", "sqlite")
            or not fields
            or not terms
            or any(f[0] in "=@$" for f in fields)
        ):
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
    """In a migration: the index the ``prefix`` lookup of ``table.column`` reads — a ``varchar_pattern_ops`` btree
    on PostgreSQL (a plain btree serves prefix patterns only under the ``C`` collation), a plain one on SQLite."""
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    name = f"{table}_{column}_prefix"[:63]
    ops = " varchar_pattern_ops" if vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}"{ops})')


def create_vocabulary_tables(apps: Any, schema_editor: Any) -> None:
    """In a migration (SQLite only): the tables of the vocabularies (:func:`create_vocabulary`)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("CREATE TABLE IF NOT EXISTS anjian_seq (n INTEGER PRIMARY KEY)")
    schema_editor.execute(
        f"INSERT OR IGNORE INTO anjian_seq (n) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
        f"WHERE n < {VOCABULARY_MAX_CHARS}) SELECT n FROM s"
    )
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS anjian_vocab (k TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (k, text)) "
        "WITHOUT ROWID"
    )
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS anjian_vocab_gram (k TEXT NOT NULL, gram TEXT NOT NULL, text TEXT NOT NULL, "
        "PRIMARY KEY (k, gram, text)) WITHOUT ROWID"
    )


def _gram_rows(key: str, value: str, source: str = "") -> str:
    """``SELECT`` of the rows (key, token, value) of ``value`` (an SQL expression) for ``anjian_vocab_gram``: its
    single characters and pairs, lower-cased as the ``ngram`` lookup asks for them; ``source`` is what else the
    ``FROM`` reads (``"values_table, "``)."""
    return (
        f"SELECT '{key}', substr(lower({value}), n, 1), {value} FROM {source}anjian_seq WHERE n <= length({value}) "
        f"UNION ALL SELECT '{key}', substr(lower({value}), n, 2), {value} FROM {source}anjian_seq "
        f"WHERE n < length({value})"
    )


def create_vocabulary(apps: Any, schema_editor: Any, table: str, column: str, *, index: bool = True) -> None:
    """In a migration (SQLite only): the vocabulary of ``table.column`` — triggers that add each new value and its
    tokens, the values already stored, and (``index``) a plain index of the column for ``column IN (…)``.

    A value is never removed: one no row holds any more is still found in the vocabulary and matches no row.
    """
    if schema_editor.connection.vendor != "sqlite":
        return
    key = f"{table}.{column}"
    new = f'NEW."{column}"'
    unknown = f"{new} <> '' AND NOT EXISTS (SELECT 1 FROM anjian_vocab WHERE k = '{key}' AND text = {new})"
    add_new = (
        f"INSERT OR IGNORE INTO anjian_vocab (k, text) VALUES ('{key}', {new}); "
        f"INSERT OR IGNORE INTO anjian_vocab_gram (k, gram, text) {_gram_rows(key, new)};"
    )
    for event, name in (("INSERT", "ins"), (f'UPDATE OF "{column}"', "upd")):
        schema_editor.execute(
            f'CREATE TRIGGER IF NOT EXISTS "{table}_{column}_vocab_{name}" AFTER {event} ON "{table}" '
            f"WHEN {unknown} BEGIN {add_new} END"
        )
    values = f'(SELECT DISTINCT "{column}" AS v FROM "{table}" WHERE "{column}" <> \'\')'
    schema_editor.execute(f"INSERT OR IGNORE INTO anjian_vocab (k, text) SELECT '{key}', v FROM {values}")
    schema_editor.execute(
        f"INSERT OR IGNORE INTO anjian_vocab_gram (k, gram, text) {_gram_rows(key, 'v', f'{values}, ')}"
    )
    if index:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_vocab" ON "{table}" ("{column}")'
        )


def drop_vocabulary(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """The reverse of :func:`create_vocabulary`."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("ins", "upd"):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_{column}_vocab_{name}"')
    schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_vocab"')
    schema_editor.execute("DELETE FROM anjian_vocab WHERE k = %s", [f"{table}.{column}"])
    schema_editor.execute("DELETE FROM anjian_vocab_gram WHERE k = %s", [f"{table}.{column}"])


def drop_prefix_index(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """The reverse of :func:`create_prefix_index`."""
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{f"{table}_{column}_prefix"[:63]}"')


def drop_ngram_index(apps: Any, schema_editor: Any, table: str, column: str) -> None:
    """The reverse of :func:`create_ngram_index`."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(table, column)}"')
