"""Fixtures of the monitoring app (registered in the root ``conftest.py``)."""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Callable
from typing import Any

import pytest

from anjian.monitoring.models import MonitoringPoint

_seq = itertools.count(1)


@pytest.fixture
def point_factory(db: Any) -> Callable[..., MonitoringPoint]:
    """Return ``make(enterprise, tag=None, kind="combustible_gas", h=25, hh=50, **fields)``."""

    def make(
        enterprise: Any, tag: str | None = None, kind: str = "combustible_gas", **fields: Any
    ) -> MonitoringPoint:
        n = next(_seq)
        values: dict[str, Any] = {
            "h": 25.0,
            "hh": 50.0,
            "deadband": 2.0,
            "unit": "%LEL",
            "offline_after_s": 60,
        }
        values.update(fields)
        return MonitoringPoint.objects.create(
            enterprise=enterprise, tag=tag or f"GT-{n:04d}", name=f"可燃气体探测器{n}", kind=kind, **values
        )

    return make


def broker_address() -> tuple[str, int]:
    from anjian.monitoring.worker import parse_mqtt_url

    conn = parse_mqtt_url(os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883"))
    return conn["host"], conn["port"]


@pytest.fixture
def mqtt_broker() -> str:
    """The broker URL; skip (fail in CI) when nothing answers there."""
    host, port = broker_address()
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"MQTT broker required in CI but {host}:{port} does not answer")
        pytest.skip(f"no MQTT broker at {host}:{port} (set ANJIAN_MQTT_URL)")
    return f"mqtt://{host}:{port}"
