"""Base model, restricted querysets and the one audit table (NetBox ``ObjectChange``)."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import audit_event_label

__all__ = ["AuditEntry", "BaseModel", "RestrictedQuerySet"]

_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    """A queryset that can be narrowed to what a user may see (NetBox ``RestrictedQuerySet``)."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        """Return only the rows ``user`` may ``action`` ("view" or "change")."""
        from anjian.core.access import restrict

        return restrict(self, user, action)


class BaseModel(models.Model):
    """Abstract base: timestamps, a restricted manager, and the scope hook every model overrides.

    ``scope_q(scope, action)`` returns a ``Q`` of the rows a scope may see (``Q()`` for all) or ``None``
    for none. The default lets only zone-wide roles (admin, committee office) see anything.
    """

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Rows visible to ``scope``; override per model."""
        return models.Q() if scope.sees_all else None

    def audit_related(self) -> models.Model | None:
        """The object whose history should also show this object's changes (e.g. its enterprise)."""
        return None


class AuditEntry(models.Model):
    """Who did what to which object, when and why, with the state before and after.

    Written by the API/view base classes for plain edits and explicitly by every workflow action.
    """

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    # No ``choices=`` on purpose: each module adds its own events, and the labels need no migration.
    event_type = models.PositiveIntegerField(_("事件"), db_index=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    object = GenericForeignKey("object_type", "object_id")
    object_repr = models.CharField(_("对象"), max_length=200)
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_id = models.CharField(max_length=64, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id", "time"])]

    def __str__(self) -> str:
        return (
            f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.get_event_type_display()} {self.object_repr}"
        )

    def get_event_type_display(self) -> str:
        """The event's Chinese label (the number itself for an event this version does not know)."""
        return audit_event_label(self.event_type) or str(self.event_type)

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """Return ``(field, before, after)`` for every field whose value differs."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
