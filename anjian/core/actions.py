"""Generic audited writes of one row — create, update, delete — and the registry of each app's own writers.

Every state change goes through an app's ``actions.py``. Most rows of a register need nothing more than
"validate, save, write one audit row", so ``core`` has that once:

* :func:`do_create` validates (``full_clean``), saves and writes one audit row;
* :func:`do_update` locks the stored row (``select_for_update``), applies the changes, validates, and when
  nothing changed neither saves nor audits — otherwise it saves and writes exactly one audit row with
  before/after;
* :func:`do_delete` locks the row, writes one audit row with its last state, and deletes it.

The reason given by the user is carried into the audit row. An app that needs more (a derived field, a
second row, its own audit event) declares its writers in its ``actions.py``::

    WRITERS = {Person: Writer(create=do_create_person, update=do_update_person)}

Generic callers — the API's ``AuditedModelViewSet``, the Excel import's ``default_save_row`` and the admin's
``AuditedModelAdmin`` — write through :func:`create_object` / :func:`update_object` / :func:`delete_object`, which call the model's
app writer when it has one and the generic action otherwise. A writer has the generic signature; ``event``
is ``None`` unless the caller overrides it (the Excel import audits as ``IMPORTED``, the admin as ``OBJECT_*``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models, transaction
from django.dispatch import Signal

from anjian.core.audit import record, record_many, snapshot, snapshotter
from anjian.core.choices import AuditEvent

__all__ = [
    "Writer",
    "bulk_create_objects",
    "bulk_saved",
    "bulk_update_objects",
    "create_object",
    "delete_object",
    "do_bulk_create",
    "do_bulk_update",
    "do_create",
    "do_delete",
    "do_update",
    "insert_rows",
    "insert_values",
    "lock",
    "same_state",
    "update_object",
    "update_rows",
    "writer_for",
]

M = TypeVar("M", bound=models.Model)


# ---------------------------------------------------------------------------------------------
# The generic actions
# ---------------------------------------------------------------------------------------------


def lock(obj: M) -> M:
    """Re-read ``obj`` with a row lock (``SELECT … FOR UPDATE``; a no-op lock on SQLite, which serialises writes)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _m2m_names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.many_to_many}


def _pk_list(values: Any) -> list[Any]:
    return sorted(getattr(v, "pk", v) for v in values)


