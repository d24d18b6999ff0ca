"""Synthetic plants: monitoring points for the demo, the simulator, tests and the benchmark (whose scratch
enterprises ``anjian.demo.scratch`` makes)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from anjian.domain.alarm_rules import gas_detector_defaults

__all__ = ["POINT_TEMPLATES", "PointSim", "create_points", "point_fields"]

#: (tag prefix, name, kind, unit, normal value, noise, range, thresholds L/H/HH, deadband)
POINT_TEMPLATES: list[dict[str, Any]] = [
    {"tag": "TI", "name": "反应釜温度", "kind": "temperature", "unit": "℃", "base": 82.0, "noise": 0.6,
     "range": (0, 200), "l": 60.0, "h": 95.0, "hh": 105.0, "deadband": 1.0},
    {"tag": "PI", "name": "反应釜压力", "kind": "pressure", "unit": "MPa", "base": 0.42, "noise": 0.01,
     "range": (0, 1.6), "h": 0.6, "hh": 0.8, "deadband": 0.02},
    {"tag": "LI", "name": "储罐液位", "kind": "level", "unit": "%", "base": 55.0, "noise": 0.4,
     "range": (0, 100), "ll": 10.0, "l": 20.0, "h": 85.0, "hh": 90.0, "deadband": 1.0},
    {"tag": "FI", "name": "进料流量", "kind": "flow", "unit": "m³/h", "base": 12.0, "noise": 0.3,
     "range": (0, 30), "l": 5.0, "h": 20.0, "deadband": 0.5},
    {"tag": "GT", "name": "可燃气体探测器", "kind": "combustible_gas", "unit": "%LEL", "base": 1.5, "noise": 0.4,
     "range": (0, 100)},
    {"tag": "AT", "name": "硫化氢探测器", "kind": "toxic_gas", "unit": "mg/m³", "base": 0.5, "noise": 0.2,
     "range": (0, 100), "oel": 10.0},
]  # fmt: skip


def point_fields(template: dict[str, Any]) -> dict[str, Any]:
    """Model field values for one template (gas detectors by GB/T 50493-2019)."""
    t = template
    values: dict[str, Any] = {
        "kind": t["kind"],
        "unit": t["unit"],
        "range_low": t["range"][0],
        "range_high": t["range"][1],
        "expected_interval_s": 5,
        "offline_after_s": 60,
    }
    if t["kind"] == "combustible_gas":
        rules = gas_detector_defaults("combustible")
    elif t["kind"] == "toxic_gas":
        rules = gas_detector_defaults("toxic", oel=t["oel"])
    else:
        rules = None
    if rules is not None:
        values.update(h=rules.h, hh=rules.hh, deadband=rules.deadband, off_delay_s=rules.off_delay_s)
    else:
        values.update(
            l=t.get("l"), ll=t.get("ll"), h=t.get("h"), hh=t.get("hh"), deadband=t["deadband"], on_delay_s=10
        )
    return values


def create_points(enterprise: Any, count: int, *, rng: random.Random, installation: Any = None) -> list[Any]:
    """Create ``count`` points of mixed kinds for ``enterprise`` (bulk, audited), placed near its location."""
    from anjian.monitoring.actions import do_create_points
    from anjian.monitoring.models import MonitoringPoint

    points = []
    for i in range(count):
        t = POINT_TEMPLATES[i % len(POINT_TEMPLATES)]
        lon = float(enterprise.lon) + rng.uniform(-0.002, 0.002) if enterprise.lon is not None else None
        lat = float(enterprise.lat) + rng.uniform(-0.0015, 0.0015) if enterprise.lat is not None else None
        points.append(
            MonitoringPoint(
                enterprise=enterprise,
                installation=installation,
                tag=f"{t['tag']}-{101 + i // len(POINT_TEMPLATES):03d}"
                if count <= 600
                else f"{t['tag']}-{i:06d}",
                name=f"{t['name']}{1 + i // len(POINT_TEMPLATES)}",
                lon=lon,
                lat=lat,
                **point_fields(t),
            )
        )
    return do_create_points(points, acting_user=None)


@dataclass
class PointSim:
    """One simulated sensor: a mean-reverting random walk with occasional excursions."""

    tag: str
    base: float
    noise: float
    h: float | None
    value: float = 0.0
    mode: str = "normal"  # normal | excursion | flapping | offline
    excursion_left: int = 0
    history: list[float] = field(default_factory=list)

    def next(self, rng: random.Random) -> float:
        if self.mode == "flapping" and self.h is not None:
            # A detector hunting around its first-level set-point (a nuisance alarm for the quality report).
            self.value = self.h + (2.5 if rng.random() < 0.5 else -2.5) + rng.gauss(0, 0.3)
            return round(self.value, 3)
        if self.excursion_left > 0 and self.h is not None:
            self.excursion_left -= 1
            target = self.h * 1.15
            self.value += (target - self.value) * 0.5
        else:
            self.value += (self.base - self.value) * 0.1 + rng.gauss(0, self.noise)
        return round(self.value, 3)
