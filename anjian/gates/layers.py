"""Zones and gates as map layers with live headcount, for the park map (``anjian/geo/layers.py``).

The geo module's layer registry is not on main yet; ``register_layers()`` (called from ``GatesConfig.ready``)
registers these two layers as soon as it is. The feature functions work on their own (tested directly).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from anjian.core.access import restrict
from anjian.gates.models import Gate, Zone

__all__ = ["LEVEL_COLOURS", "gate_features", "register_layers", "zone_features"]

LEVEL_COLOURS = {"ok": "#2e7d32", "warn": "#f9a825", "full": "#e65100", "over": "#c62828"}
LEVEL_LABELS = {"ok": "正常", "warn": "即将满员", "full": "满员", "over": "超员"}


def _in_bbox(lon: float, lat: float, bbox: Any) -> bool:
    if not bbox:
        return True
    return bool(bbox.west <= lon <= bbox.east and bbox.south <= lat <= bbox.north)


def zone_features(scope: Any, bbox: Any = None) -> list[dict[str, Any]]:
    """Zone outlines (WGS84) coloured by fill level, with headcount in the popup."""
    features = []
    for zone in restrict(
        Zone.objects.filter(is_active=True).exclude(outline_geojson=None), scope
    ).select_related("enterprise"):
        outline = zone.outline_geojson
        if not outline or not outline.get("coordinates"):
            continue
        first = outline["coordinates"][0][0]
        if not _in_bbox(first[0], first[1], bbox):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": outline,
                "properties": {
                    "name": f"{zone.enterprise.display_name} {zone.name}",
                    "colour": LEVEL_COLOURS[zone.level],
                    "url": reverse("gates:zone_detail", args=[zone.pk]),
                    "headcount": zone.headcount,
                    "popup": [
                        [
                            "在场/定员",
                            f"{zone.headcount} / {zone.quota if zone.quota is not None else '不限'}",
                        ],
                        ["状态", LEVEL_LABELS[zone.level]],
                    ],
                },
            }
        )
    return features


def gate_features(scope: Any, bbox: Any = None) -> list[dict[str, Any]]:
    """Gates as points."""
    features = []
    for gate in restrict(
        Gate.objects.filter(is_active=True).exclude(lon=None).exclude(lat=None), scope
    ).select_related("zone"):
        lon, lat = float(gate.lon or 0), float(gate.lat or 0)
        if not _in_bbox(lon, lat, bbox):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "name": str(gate),
                    "colour": "#1565c0",
                    "url": reverse("gates:zone_detail", args=[gate.zone_id]),
                    "popup": [["区域", gate.zone.name], ["方向", gate.get_directions_display()]],
                },
            }
        )
    return features


def register_layers() -> bool:
    """Register the two layers with the park map when the geo layer registry exists; ``False`` otherwise."""
    try:
        from anjian.geo.layers import MapLayer, register_layer  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    legend = tuple((colour, LEVEL_LABELS[level]) for level, colour in LEVEL_COLOURS.items())
    register_layer(
        MapLayer(
            "gates.zones",
            "二道门区域（在场人数）",
            "智能化二道门",
            features=zone_features,
            legend=legend,
            geometry="polygon",
        )
    )
    register_layer(
        MapLayer(
            "gates.gates",
            "二道门",
            "智能化二道门",
            features=gate_features,
            legend=(("#1565c0", "二道门"),),
            geometry="point",
        )
    )
    return True