def _numeric(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def same_state(model: type[models.Model], before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """True when two snapshots describe the same row (a decimal ``1.5`` equals a stored ``1.50``)."""
    if before.keys() != after.keys():
        return False
    decimals = {
        f.name for f in model._meta.concrete_fields if isinstance(f, models.DecimalField | models.FloatField)
    }
    for key, old in before.items():
        new = after[key]
        if old == new:
            continue
        if key in decimals and old is not None and new is not None:
            a, b = _numeric(old), _numeric(new)
            if a is not None and a == b:
                continue
        return False
    return True


def _after(obj: models.Model, m2m: Mapping[str, Any] | None) -> dict[str, Any]:
    data = snapshot(obj)
    for name, values in (m2m or {}).items():
        data[name] = _pk_list(values)
    return data


def _set_m2m(obj: models.Model, m2m: Mapping[str, Any] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


@transaction.atomic
def do_create(
    obj: M,
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.OBJECT_CREATED,
    reason: str = "",
    message: str = "",
    m2m: Mapping[str, Any] | None = None,
    validated: bool = False,
) -> M:
    """Validate and save the new ``obj`` (and its many-to-many values), then write one audit row.

    ``validated=True`` skips ``full_clean`` when the caller has just run it on this very object (a form,
    the Excel import's row check).
    """
    if not validated:
        obj.full_clean()
    obj.save()
    _set_m2m(obj, m2m)
    record(event, obj, acting_user=acting_user, after=snapshot(obj), reason=reason, message=message)
    return obj


def _max_params() -> int:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        raw = connection.connection
        if hasattr(raw, "getlimit"):
            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        return 999
    return int(connection.features.max_query_params or 32000)


def _overrides_pre_save(field: models.Field[Any, Any]) -> bool:
    return type(field).pre_save is not models.Field.pre_save


#: Field classes whose database value is the Python value itself when it has one of these exact types.
_SAME_IN_DB: dict[type[Any], tuple[type[Any], ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.BooleanField: (bool,),
}


def _db_value(field: Any, connection: Any) -> Callable[[Any], Any]:
    """``field.get_db_prep_save`` with a shortcut for values the database takes as they are."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    same = _SAME_IN_DB.get(type(target))
    if isinstance(field, models.ForeignKey) and isinstance(target, models.AutoField | models.BigAutoField):
        same = (int,)
    prep = field.get_db_prep_save
    if same is None:
        return lambda value: prep(value, connection)
    return lambda value: value if value is None or value.__class__ in same else prep(value, connection)


#: Sent (``sender`` = the model, ``objs`` = the rows, ``created`` = new or changed) after :func:`insert_rows`
#: or :func:`update_rows` wrote rows: a bulk write sends no ``post_save``, so what listens to saves to drop a
#: cache (metrics and to-dos, map layers, the cockpit) listens to this too.
bulk_saved = Signal()


def insert_rows(objs: list[M], *, rows_per_statement: int = 500) -> list[M]:
    """INSERT new ``objs`` (one model) with multi-row statements and set their ids; then send
    :data:`bulk_saved`. See :func:`_insert_rows`."""
    created = _insert_rows(objs, rows_per_statement=rows_per_statement)
    if created:
        bulk_saved.send(sender=type(created[0]), objs=created, created=True)
    return created


def update_rows(objs: list[M]) -> list[M]:
    """Write every field of the saved ``objs`` (one model) as ``save()`` would — ``pre_save`` of each field
    (``auto_now`` stamps: one moment), ``get_db_prep_save`` of each value — in a few statements; then send
    :data:`bulk_saved`. What ``bulk_update`` does without its ``CASE WHEN id = …`` per value (a statement that
    grows with rows × fields): on PostgreSQL the rows are copied (``COPY``, binary where exact) into a temporary
    table and one ``UPDATE … FROM`` it writes them (a statement with the values as parameters is quoted into
    its text by psycopg's client-side binding, in Python: a third of the time of 10,000 rows); elsewhere one
    ``UPDATE … WHERE id = ?`` prepared once and run for every row (``executemany``). Only for the bulk actions
    below: nothing is validated or audited here."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone

    if not objs:
        return objs
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    opts = model._meta
    pk = opts.pk
    assert pk is not None and not opts.parents
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    stamps = [f for f in fields if type(f) is models.DateTimeField and getattr(f, "auto_now", False)]
    pre = [f for f in fields if _overrides_pre_save(f) and f not in stamps]
    converters = [
        (f.attname, _db_value(f, connection), 2 if f in stamps else (1 if f in pre else 0))
        for f in [pk, *fields]
    ]
    write = _row_writer(converters, stamps, pre, timezone.now(), connection, add=False)

    def row(obj: Any) -> list[Any]:
        out: list[Any] = []
        write(obj, out)
        return out

    qn = connection.ops.quote_name
    table = qn(opts.db_table)
    key = qn(pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = qn(f"anjian_update_{opts.db_table}")
            columns = ", ".join(qn(f.column) for f in [pk, *fields])
            sets = ", ".join(f"{qn(f.column)} = u.{qn(f.column)}" for f in fields)
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} AS SELECT {columns} FROM {table} WITH NO DATA")
            _copy_rows(connection, temp, columns, map(row, objs), _copy_types([pk, *fields], connection))
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} u WHERE {table}.{key} = u.{key}")
            cursor.execute(f"DROP TABLE {temp}")
        else:
            sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {key} = %s", [[*r[1:], r[0]] for r in map(row, objs)]
            )
    bulk_saved.send(sender=model, objs=objs, created=False)
    return objs


def _column_type(field: Any, connection: Any) -> str:
    """The type name of ``field``'s column, without its size (``varchar``, ``numeric``, ``bigint`` for a key)."""
    return str(field.db_type(connection)).split("(")[0]


def _unnest_types(fields: Sequence[Any], connection: Any) -> list[str] | None:
    """The array types of an ``INSERT … SELECT * FROM UNNEST(…)`` of ``fields`` on PostgreSQL (what Django's own
    ``bulk_create`` uses there: a few array parameters instead of one placeholder per value, which psycopg would
    parse in Python for every long statement); ``None`` elsewhere or for a field that cannot be unnested."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return None
        types.append(_column_type(field, connection))
    return types


def _insert_sql(table: str, columns: str, width: int, rows: int, types: list[str] | None) -> str:
    """``INSERT INTO table (columns)`` of ``rows`` rows: ``VALUES (%s, …), …`` or, with ``types``, ``UNNEST``."""
    if types is not None:
        arrays = ", ".join(f"(%s)::{t}[]" for t in types)
        return f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({arrays})"
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    return f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * rows)}"


def _insert_params(params: list[Any], width: int, types: list[str] | None) -> list[Any]:
    """The flat row-by-row ``params`` as the statement of :func:`_insert_sql` takes them."""
    if types is None:
        return params
    return [params[i::width] for i in range(width)]


def _copy_rows(
    connection: Any,
    table: str,
    columns: str,
    rows: Iterable[Sequence[Any]],
    types: Sequence[str] | None = None,
) -> None:
    """``COPY table (columns) FROM STDIN`` of ``rows`` (database values) on PostgreSQL: psycopg formats the rows
    in C, where a long INSERT's parameters would be parsed and quoted in Python. With the columns' ``types`` (see
    :func:`_copy_types`) the binary format: neither side formats or parses text (an import of 10,000 enterprises:
    ~10 % less time on both sides). Errors are Django's."""
    binary = types is not None
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN{' (FORMAT BINARY)' if binary else ''}"
        ) as copy,
    ):
        if types is not None:
            copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


#: Column types a binary COPY is given: those whose Python value Django's ``get_db_prep_save`` makes exactly the
#: type psycopg's binary dumper of that type takes (``int``, ``str``, ``bool``, an aware ``datetime``, ``date``,
#: ``Decimal``, ``float``, a ``Jsonb``). A value of another type in a binary COPY is not refused but misread (a
#: ``float`` in a ``numeric`` column asked the server for 2 GB), so any other column type keeps the text format.
_BINARY_COPY_TYPES = frozenset(
    {
        "bigint",
        "integer",
        "smallint",
        "varchar",
        "text",
        "boolean",
        "timestamp with time zone",
        "date",
        "numeric",
        "double precision",
        "jsonb",
    }
)


def _copy_types(fields: Sequence[Any], connection: Any) -> list[str] | None:
    """The PostgreSQL types of ``fields``' columns for a binary COPY, or ``None`` when one is not in
    :data:`_BINARY_COPY_TYPES` (or is an array)."""
    out = []
    for f in fields:
        if "[" in str(f.db_type(connection)):
            return None
        name = _column_type(f, connection)
        if name not in _BINARY_COPY_TYPES:
            return None
        out.append(name)
    return out


def _new_ids(connection: Any, table: str, pk_column: str, count: int) -> list[Any] | None:
    """``count`` new values of the primary key's sequence on PostgreSQL (ascending), ``None`` without one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(seq::regclass) FROM pg_get_serial_sequence(%s, %s) AS seq, generate_series(1, %s) "
            "WHERE seq IS NOT NULL",
            [table, pk_column, count],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    return ids if len(ids) == count else None


def _auto_now(field: models.Field[Any, Any]) -> bool:
    """A ``DateTimeField`` stamped on insert (``auto_now``/``auto_now_add``) by Django's own ``pre_save``."""
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return type(field) is models.DateTimeField and bool(stamped)


def _row_writer(
    converters: list[tuple[str, Callable[[Any], Any], int]],
    stamps: list[Any],
    pre: list[Any],
    now: Any,
    connection: Any,
    *,
    add: bool = True,
) -> Callable[[Any, list[Any]], None]:
    """``write(obj, out)``: append ``obj``'s database values to ``out`` in ``converters``' order — its own value,
    a ``pre_save(obj, add)`` value, or the statement's time stamp (``now``, converted once; set on the object
    too). ``add``: an insert (``True``) or an update of a stored row."""
    stamped = {f.attname: _db_value(f, connection)(now) for f in stamps}

    def write(obj: Any, out: list[Any]) -> None:
        for f in stamps:
            setattr(obj, f.attname, now)
        values = {f.attname: f.pre_save(obj, add) for f in pre}
        for attname, to_db, source in converters:
            if source == 0:
                out.append(to_db(getattr(obj, attname)))
            elif source == 1:
                out.append(to_db(values[attname]))
            else:
                out.append(stamped[attname])

    return write


def _mark_saved(objs: Iterable[Any], ids: Iterable[Any], pk: Any, alias: str) -> None:
    """Give the inserted ``objs`` their ids and the state of a saved instance."""
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = alias


def _copy_rows_of(
    objs: list[Any],
    connection: Any,
    fields: list[Any],
    converters: list[tuple[str, Callable[[Any], Any], int]],
    stamps: list[Any],
    pre: list[Any],
) -> bool:
    """:func:`_insert_rows` on PostgreSQL: take the ids from the key's sequence, then COPY the rows with them
    (one query and one COPY whatever the rows); False when the key has no sequence (nothing written then)."""
    from django.utils import timezone

    model = type(objs[0])
    opts = model._meta
    pk = opts.pk
    assert pk is not None
    ids = _new_ids(connection, opts.db_table, pk.column, len(objs))
    if ids is None:
        return False
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in [pk, *fields])
    to_pk = _db_value(pk, connection)
    write = _row_writer(converters, stamps, pre, timezone.now(), connection)

    def rows() -> Iterator[list[Any]]:
        for obj, pk_value in zip(objs, ids, strict=True):
            row = [to_pk(pk_value)]
            write(obj, row)
            yield row

    _copy_rows(connection, qn(opts.db_table), columns, rows(), _copy_types([pk, *fields], connection))
    _mark_saved(objs, ids, pk, connection.alias)
    return True


