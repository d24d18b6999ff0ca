"""Bulk loading of generated rows: PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy``), ``executemany`` elsewhere.

The large-zone generator (``anjian demo --enterprises N``) writes millions of rows; the ORM's ``save()`` (and even
``bulk_create``, which builds one parameter list per batch and asks for the ids back) is the slow part. Here ids are
given by the caller (``next_ids``), so rows referencing each other are built in Python and written table by table;
``finish`` moves each table's id sequence past the last id on PostgreSQL.

Rows are dicts keyed by the field's ``attname`` (``enterprise_id``); a column not given takes the field's default
(or ``""`` for a blank text field, ``NULL`` for a nullable one), and ``created_at``/``updated_at`` take now.
Only the demo generator calls this: generated data is not audited (see ``anjian/demo/scale.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models
from django.utils import timezone

__all__ = ["finish", "next_ids", "write_rows"]

_PREPARED = (models.DateTimeField, models.JSONField)
_REQUIRED = object()


def next_ids(model: type[models.Model], count: int) -> range:
    """``count`` fresh primary keys for ``model`` (after the largest stored one)."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
    return range(top + 1, top + 1 + count)


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.column]


def _fallback(field: models.Field[Any, Any], now: dt.datetime) -> Any:
    if field.name in {"created_at", "updated_at"}:
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return ""
    return _REQUIRED


def _prepared_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    fields = _columns(model)
    now = timezone.now()
    defaults = {f.attname: _fallback(f, now) for f in fields if f.attname not in {"id"}}
    prepare = [
        (f.attname, f if isinstance(f, _PREPARED) else None, defaults.get(f.attname, None)) for f in fields
    ]
    for row in rows:
        out = []
        for attname, field, default in prepare:
            value = row.get(attname, default)
            if value is _REQUIRED:
                raise ValueError(f"{model.__name__}.{attname}: no value and no default")
            if field is not None and value is not None:
                value = field.get_db_prep_save(value, connection)
            out.append(value)
        yield tuple(out)


def write_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` into ``model``'s table in one stream; return the number written."""
    fields = _columns(model)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in _prepared_rows(model, rows):
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        batch: list[tuple[Any, ...]] = []
        for row in _prepared_rows(model, rows):
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


def finish(*models_written: type[models.Model]) -> None:
    """Move PostgreSQL's id sequences past the ids written (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_written:
            table = model._meta.db_table
            pk = model._meta.pk
            if pk is None or not isinstance(pk, models.AutoField | models.BigAutoField):
                continue
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX({col}) FROM {tbl}), 1))".format(
                    col=connection.ops.quote_name(pk.column), tbl=connection.ops.quote_name(table)
                ),
                [table, pk.column],
            )
