"""Named live metrics that plan targets bind to (and the cockpit shows).

Each module registers one function per metric, e.g. in ``enterprises/metrics.py``::

    @metric("standardization.above_scale_rate", "规模以上企业安全生产标准化达标率", unit="%")
    def above_scale_rate(as_of: date) -> MetricValue: ...

A target whose ``metric_key`` has no registered function says so; it never shows an invented value.
Apps import their ``metrics`` module in ``AppConfig.ready`` so registration happens at start-up.

``compute`` keeps each value in the cache (issue 8: at province scale a metric reads a million certificates, and
``/plans/targets/`` shows every bound metric). The cache is dropped on every save or delete of a register a metric
reads (:data:`WATCHED_APPS`, connected in ``CoreConfig.ready``; every action saves through the ORM) and an entry
lives :data:`CACHE_SECONDS` at most — :data:`STREAM_CACHE_SECONDS` for metrics of streamed data (telemetry,
gate events), which change without a save that matters. ``compute(..., fresh=True)`` bypasses the cache.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = [
    "CACHE_SECONDS",
    "MetricDef",
    "MetricValue",
    "compute",
    "connect_invalidation",
    "generation",
    "get",
    "invalidate",
    "memo",
    "metric",
    "rate",
    "registered",
]

#: How long a computed value is kept at most (a watched save drops it at once).
CACHE_SECONDS = 300
#: The same for metrics of streamed data (monitoring readings, gate events).
STREAM_CACHE_SECONDS = 60
_STREAM_MODULES = ("anjian.monitoring.", "anjian.gates.")
#: Apps whose rows metrics read: a save or delete of any of their models drops every cached value.
WATCHED_APPS = frozenset(
    {"people", "enterprises", "plans", "dangers", "risks", "majorhazards", "emergency", "fire", "orgs"}
)
#: Models of those apps that no metric reads (a login saves the user's ``last_login``).
UNWATCHED_MODELS = frozenset({"orgs.User"})
_GEN_KEY = "anjian:metrics:generation"


@dataclass(frozen=True)
class MetricValue:
    """A computed value with its parts, so a reader can check it (e.g. 57 / 60 enterprises)."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    detail: str = ""
    breakdown: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricDef:
    """A registered metric."""

    key: str
    label: str
    unit: str
    func: Callable[[dt.date], MetricValue]
    module: str


_REGISTRY: dict[str, MetricDef] = {}


def metric(
    key: str, label: str, *, unit: str = "%"
) -> Callable[[Callable[[dt.date], MetricValue]], Callable[[dt.date], MetricValue]]:
    """Register the decorated function as metric ``key``."""

    def register(func: Callable[[dt.date], MetricValue]) -> Callable[[dt.date], MetricValue]:
        _REGISTRY[key] = MetricDef(key=key, label=label, unit=unit, func=func, module=func.__module__)
        return func

    return register


def get(key: str) -> MetricDef | None:
    """Return the metric ``key`` or ``None`` when no module provides it yet."""
    return _REGISTRY.get(key)


def registered() -> list[MetricDef]:
    """All registered metrics, by key."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def compute(key: str, as_of: dt.date | None = None, *, fresh: bool = False) -> MetricValue | None:
    """Metric ``key`` as of ``as_of`` (today by default), from the cache unless ``fresh``; ``None`` if unknown."""
    definition = _REGISTRY.get(key)
    if definition is None:
        return None
    from django.core.cache import cache
    from django.utils import timezone

    day = as_of or timezone.localdate()
    if fresh:
        return definition.func(day)
    cache_key = f"anjian:metric:{generation()}:{key}:{day.isoformat()}"
    hit = cache.get(cache_key)
    if isinstance(hit, MetricValue):
        return hit
    value = definition.func(day)
    seconds = STREAM_CACHE_SECONDS if definition.module.startswith(_STREAM_MODULES) else CACHE_SECONDS
    cache.set(cache_key, value, seconds)
    return value


def memo(key: str, build: Callable[[], T], seconds: int = CACHE_SECONDS) -> T:
    """``build()``, cached under ``key`` until a watched register changes (or ``seconds`` pass).

    For scoped aggregates over the registers of :data:`WATCHED_APPS` (put the scope's ``cache_key`` and the day
    in ``key``): a province's expiry counts, a plan's compliance flags.
    """
    from django.core.cache import cache

    full = f"anjian:memo:{generation()}:{key}"
    hit = cache.get(full, _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[no-any-return]
    value = build()
    cache.set(full, value, seconds)
    return value


_MISSING = object()


def generation() -> str:
    """The current generation of watched registers (a token replaced by :func:`invalidate`)."""
    from django.core.cache import cache

    value = cache.get(_GEN_KEY)
    if value is None:
        cache.add(_GEN_KEY, secrets.token_hex(6), timeout=None)
        value = cache.get(_GEN_KEY) or "0"
    return str(value)


def invalidate() -> None:
    """Drop every cached metric value (a token, not a counter: a cleared cache never revives old entries)."""
    from django.core.cache import cache

    cache.set(_GEN_KEY, secrets.token_hex(6), timeout=None)


def _changed(sender: Any, **kwargs: Any) -> None:
    # Now (the writing transaction's next read sees the change) and on commit (a value another request
    # computed from the old rows in between is dropped too).
    from django.db import transaction

    invalidate()
    transaction.on_commit(invalidate)


def connect_invalidation() -> None:
    """Drop the cached values on every save or delete of a model of :data:`WATCHED_APPS`."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from anjian.core.actions import bulk_saved

    for model in apps.get_models():
        if model._meta.app_label in WATCHED_APPS and model._meta.label not in UNWATCHED_MODELS:
            label = model._meta.label
            post_save.connect(_changed, sender=model, dispatch_uid=f"metrics-{label}-save")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"metrics-{label}-delete")
            bulk_saved.connect(_changed, sender=model, dispatch_uid=f"metrics-{label}-bulk")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """Return ``numerator / denominator`` as a percentage with one decimal, ``None`` for an empty base."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))
