"""Named permission checks of the enterprise registry, used by pages, the API, navigation and actions."""

from __future__ import annotations

from typing import Any

from anjian.core.access import Scope, scope_of

__all__ = ["may_write_registry"]


def may_write_registry(user_or_scope: Any) -> bool:
    """Zone-wide roles and department/town staff add, edit and import enterprises, grids, licences and
    gradings (each row still goes through its change scope)."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_of(user_or_scope)
    return scope.sees_all or scope.is_department
