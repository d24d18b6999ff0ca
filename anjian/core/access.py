"""The one access layer: what a user may see and change, for pages, API and CLI alike.

Every scoped read goes through ``restrict(queryset, user)`` or ``access_by_id(...)``. Each model states
its rule in ``scope_q(scope, action)``; this module computes the user's ``Scope`` once per request.
An object outside the scope answers exactly like an absent one (Zulip ``access_stream_common``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext as _

from anjian.core.errors import ObjectNotFound, PermissionDeniedError
from anjian.orgs.choices import (
    ENTERPRISE_SIDE_ROLES,
    GOVERNMENT_ROLES,
    UNIT_STAFF_ROLES,
    ZONE_WIDE_ROLES,
    Role,
)

__all__ = [
    "ZONE_WIDE_ROLES",
    "Scope",
    "access_by_id",
    "access_for_change",
    "path_spans_many",
    "restrict",
    "rule_spans_many",
    "scope_of",
]

M = TypeVar("M", bound=models.Model)
QS = TypeVar("QS", bound=models.QuerySet[Any])


@dataclass(frozen=True)
class Scope:
    """What one user is, for access decisions.

    ``org_ids`` is the user's own unit; ``unit_ids`` adds the groups it belongs to (a task led by
    "安委会各成员单位" concerns every member). ``enterprise_ids`` is set for enterprise users.
    """

    user_id: int | None
    role: str
    org_id: int | None
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)
    is_superuser: bool = False

    @property
    def cache_key(self) -> str:
        """A short key of everything that decides what this scope sees (for caches of scoped aggregates)."""
        import hashlib

        raw = (
            f"{self.role}|{self.org_id}|{sorted(self.unit_ids)}|{sorted(self.enterprise_ids)}"
            f"|{self.is_superuser}|{self.user_id is not None}"
        )
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]

    @property
    def sees_all(self) -> bool:
        """Admins and the committee office see the whole zone."""
        return self.is_superuser or self.role in ZONE_WIDE_ROLES

    @property
    def is_zone_wide(self) -> bool:
        """Same as ``sees_all``: administrators and the committee office."""
        return self.sees_all

    @property
    def is_government(self) -> bool:
        """A government user (zone-wide, department or town staff, emergency command)."""
        return self.is_superuser or self.role in GOVERNMENT_ROLES

    @property
    def is_unit_staff(self) -> bool:
        """A government user who acts for their own unit (department/town staff, emergency command)."""
        return self.role in UNIT_STAFF_ROLES

    @property
    def is_department(self) -> bool:
        """Department (or town, rescue team) staff."""
        return self.role == Role.DEPARTMENT

    @property
    def is_commander(self) -> bool:
        """Emergency command: reads every enterprise."""
        return self.role == Role.COMMANDER

    @property
    def is_enterprise(self) -> bool:
        """An enterprise's own user."""
        return self.role == Role.ENTERPRISE

    @property
    def is_gate(self) -> bool:
        """A gate operator (二道门)."""
        return self.role == Role.GATE_OPERATOR

    @property
    def is_enterprise_side(self) -> bool:
        """An enterprise's own user or its gate operator."""
        return self.role in ENTERPRISE_SIDE_ROLES


ANONYMOUS = Scope(user_id=None, role="anonymous", org_id=None)


def scope_of(user: Any) -> Scope:
    """Return (and cache on the user object) the access scope of ``user``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_anjian_scope", None)
    if isinstance(cached, Scope):
        return cached
    org_id = getattr(user, "org_id", None)
    unit_ids: set[int] = set()
    enterprise_ids: set[int] = set()
    if org_id is not None:
        from anjian.orgs.models import OrgUnit

        unit_ids = {org_id, *OrgUnit.objects.filter(members__id=org_id).values_list("id", flat=True)}
        enterprise_ids = set(_enterprise_ids_for_org(org_id))
    scope = Scope(
        user_id=user.pk,
        role=getattr(user, "role", "") or "",
        org_id=org_id,
        unit_ids=frozenset(unit_ids),
        enterprise_ids=frozenset(enterprise_ids),
        is_superuser=bool(getattr(user, "is_superuser", False)),
    )
    user._anjian_scope = scope
    return scope


def _enterprise_ids_for_org(org_id: int) -> list[int]:
    """Enterprises whose enterprise-side unit is ``org_id`` (empty until the registry is installed)."""
    from django.apps import apps

    try:
        enterprise_model = apps.get_model("enterprises", "Enterprise")
    except LookupError:
        return []
    return list(enterprise_model.objects.filter(org_unit_id=org_id).values_list("id", flat=True))


def restrict(queryset: QS, user: Any, action: str = "view") -> QS:
    """Return the rows of ``queryset`` that ``user`` may ``action``.

    The result has the type of ``queryset``, so a custom queryset's methods stay available.
    """
    scope = user if isinstance(user, Scope) else scope_of(user)
    if scope is ANONYMOUS or scope.user_id is None:
        return queryset.none()
    rule = getattr(queryset.model, "scope_q", None)
    if rule is None:
        return queryset if scope.sees_all else queryset.none()
    q = rule(scope, action)
    if q is None:
        return queryset.none()
    if not q:
        return queryset
    # DISTINCT only when the rule joins a to-many relation (a row could match twice): on a list of
    # 600,000 people PostgreSQL would otherwise sort and de-duplicate every visible row to show page 1.
    return queryset.filter(q).distinct() if rule_spans_many(queryset.model, q) else queryset.filter(q)


def rule_spans_many(model: type[models.Model], q: models.Q) -> bool:
    """True when a lookup of ``q`` crosses a to-many relation (reverse foreign key or many-to-many).

    A rule that follows foreign keys (and one-to-one fields) only, or tests a subquery (``Exists``,
    ``__in`` a queryset), returns each row at most once and needs no DISTINCT.
    """
    for child in q.children:
        if isinstance(child, models.Q):
            if rule_spans_many(model, child):
                return True
        elif isinstance(child, tuple) and path_spans_many(model, child[0]):
            return True
    return False


def path_spans_many(model: type[models.Model], path: str) -> bool:
    """True when the lookup path ``path`` (``employer_enterprise__name``) crosses a to-many relation."""
    opts = model._meta
    for part in path.split(LOOKUP_SEP):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup (``in``, ``isnull``), ``pk`` or a transform: the path ends here
        if not field.is_relation:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        related = field.related_model
        if related is None or isinstance(related, str):
            return False
        opts = related._meta
    return False


def access_by_id(model_or_qs: type[M] | models.QuerySet[M], user: Any, pk: Any, action: str = "view") -> M:
    """Return the object ``pk`` if ``user`` may ``action`` it; otherwise raise ``ObjectNotFound``."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    try:
        return restrict(qs, user, action).get(pk=pk)
    # ``ObjectDoesNotExist`` is the base of every ``Model.DoesNotExist`` (the stubs cannot see the
    # concrete model's class attribute through the type variable).
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise ObjectNotFound(_("对象不存在或无权查看")) from exc


def access_for_change(model_or_qs: type[M] | models.QuerySet[M], user: Any, pk: Any) -> M:
    """Return object ``pk`` for editing: 404 if ``user`` cannot see it, 403 if they see but may not change it."""
    obj = access_by_id(model_or_qs, user, pk, "view")
    qs = obj.__class__._default_manager.filter(pk=obj.pk)
    if not restrict(qs, user, "change").exists():
        raise PermissionDeniedError(_("无权修改该对象"))
    return obj
