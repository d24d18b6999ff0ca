"""Writing audit rows: one helper for every state change (Zulip ``RealmAuditLog``, NetBox ``ObjectChange``)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from anjian.core.choices import AuditEvent
from anjian.core.middleware import current_request_id, request_reason
from anjian.core.models import AuditEntry

__all__ = ["history_for", "jsonable", "record", "record_many", "snapshot"]


_PLAIN = frozenset({str, int, bool, float})


def jsonable(value: Any) -> Any:
    """Return ``value`` in a JSON-safe form (dates as ISO strings, decimals as strings)."""
    if value is None or value.__class__ in _PLAIN:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def snapshot(
    obj: models.Model, exclude: tuple[str, ...] = ("created_at", "updated_at", "password")
) -> dict[str, Any]:
    """Return the concrete field values of ``obj`` (foreign keys as ids) for before/after columns."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname if not field.is_relation else field.name] = jsonable(field.value_from_object(obj))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(jsonable(v.pk) for v in field.value_from_object(obj))
    return data


def record(
    event_type: AuditEvent | int,
    obj: models.Model,
    *,
    acting_user: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    message: str = "",
    related: models.Model | None = None,
) -> AuditEntry:
    """Write one audit row for ``obj``. ``acting_user`` may be ``None`` for system jobs (CLI, seed)."""
    if related is None and hasattr(obj, "audit_related"):
        related = obj.audit_related()
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    name = ""
    if user is not None:
        name = (user.get_full_name() or user.get_username())[:150]
    elif acting_user is None:
        name = "系统"
    return AuditEntry.objects.create(
        user=user,
        user_name=name,
        request_id=current_request_id(),
        event_type=int(event_type),
        object_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        before=before,
        after=after,
        reason=reason or request_reason() or "",
        message=message[:500],
    )


def _actor(acting_user: Any) -> tuple[Any, str]:
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if user is not None:
        return user, (user.get_full_name() or user.get_username())[:150]
    return None, "系统" if acting_user is None else ""


def snapshotter(
    model: type[models.Model], exclude: tuple[str, ...] = ("created_at", "updated_at", "password")
) -> Callable[[models.Model], dict[str, Any]]:
    """:func:`snapshot` for many objects of ``model``: the fields are looked up once, not once per object."""
    if model._meta.many_to_many:
        return snapshot
    pairs: list[tuple[str, str | None, Any]] = []
    for field in model._meta.concrete_fields:
        if field.name in exclude:
            continue
        key = field.attname if not field.is_relation else field.name
        plain = type(field).value_from_object is models.Field.value_from_object
        pairs.append((key, field.attname if plain else None, field))

    def snap(obj: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, attname, field in pairs:
            value = getattr(obj, attname) if attname is not None else field.value_from_object(obj)
            data[key] = value if value is None or value.__class__ in _PLAIN else jsonable(value)
        return data

    return snap


#: The columns :func:`record_many` writes, in order.
_AUDIT_COLUMNS = (
    "time",
    "user",
    "user_name",
    "request_id",
    "event_type",
    "object_type",
    "object_id",
    "object_repr",
    "related_type",
    "related_id",
    "before",
    "after",
    "reason",
    "message",
)


def record_many(
    event_type: AuditEvent | int,
    objects: Iterable[models.Model],
    *,
    acting_user: Any,
    after: Callable[[Any], dict[str, Any] | None] | None = snapshot,
    before: Callable[[Any], dict[str, Any] | None] | None = None,
    related: Callable[[Any], models.Model | None] | None = None,
    reason: str = "",
    message: str | Callable[[Any], str] = "",
    batch_size: int = 500,
) -> int:
    """Write one audit row per object in bulk (imports, back-fills, telemetry): the same columns as
    :func:`record`, a few queries for any number of rows; returns the number of rows. ``after``/``before``/
    ``related`` — and ``message`` when it is a function — are per object.

    The rows are written as column values (``core.actions.insert_values``), without an ``AuditEntry``
    instance each, and share one ``time`` (the moment of the call)."""
    from django.utils import timezone

    from anjian.core.actions import insert_values

    user, name = _actor(acting_user)
    user_id = user.pk if user is not None else None
    request_id = current_request_id()
    reason = reason or request_reason() or ""
    event = int(event_type)
    when = timezone.now()
    types: dict[type[models.Model], int] = {}
    snapshots: dict[type[models.Model], Callable[[Any], dict[str, Any] | None]] = {}

    def ct(model: type[models.Model]) -> int:
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model).pk
        return types[model]

    def after_of(obj: models.Model) -> dict[str, Any] | None:
        if after is None:
            return None
        if after is not snapshot:
            return after(obj)
        model = type(obj)
        if model not in snapshots:
            snapshots[model] = snapshotter(model)
        return snapshots[model](obj)

    rows = []
    for obj in objects:
        rel = (
            related(obj)
            if related is not None
            else (obj.audit_related() if hasattr(obj, "audit_related") else None)
        )
        rows.append(
            (
                when,
                user_id,
                name,
                request_id,
                event,
                ct(type(obj)),
                str(obj.pk),
                str(obj)[:200],
                ct(type(rel)) if rel is not None else None,
                str(rel.pk) if rel is not None else "",
                before(obj) if before is not None else None,
                after_of(obj),
                reason,
                (message(obj) if callable(message) else message)[:500],
            )
        )
    return insert_values(AuditEntry, _AUDIT_COLUMNS, rows, rows_per_statement=batch_size)


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """Return the audit rows of ``obj`` and of objects that name it as their related object."""
    ct = ContentType.objects.get_for_model(obj)
    pk = str(obj.pk)
    return AuditEntry.objects.filter(
        models.Q(object_type=ct, object_id=pk) | models.Q(related_type=ct, related_id=pk)
    ).select_related("object_type")
