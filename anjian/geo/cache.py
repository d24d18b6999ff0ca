"""Cache keys for what the map and the overview compute: a data generation and a per-scope key.

The generation changes whenever the geography or an enterprise changes (:func:`bump`, called by the geo
actions and by :mod:`anjian.geo.signals`), so a cached layer is never older than the last change this
process or any process sharing the cache made; entries also expire after a short time, which bounds how stale
a process with its own local-memory cache can be (configure a shared cache, e.g. Redis, with several workers).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache as django_cache
from django.db import transaction

__all__ = ["bump", "bump_now_and_on_commit", "generation", "memoised", "scope_key", "scoped"]

T = TypeVar("T")


def _key(kind: str) -> str:
    return f"anjian:{kind}:generation"


def generation(kind: str = "geo") -> str:
    """The current generation of ``kind`` (``geo``: the geography and the registry; modules with their own
    layers keep their own kind, e.g. ``risks``): a random token, replaced whenever :func:`bump` is called (a
    token, not a counter, so that a cleared cache never brings back an old generation's entries)."""
    value = django_cache.get(_key(kind))
    if value is None:
        django_cache.add(_key(kind), secrets.token_hex(6), timeout=None)
        value = django_cache.get(_key(kind)) or "0"
    return str(value)


def bump(kind: str = "geo") -> None:
    """Invalidate every cache keyed on the generation of ``kind``."""
    django_cache.set(_key(kind), secrets.token_hex(6), timeout=None)


_MEMO: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_MEMO_LOCK = threading.Lock()
MEMO_ENTRIES = 64


def memoised(key: str, build: Callable[[], T], seconds: float) -> T:
    """``build()`` kept in this process for ``seconds`` under ``key`` (least recently used dropped beyond
    :data:`MEMO_ENTRIES`). For large read-only values (thousands of features) that a pickling cache would
    spend longer decoding than the database spends reading them; put the generation in ``key``. Callers
    must not mutate what they get."""
    now = time.monotonic()
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
        if hit is not None and hit[0] > now:
            _MEMO.move_to_end(key)
            return hit[1]  # type: ignore[no-any-return]
    value = build()
    with _MEMO_LOCK:
        _MEMO[key] = (now + seconds, value)
        _MEMO.move_to_end(key)
        while len(_MEMO) > MEMO_ENTRIES:
            _MEMO.popitem(last=False)
    return value


def scoped(
    name: str, scope: Any, build: Callable[[], T], seconds: float, kinds: tuple[str, ...] = ("geo",)
) -> T:
    """``build()`` kept in this process per ``scope`` (:func:`scope_key`) and per generation of each of
    ``kinds`` (:func:`memoised`): what a layer's rows depend on decides which generations drop them."""
    gens = ":".join(generation(kind) for kind in kinds)
    return memoised(f"{name}:{gens}:{scope_key(scope)}", build, seconds)


def bump_now_and_on_commit(kind: str = "geo") -> None:
    """Bump now (this transaction's own reads see the change) and again on commit (a reader that cached the
    old rows in between, under the new generation, is dropped too)."""
    bump(kind)
    transaction.on_commit(lambda: bump(kind))


def scope_key(scope: Any) -> str:
    """A short key for everything that decides what ``scope`` may see (role, unit, groups, enterprises)."""
    raw = (
        f"{scope.role}|{scope.org_id}|{sorted(scope.unit_ids)}|{sorted(scope.enterprise_ids)}"
        f"|{scope.is_superuser}|{scope.user_id is not None}"
    )
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]
