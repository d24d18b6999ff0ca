"""Named permission checks of the 重大危险源 register, used by pages, forms and actions."""

from __future__ import annotations

from typing import Any

from anjian.core.access import Scope, scope_of

__all__ = ["may_file"]


def may_file(user_or_scope: Any) -> bool:
    """备案 is recorded by the department that receives it (or the zone-wide roles), never by the
    enterprise itself (《危险化学品重大危险源监督管理暂行规定》第二十三条)."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_of(user_or_scope)
    return scope.sees_all or scope.is_department
