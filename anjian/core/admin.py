"""Django admin: the audit table (read-only) and the base classes every app's admin uses.

The admin is the system administrators' escape hatch, not a way around the audit: an admin that lets
rows be edited derives from :class:`AuditedModelAdmin`, so each add, change and delete writes an
``AuditEntry`` (with before/after) like the pages and the API do. Workflow objects, whose state moves only
through their actions, use :class:`ViewOnlyModelAdmin`.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.http import HttpRequest

from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry

__all__ = ["AuditedAdminMixin", "AuditedModelAdmin", "ViewOnlyModelAdmin"]

_BEFORE = "_anjian_admin_before"

_M = TypeVar("_M", bound=models.Model)


def _message(message: Any) -> str:
    """The admin's change message (a JSON list or text) in words, prefixed with where the change came from."""
    if isinstance(message, list | tuple):
        message = json.dumps(message)
    text = LogEntry(change_message=message or "").get_change_message()
    return f"管理后台：{text}" if text else "管理后台"


def _remember_before(request: HttpRequest, obj: models.Model) -> None:
    if obj.pk is None:
        return
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    if stored is not None:
        getattr(request, _BEFORE, {}).setdefault((type(obj), str(obj.pk)), snapshot(stored))


class AuditedAdminMixin:
    """Write one audit row for every object the admin adds, changes or deletes.

    The state before an edit is read from the database when the admin fetches the object (change form,
    password form) or saves it (list-editable changes); the row is written from the admin's own log hooks,
    which run inside the same transaction as the change. Inline edits are named in the parent's message.
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            if not hasattr(request, _BEFORE):
                setattr(request, _BEFORE, {})
            _remember_before(request, obj)
        return obj

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not hasattr(request, _BEFORE):
            setattr(request, _BEFORE, {})
        _remember_before(request, obj)
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        record(
            AuditEvent.OBJECT_CREATED,
            obj,
            acting_user=request.user,
            after=snapshot(obj),
            message=_message(message),
        )
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        before = getattr(request, _BEFORE, {}).get((type(obj), str(obj.pk)))
        record(
            AuditEvent.OBJECT_UPDATED,
            obj,
            acting_user=request.user,
            before=before,
            after=snapshot(obj),
            message=_message(message),
        )
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            record(
                AuditEvent.OBJECT_DELETED,
                obj,
                acting_user=request.user,
                before=snapshot(obj),
                message="管理后台：删除",
            )
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin[_M]):
    """A model admin whose adds, changes and deletes are audited."""


class ViewOnlyModelAdmin(admin.ModelAdmin[_M]):
    """Lists and shows rows; adding, changing and deleting happen in the audited pages and actions."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyModelAdmin[AuditEntry]):
    """Read-only: audit rows are never edited."""

    list_display = ["time", "user_name", "event_type", "object_type", "object_repr", "reason"]
    list_filter = ["event_type", "object_type"]
    search_fields = ["object_repr", "user_name", "reason", "request_id"]
