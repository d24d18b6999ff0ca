"""Map features of the emergency app (GeoJSON, WGS 84): resources, incidents, footprints.

Each function takes the user's scope (or user) and returns Feature dicts with the properties the park map
understands (``name``, ``colour``, ``url``, ``popup``). They are registered as layers of the geo module's
map when ``anjian/geo/layers.py`` is on main (see ``apps.py``), and drawn by this app's own pages meanwhile.
"""

from __future__ import annotations

from typing import Any

from anjian.core.access import restrict
from anjian.emergency.choices import OPEN_INCIDENT_STATES, ResourceKind
from anjian.emergency.models import Footprint, Incident, Resource

__all__ = ["footprint_features", "incident_features", "resource_features"]

RESOURCE_COLOURS: dict[ResourceKind, str] = {
    ResourceKind.TEAM: "#c0392b",
    ResourceKind.EQUIPMENT: "#2c6fbb",
    ResourceKind.MATERIAL: "#16a085",
    ResourceKind.SHELTER: "#27ae60",
    ResourceKind.MEDICAL: "#e67e22",
}
GRADE_COLOURS = {"general": "#f1c40f", "larger": "#e67e22", "major": "#c0392b", "especially_major": "#2c3e50"}


def _point(lon: Any, lat: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def resource_features(user: Any, bbox: Any = None, *, qs: Any = None) -> list[dict[str, Any]]:
    rows = qs if qs is not None else restrict(Resource.objects.filter(lon__isnull=False), user)
    return [
        {
            "type": "Feature",
            "geometry": _point(r.lon, r.lat),
            "properties": {
                "name": r.name,
                "colour": RESOURCE_COLOURS.get(ResourceKind(r.kind), "#555"),
                "url": r.get_absolute_url(),
                "popup": [
                    ["类别", r.get_kind_display()],
                    ["数量", f"{r.quantity:g}{r.unit_label}"],
                    ["联系", f"{r.contact} {r.phone}".strip()],
                ],
            },
        }
        for r in rows
        if r.lon is not None and r.lat is not None
    ]


def incident_features(user: Any, bbox: Any = None, *, open_only: bool = False) -> list[dict[str, Any]]:
    qs = restrict(Incident.objects.filter(lon__isnull=False), user)
    if open_only:
        qs = qs.filter(status__in=OPEN_INCIDENT_STATES)
    return [
        {
            "type": "Feature",
            "geometry": _point(i.lon, i.lat),
            "properties": {
                "name": i.title,
                "colour": GRADE_COLOURS.get(i.grade, "#c0392b"),
                "url": i.get_absolute_url(),
                "popup": [
                    ["等级", i.get_grade_display()],
                    ["状态", i.get_status_display()],
                    ["地点", i.place],
                ],
            },
        }
        for i in qs
    ]


def footprint_features(user: Any, bbox: Any = None, *, qs: Any = None) -> list[dict[str, Any]]:
    rows = qs if qs is not None else restrict(Footprint.objects.all(), user)
    out: list[dict[str, Any]] = []
    for fp in rows:
        for feature in (fp.result or {}).get("geojson", {}).get("features", []):
            props = dict(feature.get("properties", {}))
            props["url"] = fp.get_absolute_url()
            props["popup"] = [
                ["情景", fp.name],
                ["物质", fp.substance],
                ["下风向距离", f"{props.get('reach_m', 0)} 米"],
            ]
            out.append({"type": "Feature", "geometry": feature["geometry"], "properties": props})
    return out
