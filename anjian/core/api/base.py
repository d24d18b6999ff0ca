"""Scoped, audited DRF base classes shared by every app's ``api/views.py``."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from anjian.core.access import access_by_id, restrict
from anjian.core.actions import create_object, delete_object, update_object
from anjian.core.choices import AuditEvent
from anjian.core.errors import ObjectNotFound, PermissionDeniedError

__all__ = [
    "AllowedVerbsField",
    "AuditedModelViewSet",
    "BriefModelSerializer",
    "ProtectedFileField",
    "ScopedPrimaryKeyRelatedField",
    "ScopedReadOnlyViewSet",
]

_M = TypeVar("_M", bound=models.Model)


def _requesting_user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def _restrict_choices(field: serializers.Field[Any, Any, Any, Any], user: Any) -> None:
    """Narrow a writable relation's queryset to the rows ``user`` may see.

    Validation then treats an out-of-scope id exactly like an absent one, and the browsable API's form
    (which lists every choice of a related field) never names an object outside the user's scope.
    """
    if field.read_only:
        return
    relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
    queryset = getattr(relation, "queryset", None)
    if (
        isinstance(relation, serializers.RelatedField)
        and queryset is not None
        and hasattr(queryset.model, "scope_q")
    ):
        relation.queryset = restrict(queryset, user, "view")


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[_M]):
    """A foreign key naming the object a write hangs off (the enterprise of a licence, the holder of a
    certificate, the task of a report).

    An id the requesting user cannot see answers 404, exactly like an id that does not exist; with
    ``action="change"`` an object the user sees but may not change answers 403 (``access_for_change``).
    """

    def __init__(self, *, action: str = "view", **kwargs: Any) -> None:
        self.scope_action = action
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[_M]:
        return restrict(super().get_queryset(), _requesting_user(self.context), "view")

    def to_internal_value(self, data: Any) -> _M:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        base = super().get_queryset()
        user = _requesting_user(self.context)
        try:
            obj = access_by_id(base, user, data, "view")
        except ObjectNotFound as exc:
            label = self.label or self.field_name or ""
            raise ObjectNotFound(
                _("%(label)s不存在或无权查看") % {"label": label}, field=self.field_name
            ) from exc
        if (
            self.scope_action != "view"
            and not restrict(base.filter(pk=obj.pk), user, self.scope_action).exists()
        ):
            raise PermissionDeniedError(
                _("无权在%(label)s“%(obj)s”下登记") % {"label": self.label or "", "obj": obj},
                field=self.field_name,
            )
        return obj


class ProtectedFileField(serializers.FileField):
    """An uploaded file whose URL is the scoped download (``core:file``), never a public media path."""

    def to_representation(self, value: Any) -> Any:
        if not value:
            return None
        instance = getattr(value, "instance", None)
        if instance is None or instance.pk is None:
            return None
        from django.urls import reverse

        url = reverse("core:file", args=[instance._meta.label_lower, instance.pk, value.field.name])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_field({"type": "array", "items": {"type": "string"}, "readOnly": True})
class AllowedVerbsField(serializers.Field):  # type: ignore[type-arg]
    """The workflow steps (the object's POST actions) the requesting user may take now, from
    ``core.workflow.allowed_verbs`` — the same answer the pages' buttons come from."""

    def __init__(self, workflow_key: str, **kwargs: Any) -> None:
        self.workflow_key = workflow_key
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> list[str]:
        from anjian.core.workflow import allowed_verbs, get_workflow

        user = _requesting_user(self.context)
        if user is None:
            return []
        return list(
            dict.fromkeys(e.verb for e in allowed_verbs(get_workflow(self.workflow_key), value, user))
        )


def _same_value(stored: Any, sent: Any) -> bool:
    """``sent`` (JSON or form text) equals ``stored`` (the serializer's own representation)."""
    if stored == sent:
        return True
    if isinstance(stored, bool):
        return str(sent).strip().lower() in ({"true", "1", "on"} if stored else {"false", "0", "off", ""})
    if stored is None:
        return sent in (None, "")
    if isinstance(stored, list | dict) or isinstance(sent, list | dict):
        return False
    return str(stored) == str(sent)


class BriefModelSerializer(serializers.ModelSerializer[_M]):
    """A model serializer with brief output and the model's own ``clean()`` as validation.

    ``Meta.brief_fields`` are returned when the view asks for brief output (``?brief=1``). ``validate``
    runs ``Model.clean()`` on the would-be object so that the API refuses exactly what forms and Excel
    imports refuse, with the same Chinese messages.

    Every writable relation offers (and accepts) only the rows the requesting user may see. A foreign key
    listed in ``Meta.scoped_parents`` (name → "view" or "change") is the object the write hangs off: an
    id the user cannot see answers 404 like an absent one, and with "change" a visible object the user
    may not change answers 403 (see :class:`ScopedPrimaryKeyRelatedField`).
    """

    def to_internal_value(self, data: Any) -> Any:
        self._refuse_read_only_changes(data)
        return super().to_internal_value(data)

    def _refuse_read_only_changes(self, data: Any) -> None:
        """A read-only field sent with a value other than the stored one is a 400 naming it, never silently
        ignored (issue 7): the client learns that its change did not happen. Sending back what a GET returned
        (the same value) stays allowed, so a client may PUT the object it read."""
        if not hasattr(data, "keys"):
            return
        sent = [n for n in data if (f := self.fields.get(n)) is not None and f.read_only]
        if not sent:
            return
        current = self.to_representation(self.instance) if self.instance is not None else {}
        errors: dict[str, list[str]] = {}
        for name in sent:
            value = data.get(name)
            if self.instance is None:
                if value in (None, "", [], {}):
                    continue
            elif _same_value(current.get(name), value):
                continue
            label = self.fields[name].label or name
            errors[name] = [_("“%(label)s”为只读字段，或您无权修改它：请不要提交该字段") % {"label": label}]
        if errors:
            raise serializers.ValidationError(errors)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: type[models.Model] = self.Meta.model
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

    # Uploaded files are served through the scoped download view, never as a public media URL.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.FileField: ProtectedFileField,
    }

    def build_relational_field(self, field_name: str, relation_info: Any) -> tuple[Any, dict[str, Any]]:
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        parents = getattr(self.Meta, "scoped_parents", {})
        if field_name in parents and field_class is serializers.PrimaryKeyRelatedField:
            field_class = ScopedPrimaryKeyRelatedField
            kwargs["action"] = parents[field_name]
        return field_class, kwargs

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        user = _requesting_user(self.context)
        if user is not None:
            for field in fields.values():
                _restrict_choices(field, user)
        return fields

    def __init__(self, *args: Any, brief: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The schema names the brief form as its own component ("Brief<Name>"), see core.api.schema.
        self.brief = brief
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


class ScopedReadOnlyViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet[_M]):
    """List and detail of what the user may see."""


