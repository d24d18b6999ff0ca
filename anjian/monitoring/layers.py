"""Sensors as a layer of the park map, coloured by state (``anjian.geo.layers`` when the geo module offers it)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from anjian.core.access import restrict
from anjian.domain.geodesy import BBox

__all__ = ["LEGEND", "point_features", "register"]

LEGEND = (
    ("#2e7d32", "正常"),
    ("#ef6c00", "一级报警"),
    ("#c62828", "二级报警"),
    ("#f9a825", "设备故障"),
    ("#616161", "离线/无数据"),
)


def _colour(state: Any) -> tuple[str, str]:
    if state is None or state.offline:
        return "#616161", "离线" if state is not None else "无数据"
    if state.fault:
        return "#f9a825", "设备故障"
    if state.level in {"HH", "LL"}:
        return "#c62828", f"二级报警（{state.level}）"
    if state.level:
        return "#ef6c00", f"一级报警（{state.level}）"
    return "#2e7d32", "正常"


def point_features(scope: Any, bbox: BBox | None = None) -> list[dict[str, Any]]:
    """GeoJSON Features (WGS 84) of the points ``scope`` may see, inside ``bbox``."""
    from anjian.monitoring.models import MonitoringPoint

    qs = restrict(MonitoringPoint.objects.filter(enabled=True, lon__isnull=False, lat__isnull=False), scope)
    if bbox is not None:
        qs = qs.filter(lon__gte=bbox.west, lat__gte=bbox.south, lon__lte=bbox.east, lat__lte=bbox.north)
    features = []
    for p in qs.select_related("enterprise", "alarm_state")[:5000]:
        state = getattr(p, "alarm_state", None)
        colour, label = _colour(state)
        value = f"{state.last_v:.2f} {p.unit}" if state is not None and state.last_v is not None else "—"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "name": f"{p.tag} {p.name}",
                    "colour": colour,
                    "url": reverse("monitoring:point_detail", args=[p.pk]),
                    "popup": [["企业", p.enterprise.name], ["状态", label], ["最新值", value]],
                },
            }
        )
    return features


def register() -> bool:
    """Register the layer with the park map when the geo module is installed; return whether it was."""
    from anjian.geo import layers as geo_layers

    geo_layers.register_layer(
        geo_layers.MapLayer(
            "monitoring.points",
            "监测点",
            "监测预警",
            features=point_features,
            legend=LEGEND,
            geometry="point",
            default_visible=False,
        )
    )
    return True
