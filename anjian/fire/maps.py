"""Map features of the fire app (GeoJSON, WGS 84): facilities by kind, and the compliance gaps.

Registered as layers of the park map when ``anjian/geo/layers.py`` is on main (see ``apps.py``); the fire
pages draw the same features meanwhile (``views.park_features``).
"""

from __future__ import annotations

from typing import Any

from anjian.core.access import restrict
from anjian.fire import compliance
from anjian.fire.choices import FacilityStatus
from anjian.fire.models import FirePool, Hydrant

__all__ = ["gap_features", "hydrant_features", "pool_features"]


def _point(obj: Any, name: str, colour: str, popup: list[list[str]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(obj.lon), float(obj.lat)]},
        "properties": {"name": name, "colour": colour, "url": obj.get_absolute_url(), "popup": popup},
    }


def hydrant_features(scope: Any, bbox: Any = None) -> list[dict[str, Any]]:
    """Hydrants: blue in service, red damaged or out of service."""
    return [
        _point(
            h,
            f"消火栓 {h.code}",
            "#2c6fbb" if h.status == FacilityStatus.OK else "#e74c3c",
            [["状态", h.get_status_display()]],
        )
        for h in restrict(Hydrant.objects.all(), scope)
    ]


def pool_features(scope: Any, bbox: Any = None) -> list[dict[str, Any]]:
    return [
        _point(p, p.name or p.code, "#16a085", [["容积", f"{p.volume_m3:g} m³"]])
        for p in restrict(FirePool.objects.all(), scope)
    ]


def gap_features(scope: Any, bbox: Any = None) -> list[dict[str, Any]]:
    """Where the plan's rules are not met: road stretches, uncovered plot areas, small pools."""
    return [
        {
            "type": "Feature",
            "geometry": v["geometry"],
            "properties": {
                "name": v["rule_label"],
                "colour": "#e74c3c",
                "popup": [["问题", v["detail"]], ["整改", v.get("fix", "")]],
            },
        }
        for v in compliance.run_check()["violations"]
        if v.get("geometry")
    ]
