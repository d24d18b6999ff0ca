"""What needs the user's attention, gathered from every module for the home page.

Each app registers a provider in its ``AppConfig.ready``: ``register(provider)`` where ``provider(user)``
returns ``TodoItem``s that the user may act on (already scoped).

A provider of an app whose saves drop the metric cache (``core.metrics.WATCHED_APPS``) is cached per user for
:data:`CACHE_SECONDS` under the same generation: the home page and the to-do count, polled every 15 seconds by
every open page, do not count a province's certificates each time (issue 8), and any change to those registers
shows at once. Providers of other apps (gates: streamed events) run every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["TodoItem", "collect", "register", "todo_count", "todo_count_html"]


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: a title, why it is urgent, and where to go."""

    module: str
    title: str
    detail: str
    url: str
    level: str = "warning"  # danger | warning | info
    count: int = 1


_PROVIDERS: list[Callable[[Any], list[TodoItem]]] = []


def register(provider: Callable[[Any], list[TodoItem]]) -> Callable[[Any], list[TodoItem]]:
    """Add a provider (usable as a decorator); registering twice is harmless."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


#: How long a cached provider's items are kept at most (due dates move with the clock).
CACHE_SECONDS = 60


def _items_of(provider: Callable[[Any], list[TodoItem]], user: Any) -> list[TodoItem]:
    from django.core.cache import cache
    from django.utils import timezone

    from anjian.core.metrics import WATCHED_APPS, generation

    module = provider.__module__
    app = module.split(".")[1] if module.startswith("anjian.") else ""
    if app not in WATCHED_APPS or getattr(user, "pk", None) is None:
        return provider(user)
    key = f"anjian:todos:{generation()}:{module}.{provider.__qualname__}:{user.pk}:{timezone.localdate()}"
    hit = cache.get(key)
    if isinstance(hit, list):
        return hit
    items = provider(user)
    cache.set(key, items, CACHE_SECONDS)
    return items


def collect(user: Any) -> list[TodoItem]:
    """Return every provider's items for ``user``, most urgent first."""
    items: list[TodoItem] = []
    for provider in _PROVIDERS:
        items.extend(_items_of(provider, user))
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda i: (order.get(i.level, 3), i.module))


def todo_count(user: Any) -> int:
    """How many things ``user`` has to do (the sum of the items' counts)."""
    return sum(item.count for item in collect(user))


def todo_count_html(request: Any) -> str:
    """The to-do count as the home page and the live poll show it (the home page's items are reused)."""
    items = getattr(request, "_anjian_todos", None)
    if items is not None:
        return str(sum(item.count for item in items))
    return str(todo_count(request.user))