class AuditedModelViewSet(ScopedViewMixin, viewsets.ModelViewSet[_M]):
    """CRUD whose writes go through the model's app actions (``core.actions``: the app's ``WRITERS``, or the
    generic audited create/update/delete), atomic and scope-checked.

    Subclasses may override ``check_create(serializer)`` to refuse creation (raise an ``AnjianError``)
    and ``save_kwargs()`` to add server-side fields. A ``reason`` in the request body lands in the audit.
    ``audit_create``/``audit_update``/``audit_delete`` are the events of the generic fallback (an app
    writer audits with its own).
    """

    audit_create = AuditEvent.OBJECT_CREATED
    audit_update = AuditEvent.OBJECT_UPDATED
    audit_delete = AuditEvent.OBJECT_DELETED

    def _reason(self) -> str:
        data: Any = getattr(self.request, "data", None)
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

    def check_still_changeable(self, obj: Any) -> None:
        """Refuse (and roll back) a create or edit whose result the user may not change, e.g. a town's grid
        handed to the other town, or a licence an enterprise registers for itself: a write never reaches
        past what the user may change. Call it inside the write's transaction."""
        qs = obj.__class__._default_manager.filter(pk=obj.pk)
        if not restrict(qs, self.request.user, "change").exists():
            raise PermissionDeniedError(_("超出您的管理范围，无权保存"))

    def _model(self) -> type[models.Model]:
        model: type[models.Model] = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        return model

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(field values, many-to-many values) of a serializer's validated data plus ``save_kwargs``."""
        many = {f.name for f in self._model()._meta.many_to_many}
        values = {**data, **self.save_kwargs()}
        return (
            {k: v for k, v in values.items() if k not in many},
            {k: v for k, v in values.items() if k in many},
        )

    def perform_create(self, serializer: Any) -> None:
        """Create through the model's app writer (``core.actions``), then check the result is the user's."""
        self.check_create(serializer)
        values, m2m = self._split(serializer.validated_data)
        with transaction.atomic():
            obj = create_object(
                self._model()(**values),
                acting_user=self.request.user,
                reason=self._reason(),
                fallback_event=self.audit_create,
                m2m=m2m,
            )
            serializer.instance = obj
            self.check_still_changeable(obj)

    def perform_update(self, serializer: Any) -> None:
        """Update through the model's app writer: locked, validated, not audited when nothing changed."""
        self.check_change(serializer.instance)
        values, m2m = self._split(serializer.validated_data)
        with transaction.atomic():
            obj = update_object(
                serializer.instance,
                {**values, **m2m},
                acting_user=self.request.user,
                reason=self._reason(),
                fallback_event=self.audit_update,
            )
            serializer.instance = obj
            self.check_still_changeable(obj)

    def perform_destroy(self, instance: Any) -> None:
        """Delete through the model's app writer (one audit row with the last state)."""
        self.check_change(instance)
        delete_object(
            instance, acting_user=self.request.user, reason=self._reason(), fallback_event=self.audit_delete
        )

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404 as exc:
            raise ObjectNotFound(_("对象不存在或无权查看")) from exc
