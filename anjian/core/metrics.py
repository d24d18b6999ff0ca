"""Named live metrics that plan targets bind to (and the cockpit shows).

Each module registers one function per metric, e.g. in ``enterprises/metrics.py``::

    @metric("standardization.above_scale_rate", "规模以上企业安全生产标准化达标率", unit="%")
    def above_scale_rate(as_of: date) -> MetricValue: ...

A target whose ``metric_key`` has no registered function says so; it never shows an invented value.
Apps import their ``metrics`` module in ``AppConfig.ready`` so registration happens at start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["MetricDef", "MetricValue", "compute", "get", "metric", "rate", "registered"]


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


def compute(key: str, as_of: dt.date | None = None) -> MetricValue | None:
    """Compute metric ``key`` as of ``as_of`` (today by default); ``None`` if it is not registered."""
    definition = _REGISTRY.get(key)
    if definition is None:
        return None
    from django.utils import timezone

    return definition.func(as_of or timezone.localdate())


def rate(numerator: int, denominator: int) -> Decimal | None:
    """Return ``numerator / denominator`` as a percentage with one decimal, ``None`` for an empty base."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))
