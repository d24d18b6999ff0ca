"""Fixtures of the fire app (registered in the root ``conftest.py``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from anjian.domain.gauss_kruger import to_lonlat

_seq = itertools.count(1)


def park_point(x: float, y: float) -> tuple[Decimal, Decimal]:
    """(lon, lat) of a point ``x`` m east and ``y`` m north of a park origin (about 105°E, 37.9°N)."""
    lon, lat = to_lonlat(500_000 + x, 4_200_000 + y, 105)
    return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")


@pytest.fixture
def hydrant_factory(db: Any) -> Callable[..., Any]:
    """Return ``make(x, y, **fields)`` creating a hydrant at park metres (x, y)."""
    from anjian.fire.models import Hydrant

    def make(x: float = 0, y: float = 0, **fields: Any) -> Hydrant:
        lon, lat = park_point(x, y)
        return Hydrant.objects.create(
            code=fields.pop("code", f"XHS-{next(_seq):03d}"), lon=lon, lat=lat, **fields
        )

    return make
