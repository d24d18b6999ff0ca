"""Home-page to-dos of the second gate: its alarms, for the people who act on them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse

from anjian.core.access import scope_of
from anjian.core.todos import TodoItem
from anjian.gates.selectors import alarms
from anjian.orgs.choices import ENTERPRISE_SIDE_ROLES, REGISTER_ROLES

__all__ = ["gate_todos"]


def gate_todos(user: Any) -> list[TodoItem]:
    """Over-quota and full zones, overstays, lapsed certificates inside, open roll calls — one item per kind."""
    scope = scope_of(user)
    if scope.role not in REGISTER_ROLES | ENTERPRISE_SIDE_ROLES:
        return []
    found = alarms(user)
    counts = Counter(a.kind for a in found)
    items: list[TodoItem] = []
    for alarm in found:
        if counts.get(alarm.kind, 0) == 0:
            continue
        n = counts.pop(alarm.kind)
        detail = alarm.detail if n == 1 else f"{alarm.detail} 等 {n} 项"
        url = reverse("gates:rollcall_list") if alarm.kind == "roll_call" else reverse("gates:headcount")
        items.append(
            TodoItem(module="二道门", title=alarm.title, detail=detail, url=url, level=alarm.level, count=n)
        )
    return items
