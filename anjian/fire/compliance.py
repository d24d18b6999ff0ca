"""The plan's fire rules (``anjian.domain.fire_rules``) run on the park's stored layers.

Roads are the fire module's register of fire-water roads (:class:`~anjian.fire.models.FireRoad`: the roads,
or stretches of the park map's roads, along which the fire main runs) and, when that register is empty, every
road of the park map (``geo.Road`` with a width); plots are the park enterprises' ``plot_geojson`` (the rule is the park's, 园区); hydrants out of
service do not count. The same :func:`~anjian.domain.fire_rules.check_layout` serves ``anjian fire check``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from anjian.domain import fire_rules as rules
from anjian.fire.choices import FacilityStatus
from anjian.fire.models import FirePool, FireRoad, FireZone, Hydrant

__all__ = ["layout_geojson", "stored_layout"]


def _coords(seq: Any) -> tuple[tuple[float, float], ...]:
    return tuple((float(c[0]), float(c[1])) for c in seq)


def _geo_roads() -> list[rules.Road]:
    """Roads of the geo module, if it has a ``Road`` model with ``width_m`` and a GeoJSON line."""
    try:
        model = apps.get_model("geo", "Road")
    except LookupError:
        return []
    names = {f.name for f in model._meta.get_fields()}
    geom_field = next((n for n in ("geometry", "geojson", "line") if n in names), None)
    if "width_m" not in names or geom_field is None:
        return []
    out: list[rules.Road] = []
    for road in model._default_manager.all():
        geom = getattr(road, geom_field)
        if isinstance(geom, dict) and geom.get("type") == "LineString" and road.width_m:
            out.append(
                rules.Road(f"road-{road.pk}", _coords(geom["coordinates"]), float(road.width_m), str(road))
            )
    return out


def stored_roads() -> list[rules.Road]:
    """The registered fire-water roads; without any, every road of the park map."""
    registered = [
        rules.Road(r.code, _coords(r.geometry["coordinates"]), float(r.width_m), r.name)
        for r in FireRoad.objects.all()
        if isinstance(r.geometry, dict) and r.geometry.get("type") == "LineString"
    ]
    return registered or _geo_roads()


def stored_plots() -> list[rules.Plot]:
    from anjian.enterprises.choices import ACTIVE_STATES
    from anjian.enterprises.models import Enterprise

    out: list[rules.Plot] = []
    for ent in Enterprise.objects.filter(in_park=True, status__in=ACTIVE_STATES, plot_geojson__isnull=False):
        geom = ent.plot_geojson
        if not isinstance(geom, dict):
            continue
        polygons = [geom["coordinates"]] if geom.get("type") == "Polygon" else geom.get("coordinates", [])
        for rings in polygons:
            if rings:
                out.append(
                    rules.Plot(
                        ent.uscc, _coords(rings[0]), tuple(_coords(r) for r in rings[1:]), ent.display_name
                    )
                )
    return out


def stored_layout() -> rules.Layout:
    """The park's layers as a :class:`~anjian.domain.fire_rules.Layout` (every row: the check is park-wide)."""
    hydrants = tuple(
        rules.Hydrant(h.code, float(h.lon), float(h.lat), h.name)
        for h in Hydrant.objects.exclude(status=FacilityStatus.OUT_OF_SERVICE)
    )
    pools = tuple(
        rules.FirePool(p.code, float(p.volume_m3), float(p.lon), float(p.lat), p.name)
        for p in FirePool.objects.all()
    )
    zones = tuple(rules.FireZone(z.code, float(z.design_flow_lps), z.name) for z in FireZone.objects.all())
    return rules.Layout(tuple(stored_roads()), hydrants, tuple(stored_plots()), pools, zones)


def layout_geojson(layout: rules.Layout) -> dict[str, Any]:
    """A layout as the FeatureCollection ``anjian fire check`` reads (GeoJSON export of the fire layers)."""
    features: list[dict[str, Any]] = []

    def add(fid: str, kind: str, geometry: dict[str, Any] | None, **props: Any) -> None:
        features.append(
            {"type": "Feature", "properties": {"id": fid, "kind": kind, **props}, "geometry": geometry}
        )

    for r in layout.roads:
        add(
            r.id,
            "road",
            {"type": "LineString", "coordinates": [list(c) for c in r.coords]},
            width_m=r.width_m,
            name=r.name,
        )
    for h in layout.hydrants:
        add(h.id, "hydrant", {"type": "Point", "coordinates": [h.lon, h.lat]}, name=h.name)
    for p in layout.plots:
        add(
            p.id,
            "plot",
            {
                "type": "Polygon",
                "coordinates": [[list(c) for c in p.shell], *[[list(c) for c in h] for h in p.holes]],
            },
            name=p.name,
        )
    for w in layout.pools:
        point = {"type": "Point", "coordinates": [w.lon, w.lat]} if w.lon is not None else None
        add(w.id, "fire_pool", point, volume_m3=w.volume_m3, name=w.name)
    for z in layout.zones:
        add(z.id, "fire_zone", None, design_flow_lps=z.design_flow_lps, name=z.name)
    return {"type": "FeatureCollection", "features": features}


def run_check() -> dict[str, Any]:
    """The check on the stored layers: violations (with geometry and what to fix) and counts per rule."""
    layout = stored_layout()
    violations = rules.check_layout(layout)
    counts = dict.fromkeys(rules.RULES, 0)
    for v in violations:
        counts[v.rule] += 1
    return {
        "counts": counts,
        "violations": [
            {**v.as_dict(with_geometry=True), "rule_label": rules.RULE_LABELS[v.rule]} for v in violations
        ],
        "checked": {
            "roads": len(layout.roads),
            "hydrants": len(layout.hydrants),
            "plots": len(layout.plots),
            "pools": len(layout.pools),
            "zones": len(layout.zones),
        },
    }
