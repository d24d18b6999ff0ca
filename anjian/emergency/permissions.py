"""Named permission checks of the emergency app, used by pages, the API and the to-do list."""

from __future__ import annotations

from typing import Any

from anjian.core.access import Scope, scope_of

__all__ = ["may_register"]


def may_register(user_or_scope: Any) -> bool:
    """Zone-wide roles, department/town staff and enterprise users register emergency data (plans,
    resources, drills, incidents, footprints); each row must then fall inside what they may change."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_of(user_or_scope)
    return scope.sees_all or scope.is_department or scope.is_enterprise
