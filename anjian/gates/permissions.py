"""Named permission checks of the second gate, used by pages, the API, the transition tables and actions."""

from __future__ import annotations

from typing import Any

from anjian.core.access import restrict

__all__ = ["may_operate"]


def may_operate(user_or_scope: Any, obj: Any) -> bool:
    """``user`` may run the gate of ``obj``'s enterprise (override, roll call, muster check, approve)."""
    return bool(restrict(obj.__class__._default_manager.filter(pk=obj.pk), user_or_scope, "operate").exists())
