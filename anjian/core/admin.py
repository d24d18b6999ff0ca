"""Django admin: the audit table (read-only) and the base classes every app's admin uses.

The admin is the system administrators' escape hatch, not a way around the write path: an admin that lets
rows be edited derives from :class:`AuditedModelAdmin`, so each add, change and delete goes through the
model's app actions (``core.actions``) and writes one ``AuditEntry`` (with before/after) like the pages
and the API do. Workflow objects, whose state moves only through their actions, use
:class:`ViewOnlyModelAdmin`.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models, transaction
from django.http import HttpRequest

from anjian.core.actions import create_object, delete_object, update_object
from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry

__all__ = ["AuditedAdminMixin", "AuditedModelAdmin", "ViewOnlyModelAdmin"]

_BEFORE = "_anjian_admin_before"
_DONE = "_anjian_admin_written"

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
    """Adds, changes and deletes go through the model's app actions (``core.actions``), one audit row each.

    ``save_model`` calls the app's writer (or the generic audited create/update) with the form's values and
    many-to-many choices, audited as ``OBJECT_CREATED``/``OBJECT_UPDATED`` with the admin's change message;
    an edit that changes nothing is not audited. Inline rows (``save_formset``) go the same way, one audit
    row each. ``delete_model``/``delete_queryset`` call the delete action per row. A change Django's admin saves by itself (the user admin's password form) is still audited from
    the admin's own log hook, with the state read when the admin fetched the object.
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            if not hasattr(request, _BEFORE):
                setattr(request, _BEFORE, {})
            _remember_before(request, obj)
        return obj

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The model's admin form plus an optional 变更原因, stored as the audit row's reason."""
        base = kwargs.get("form") or (getattr(self, "add_form", None) if obj is None else None) or self.form  # type: ignore[attr-defined]
        if "audit_reason" not in getattr(base, "declared_fields", {}):
            kwargs["form"] = type(
                base.__name__,
                (base,),
                {
                    "audit_reason": forms.CharField(
                        label="变更原因",
                        required=False,
                        max_length=500,
                        help_text="写入审计日志（选填），例如依据的文件或申请人",
                    ),
                    "__module__": base.__module__,
                },
            )
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if "audit_reason" not in flatten_fieldsets(fieldsets):
            fieldsets.append(("变更原因", {"fields": ["audit_reason"]}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reason = str(getattr(form, "cleaned_data", {}).get("audit_reason") or "").strip()
        many = {f.name for f in obj._meta.many_to_many}
        m2m = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k in many}
        message = _message(self.construct_change_message(request, form, [], not change))  # type: ignore[attr-defined]
        if change:
            before = getattr(request, _BEFORE, {}).get((type(obj), str(obj.pk)))
            update_object(
                obj,
                None,
                acting_user=request.user,
                event=AuditEvent.OBJECT_UPDATED,
                message=message,
                m2m=m2m,
                before=before,
                validated=True,
                reason=reason,
            )
        else:
            create_object(
                obj,
                acting_user=request.user,
                event=AuditEvent.OBJECT_CREATED,
                message=message,
                m2m=m2m,
                validated=True,
                reason=reason,
            )
        if not hasattr(request, _DONE):
            setattr(request, _DONE, set())
        getattr(request, _DONE).add((type(obj), str(obj.pk)))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (a person's certificates, a unit's aliases) go through their app's actions too: each
        form's instance carries its values once the formset is valid, so nothing is saved by the formset."""
        fk = getattr(formset, "fk", None)
        reason = str(getattr(form, "cleaned_data", {}).get("audit_reason") or "").strip()
        # what the admin's change message reads (a formset's own save() would set these)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            obj = inline.instance
            if inline in formset.deleted_forms:
                if obj.pk is not None:
                    delete_object(
                        obj,
                        acting_user=request.user,
                        event=AuditEvent.OBJECT_DELETED,
                        message="管理后台：删除",
                        reason=reason,
                    )
                    formset.deleted_objects.append(obj)
                continue
            if not inline.has_changed():
                continue
            if fk is not None:
                setattr(obj, fk.name, formset.instance)
            many = {f.name for f in obj._meta.many_to_many}
            m2m = {k: v for k, v in inline.cleaned_data.items() if k in many}
            if obj.pk is None or obj._state.adding:
                create_object(
                    obj,
                    acting_user=request.user,
                    event=AuditEvent.OBJECT_CREATED,
                    message="管理后台：新增",
                    m2m=m2m,
                    reason=reason,
                )
                formset.new_objects.append(obj)
            else:
                update_object(
                    obj,
                    None,
                    acting_user=request.user,
                    event=AuditEvent.OBJECT_UPDATED,
                    message="管理后台：修改",
                    m2m=m2m,
                    validated=True,
                    reason=reason,
                )
                formset.changed_objects.append((obj, inline.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_object(
            obj, acting_user=request.user, event=AuditEvent.OBJECT_DELETED, message="管理后台：删除"
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if (type(obj), str(obj.pk)) not in getattr(request, _DONE, set()):
            # Saved by the admin itself (e.g. the password form), not through save_model.
            record(
                AuditEvent.OBJECT_UPDATED,
                obj,
                acting_user=request.user,
                before=getattr(request, _BEFORE, {}).get((type(obj), str(obj.pk))),
                after=snapshot(obj),
                message=_message(message),
            )
        return super().log_change(request, obj, message)  # type: ignore[misc]


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
