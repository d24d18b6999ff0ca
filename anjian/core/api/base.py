"""Scoped, audited DRF base classes shared by every app's ``api/views.py``."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets

from anjian.core.access import restrict
from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.errors import ObjectNotFound, PermissionDeniedError


class BriefModelSerializer(serializers.ModelSerializer):
    """A model serializer with brief output and the model's own ``clean()`` as validation.

    ``Meta.brief_fields`` are returned when the view asks for brief output (``?brief=1``). ``validate``
    runs ``Model.clean()`` on the would-be object so that the API refuses exactly what forms and Excel
    imports refuse, with the same Chinese messages.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        obj = copy.copy(self.instance) if self.instance is not None else model()
        m2m = {f.name for f in model._meta.many_to_many}
        for key, value in attrs.items():
            if key not in m2m:
                setattr(obj, key, value)
        try:
            obj.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
        return attrs

    def __init__(self, *args: Any, brief: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if brief:
            keep = set(getattr(self.Meta, "brief_fields", ()))
            for name in list(self.fields):
                if name not in keep:
                    self.fields.pop(name)


class ScopedViewMixin:
    """``get_queryset`` is always restricted to the requesting user's scope."""

    request: Any
    queryset: Any

    def get_queryset(self) -> Any:
        return restrict(super().get_queryset(), self.request.user, "view")  # type: ignore[misc]

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if self.request is not None and self.request.query_params.get("brief") in {"1", "true"}:
            kwargs.setdefault("brief", True)
        return super().get_serializer(*args, **kwargs)  # type: ignore[misc]


class ScopedReadOnlyViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of what the user may see."""


class AuditedModelViewSet(ScopedViewMixin, viewsets.ModelViewSet):
    """CRUD whose writes are atomic, scope-checked and audited with before/after snapshots.

    Subclasses may override ``check_create(serializer)`` to refuse creation (raise an ``AnjianError``)
    and ``save_kwargs()`` to add server-side fields. A ``reason`` in the request body lands in the audit.
    """

    audit_create = AuditEvent.OBJECT_CREATED
    audit_update = AuditEvent.OBJECT_UPDATED
    audit_delete = AuditEvent.OBJECT_DELETED

    def _reason(self) -> str:
        data = getattr(self.request, "data", None)
        return str(data.get("reason", "")) if hasattr(data, "get") else ""

    def check_create(self, serializer: Any) -> None:
        """Refuse creation outside the user's scope; default: only zone-wide roles may create."""
        from anjian.core.access import scope_of

        if not scope_of(self.request.user).sees_all:
            raise PermissionDeniedError(_("无权新建该对象"))

    def check_change(self, obj: Any) -> None:
        """Refuse changes to objects the user may see but not change (403)."""
        qs = obj.__class__._default_manager.filter(pk=obj.pk)
        if not restrict(qs, self.request.user, "change").exists():
            raise PermissionDeniedError(_("无权修改该对象"))

    def save_kwargs(self) -> dict[str, Any]:
        """Extra fields set by the server on create and update."""
        return {}

    def perform_create(self, serializer: Any) -> None:
        self.check_create(serializer)
        with transaction.atomic():
            obj = serializer.save(**self.save_kwargs())
            record(self.audit_create, obj, acting_user=self.request.user, after=snapshot(obj), reason=self._reason())

    def perform_update(self, serializer: Any) -> None:
        self.check_change(serializer.instance)
        with transaction.atomic():
            before = snapshot(serializer.instance)
            obj = serializer.save(**self.save_kwargs())
            record(
                self.audit_update, obj, acting_user=self.request.user, before=before, after=snapshot(obj),
                reason=self._reason(),
            )

    def perform_destroy(self, instance: Any) -> None:
        self.check_change(instance)
        with transaction.atomic():
            before = snapshot(instance)
            record(self.audit_delete, instance, acting_user=self.request.user, before=before, reason=self._reason())
            instance.delete()

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404 as exc:
            raise ObjectNotFound(_("对象不存在或无权查看")) from exc