def _insert_rows(objs: list[M], *, rows_per_statement: int = 500) -> list[M]:
    """INSERT new ``objs`` (one model) with multi-row statements and set their ids; what ``bulk_create`` does,
    without compiling each value through the query compiler (a third of the CPU time for a 20-column row).

    Each field's ``pre_save`` runs when its class defines one (``auto_now``, files) and each value goes through
    ``get_db_prep_save``, as in ``bulk_create``; the ``auto_now``/``auto_now_add`` time stamps of one statement
    are one moment (converted once). On PostgreSQL the ids come from the key's sequence and the rows are one
    ``COPY`` (:func:`_copy_rows_of`; ``UNNEST`` arrays when the key has no sequence). Falls back to
    ``bulk_create`` on a database that cannot return ids from a multi-row INSERT. Only for the bulk actions below.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone

    if not objs:
        return objs
    # The connection itself, not the ``django.db.connection`` proxy (one attribute lookup per value less).
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    opts = model._meta
    if not connection.features.can_return_rows_from_bulk_insert or opts.parents:
        return model._default_manager.bulk_create(objs, batch_size=rows_per_statement)
    pk = opts.pk
    assert pk is not None
    fields = [f for f in opts.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    fields = [f for f in fields if not f.primary_key]
    stamps = [f for f in fields if _auto_now(f)]
    pre = [f for f in fields if _overrides_pre_save(f) and f not in stamps]
    plain = {f.attname for f in fields} - {f.attname for f in pre} - {f.attname for f in stamps}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    types = _unnest_types(fields, connection)
    width = len(fields)
    per = rows_per_statement if types is not None else max(1, min(rows_per_statement, _max_params() // width))
    # 0: the object's value, 1: a pre_save value, 2: the statement's time stamp
    converters = [
        (f.attname, _db_value(f, connection), 0 if f.attname in plain else (2 if f in stamps else 1))
        for f in fields
    ]
    table, pk_column = qn(opts.db_table), qn(pk.column)
    if connection.vendor == "postgresql" and _copy_rows_of(objs, connection, fields, converters, stamps, pre):
        return objs
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per):
            part = objs[start : start + per]
            params: list[Any] = []
            write = _row_writer(converters, stamps, pre, timezone.now(), connection)
            for obj in part:
                write(obj, params)
            sql = f"{_insert_sql(table, columns, width, len(part), types)} RETURNING {pk_column}"
            cursor.execute(sql, _insert_params(params, width, types))
            _mark_saved(part, [row[0] for row in cursor.fetchall()], pk, connection.alias)
    return objs


def insert_values(
    model: type[models.Model],
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    rows_per_statement: int = 500,
) -> int:
    """INSERT ``rows`` — tuples of values of the fields ``names`` (foreign keys by id) — into ``model``'s table
    with multi-row statements, without a model instance per row; returns the number of rows.

    No ``pre_save`` runs (the caller gives every value, time stamps too) and nothing is sent: for append-only
    rows nobody listens to (``core.audit.record_many``). Each value goes through the field's
    ``get_db_prep_save``; a value that is the previous row's object is converted once. On PostgreSQL the rows
    are one ``COPY``.
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    if not rows:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    opts = model._meta
    fields: list[Any] = [opts.get_field(name) for name in names]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    size = len(fields)
    per = max(1, min(rows_per_statement, _max_params() // size))
    converters = [_db_value(f, connection) for f in fields]
    width = range(size)
    table = qn(opts.db_table)
    last: list[Any] = [object()] * len(fields)
    last_db: list[Any] = [None] * len(fields)

    def converted(row: tuple[Any, ...]) -> list[Any]:
        out = []
        for i in width:
            value = row[i]
            if value is not last[i]:
                last[i] = value
                last_db[i] = converters[i](value)
            out.append(last_db[i])
        return out

    if connection.vendor == "postgresql":
        _copy_rows(connection, table, columns, map(converted, rows), _copy_types(fields, connection))
        return len(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            params: list[Any] = []
            for row in part:
                params.extend(converted(row))
            cursor.execute(_insert_sql(table, columns, size, len(part), None), params)
    return len(rows)


@transaction.atomic
def do_bulk_create(
    objs: list[M],
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.OBJECT_CREATED,
    reason: str = "",
    message: str | Callable[[Any], str] = "",
    batch_size: int = 500,
) -> list[M]:
    """Save many new, already validated rows with one INSERT per ``batch_size`` and write their audit rows
    in bulk (one per object, as :func:`do_create` would). ``save()`` is not called: use it only for models
    whose ``save`` adds nothing, or after doing what it adds (an app's ``bulk_create`` writer)."""
    if not objs:
        return objs
    created = insert_rows(objs, rows_per_statement=batch_size)
    record_many(
        event, created, acting_user=acting_user, reason=reason, message=message, batch_size=batch_size
    )
    return created


@transaction.atomic
def do_bulk_update(
    items: Sequence[tuple[M, dict[str, Any]]],
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.OBJECT_UPDATED,
    reason: str = "",
    message: str | Callable[[Any], str] = "",
) -> list[M]:
    """:func:`do_update` for many validated rows the caller changed in memory (the Excel import): each
    ``(obj, before)`` is the object with its new values and the snapshot read before them. The stored rows are
    locked (one query per 2,000), a row whose snapshot did not change is neither written nor audited, the others
    are written by :func:`update_rows` with one audit row each (before/after) in bulk. Returns the changed
    objects. ``save()`` is not called: for models whose ``save`` adds nothing, or after doing what it adds."""
    if not items:
        return []
    model = type(items[0][0])
    snap = snapshotter(model)
    changed: list[M] = []
    befores: dict[int, dict[str, Any]] = {}
    afters: dict[int, dict[str, Any]] = {}
    for obj, before in items:
        after = snap(obj)
        if same_state(model, before, after):
            continue
        changed.append(obj)
        befores[id(obj)] = before
        afters[id(obj)] = after
    pks = [obj.pk for obj in changed]
    for start in range(0, len(pks), 2000):
        locked = model._base_manager.select_for_update().filter(pk__in=pks[start : start + 2000])
        list(locked.values_list("pk").order_by())
    update_rows(changed)
    record_many(
        event,
        changed,
        acting_user=acting_user,
        before=lambda obj: befores[id(obj)],
        after=lambda obj: afters[id(obj)],
        reason=reason,
        message=message,
    )
    return changed


def bulk_update_objects(
    items: Sequence[tuple[M, dict[str, Any]]],
    *,
    acting_user: Any,
    event: AuditEvent | int | None = None,
    fallback_event: AuditEvent | int = AuditEvent.OBJECT_UPDATED,
    message: str | Callable[[Any], str] = "",
) -> list[M] | None:
    """Write validated, changed ``(obj, before)`` pairs in bulk through their app's ``bulk_update`` writer, or
    :func:`do_bulk_update` when the app has no ``update`` writer of its own and the model's ``save`` adds
    nothing; ``None`` when neither applies (the caller updates them one by one through :func:`update_object`)."""
    if not items:
        return []
    model = type(items[0][0])
    writer = writer_for(model)
    if writer.bulk_update is not None:
        result: list[M] = writer.bulk_update(
            items, acting_user=acting_user, message=message, **_with_event(event)
        )
        return result
    if writer.update is not None or not _plain_save(model) or model._meta.parents or _m2m_names(model):
        return None
    return do_bulk_update(items, acting_user=acting_user, event=event or fallback_event, message=message)


def _plain_save(model: type[models.Model]) -> bool:
    """True when ``model.save`` is Django's own or ``core.BaseModel``'s (nothing a bulk insert would skip)."""
    from anjian.core.models import BaseModel

    return model.save in (models.Model.save, BaseModel.save)


def bulk_create_objects(
    objs: list[M],
    *,
    acting_user: Any,
    event: AuditEvent | int | None = None,
    fallback_event: AuditEvent | int = AuditEvent.OBJECT_CREATED,
    message: str | Callable[[Any], str] = "",
) -> list[M] | None:
    """Create validated ``objs`` in bulk through their app's ``bulk_create`` writer, or :func:`do_bulk_create`
    when the app declares no writer of its own and the model's ``save`` adds nothing; ``None`` when neither
    applies (the caller creates them one by one through :func:`create_object`)."""
    if not objs:
        return objs
    model = type(objs[0])
    writer = writer_for(model)
    if writer.bulk_create is not None:
        result: list[M] = writer.bulk_create(
            objs, acting_user=acting_user, message=message, **_with_event(event)
        )
        return result
    if writer.create is not None or not _plain_save(model):
        return None
    return do_bulk_create(objs, acting_user=acting_user, event=event or fallback_event, message=message)


@transaction.atomic
def do_update(
    obj: M,
    changes: Mapping[str, Any] | None = None,
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.OBJECT_UPDATED,
    reason: str = "",
    message: str = "",
    m2m: Mapping[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    validated: bool = False,
) -> M:
    """Change a stored row; return the saved object (unchanged rows are neither saved nor audited).

    With ``changes`` the stored row is locked, re-read, and the changes applied to it (so a concurrent
    edit of other fields is not overwritten). With ``changes=None`` the caller applied the values to
    ``obj`` already (a form, an import row): the stored row is locked and ``obj`` is saved; ``before`` is
    the state the caller read (the locked row's otherwise).
    """
    locked = lock(obj)
    if before is None:
        before = snapshot(locked)
    if changes is None:
        target = obj
    else:
        target = locked
        many = _m2m_names(type(obj))
        extra = {k: v for k, v in changes.items() if k in many}
        m2m = {**extra, **(m2m or {})}
        for name, value in changes.items():
            if name not in many:
                setattr(target, name, value)
        validated = False
    if not validated:
        target.full_clean()
    after = _after(target, m2m)
    if same_state(type(target), before, after):
        return target
    target.save()
    _set_m2m(target, m2m)
    record(event, target, acting_user=acting_user, before=before, after=after, reason=reason, message=message)
    if changes is not None and target is not obj:
        # The caller's instance shows what was saved.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(target, field.attname))
    return target


@transaction.atomic
def do_delete(
    obj: models.Model,
    *,
    acting_user: Any,
    event: AuditEvent | int = AuditEvent.OBJECT_DELETED,
    reason: str = "",
    message: str = "",
) -> None:
    """Lock the row, write one audit row with its last state, delete it."""
    locked = lock(obj)
    record(
        event,
        locked,
        acting_user=acting_user,
        before=snapshot(locked),
        reason=reason,
        message=message or "删除",
    )
    locked.delete()


# ---------------------------------------------------------------------------------------------
# Each app's writers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """An app's own actions for one model, with the generic signatures (``event=None``: the app's event).

    ``create(obj, *, acting_user, reason, event, message, m2m, validated)``,
    ``update(obj, changes, *, acting_user, reason, event, message, m2m, before, validated)``,
    ``delete(obj, *, acting_user, reason, event, message)``. A missing one falls back to the generic
    action with the caller's event.
    """

    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    #: ``bulk_create(objs, *, acting_user, event, message)``: many validated new rows at once (the Excel
    #: import); ``message`` is a function of the object. Without it a model whose app has its own ``create``
    #: is imported row by row.
    bulk_create: Callable[..., Any] | None = None
    #: ``bulk_update(items, *, acting_user, event, message)``: many validated, changed stored rows at once, each
    #: ``(obj, before)`` (the Excel import); returns the objects it wrote. Without it a model whose app has its
    #: own ``update`` is imported row by row.
    bulk_update: Callable[..., Any] | None = None


_NO_WRITER = Writer()


def writer_for(model: type[models.Model]) -> Writer:
    """The writers ``model``'s app declares in ``<app>/actions.py`` (``WRITERS``), or none."""
    config = model._meta.app_config
    if config is None:
        return _NO_WRITER
    try:
        module = importlib.import_module(f"{config.name}.actions")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.actions":
            raise
        return _NO_WRITER
    writers: Mapping[type[models.Model], Writer] = getattr(module, "WRITERS", {})
    return writers.get(model, _NO_WRITER)


def _with_event(event: AuditEvent | int | None) -> dict[str, Any]:
    return {} if event is None else {"event": event}


def create_object(
    obj: M,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int | None = None,
    fallback_event: AuditEvent | int = AuditEvent.OBJECT_CREATED,
    message: str = "",
    m2m: Mapping[str, Any] | None = None,
    validated: bool = False,
) -> M:
    """Create ``obj`` through its app's writer, or :func:`do_create` (audited as ``event or fallback_event``)."""
    writer = writer_for(type(obj))
    options: dict[str, Any] = {"message": message, "m2m": m2m, "validated": validated}
    if writer.create is not None:
        result: M = writer.create(
            obj, acting_user=acting_user, reason=reason, **_with_event(event), **options
        )
        return result
    return do_create(obj, acting_user=acting_user, reason=reason, event=event or fallback_event, **options)


def update_object(
    obj: M,
    changes: Mapping[str, Any] | None = None,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int | None = None,
    fallback_event: AuditEvent | int = AuditEvent.OBJECT_UPDATED,
    message: str = "",
    m2m: Mapping[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    validated: bool = False,
) -> M:
    """Update ``obj`` through its app's writer, or :func:`do_update`."""
    writer = writer_for(type(obj))
    options: dict[str, Any] = {"message": message, "m2m": m2m, "before": before, "validated": validated}
    if writer.update is not None:
        result: M = writer.update(
            obj, changes, acting_user=acting_user, reason=reason, **_with_event(event), **options
        )
        return result
    return do_update(
        obj, changes, acting_user=acting_user, reason=reason, event=event or fallback_event, **options
    )


def delete_object(
    obj: models.Model,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int | None = None,
    fallback_event: AuditEvent | int = AuditEvent.OBJECT_DELETED,
    message: str = "",
) -> None:
    """Delete ``obj`` through its app's writer, or :func:`do_delete`."""
    writer = writer_for(type(obj))
    if writer.delete is not None:
        writer.delete(obj, acting_user=acting_user, reason=reason, message=message, **_with_event(event))
        return
    do_delete(obj, acting_user=acting_user, reason=reason, event=event or fallback_event, message=message)
