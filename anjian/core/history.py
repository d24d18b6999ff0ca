"""Change history people can read: labels instead of codes, names instead of ids, local time.

An audit row stores ``before``/``after`` snapshots as JSON (field attnames, choice codes, foreign-key ids, ISO
timestamps in UTC). :func:`readable_changes` turns each changed field into ``(label, before, after)`` text:
the field's verbose name, the choice label, the related object's name, 是/否, and times in the zone's local
time. It is generic over every model, so every module's 变更记录 and the 审计日志 read the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

__all__ = ["readable_changes", "readable_value"]

MAX_FIELDS = 12
EMPTY = "—"


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)  # type: ignore[return-value]
    except FieldDoesNotExist:
        pass
    for f in model._meta.concrete_fields:
        if getattr(f, "attname", None) == key:
            return f
    return None


def _name_of(model: type[models.Model], pk: Any) -> str:
    if not isinstance(pk, int | str) or isinstance(pk, bool):
        return json.dumps(pk, ensure_ascii=False)
    try:
        obj = model._default_manager.filter(pk=pk).first()
    except (ValueError, TypeError):
        return str(pk)
    return str(obj) if obj is not None else f"#{pk}（已删除）"


def readable_value(field: Any, value: Any) -> str:
    """``value`` of ``field`` (``None`` when unknown) as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if field is not None:
        choices = dict(getattr(field, "flatchoices", None) or ())
        if choices and value in choices:
            return str(choices[value])
        related = getattr(field, "related_model", None)
        if related is not None and not isinstance(related, str):
            if isinstance(value, list):
                return "、".join(_name_of(related, pk) for pk in value) or EMPTY
            return _name_of(related, value)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                if timezone.is_naive(parsed):
                    parsed = timezone.make_aware(parsed, dt.UTC)
                return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(entry: Any) -> list[tuple[str, str, str, bool]]:
    """``(label, before, after, created)`` for each field that differs (``created``: there was no before)."""
    model = entry.object_type.model_class() if entry.object_type_id else None
    before = entry.before or {}
    after = entry.after or {}
    rows = []
    for key in [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)][:MAX_FIELDS]:
        field = _field(model, key)
        label = str(getattr(field, "verbose_name", "") or key) if field is not None else key
        rows.append(
            (
                label,
                readable_value(field, before.get(key)),
                readable_value(field, after.get(key)),
                entry.before is None,
            )
        )
    return rows
