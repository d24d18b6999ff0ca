"""Fixtures of the emergency app (registered in the root ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

_seq = itertools.count(1)

#: A point inside the demo park (about 105.0°E, 37.9°N).
PARK_LON, PARK_LAT = Decimal("105.020000"), Decimal("37.880000")


@pytest.fixture
def resource_factory(db: Any) -> Callable[..., Any]:
    """Return ``make(kind="team", lon=…, lat=…, **fields)`` creating a resource through the action."""
    from anjian.emergency.actions import do_save_resource
    from anjian.emergency.models import Resource

    def make(kind: str = "team", lon: Any = PARK_LON, lat: Any = PARK_LAT, **fields: Any) -> Resource:
        n = next(_seq)
        if kind == "team":
            fields.setdefault("team_type", "professional")
        resource = Resource(kind=kind, name=fields.pop("name", f"资源{n}"), lon=lon, lat=lat, **fields)
        return do_save_resource(resource, acting_user=None)

    return make


@pytest.fixture
def incident_factory(db: Any) -> Callable[..., Any]:
    """Return ``make(deaths=0, injuries=0, loss_cny=0, occurred_at=None, **fields)`` reporting an incident."""
    from anjian.emergency.actions import do_report_incident
    from anjian.emergency.models import Incident

    def make(
        deaths: int = 0,
        injuries: int = 0,
        loss_cny: Any = 0,
        occurred_at: dt.datetime | None = None,
        acting_user: Any = None,
        **fields: Any,
    ) -> Incident:
        n = next(_seq)
        occurred_at = occurred_at or timezone.now() - dt.timedelta(hours=2)
        incident = Incident(
            title=fields.pop("title", f"测试事故{n}"),
            place=fields.pop("place", "园区"),
            occurred_at=occurred_at,
            known_at=fields.pop("known_at", occurred_at + dt.timedelta(minutes=10)),
            deaths=deaths,
            injuries=injuries,
            loss_cny=Decimal(loss_cny),
            **fields,
        )
        return do_report_incident(incident, acting_user=acting_user)

    return make
