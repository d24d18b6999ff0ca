"""Demo part: the park's fire infrastructure — the fire-water road stretches, ~80 hydrants along them and in
the plants' plots, fire pools, foam stations, the fire station, fire zones and a year of inspections — laid out
mostly by the plan's rules (八.六) with a few real gaps for the check to find.

The stretches are cut from the park map's roads (``geo.Road``, same centrelines) where they pass the chemical
plants: the fire module registers them as ``FireRoad`` (消防给水道路), the roads the check applies to. Gaps:

* 纬二路 stretch: two hydrants never built → a ~330 m stretch without one (spacing);
* 腾格里大道 is 60 m wide: its first stretch has hydrants on both sides only for its first half (spacing on
  the other side), its second stretch on one side only (both sides);
* one enterprise left a corner of its plot without a hydrant (coverage);
* the old 3号消防水池 holds less than 6 h of the largest fire zone's design flow (pool capacity);
* a couple of hydrants damaged, and one on 经四路 out of service (it stops counting, so the stretch around it
  is too long).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from anjian.demo.context import DemoContext
from anjian.domain.gauss_kruger import to_lonlat, to_metric
from anjian.fire.models import FirePool, FireRoad, FireStation, FireZone, FoamStation, Hydrant, Inspection

CM = 105

# (geo road name, stretch length m, hydrant spacing m, skipped hydrant indexes, sides)
#: sides: "left" / "right" of the stretch's direction, "both_then_left" (both for its first half)
STRETCHES: list[tuple[str, float, float, tuple[int, ...], str]] = [
    ("纬二路", 1500, 110, (5, 6), "left"),
    ("腾格里大道", 1400, 115, (), "both_then_left"),
    ("创业大道", 1300, 112, (), "right"),
    ("经四路", 1300, 118, (), "left"),
    ("腾格里大道", 900, 115, (), "left"),
]


def _dec(v: float) -> Decimal:
    return Decimal(f"{v:.6f}")


def _ll(x: float, y: float) -> tuple[float, float]:
    return to_lonlat(x, y, CM)


def _metric_line(coords: list[list[float]]) -> Any:
    from shapely.geometry import LineString

    return LineString([to_metric(float(c[0]), float(c[1]), CM) for c in coords])


def _stretches(plants: list[Any]) -> list[tuple[str, str, float, Any, float, tuple[int, ...], str]]:
    """``(code, name, width, metric line, spacing, skipped, sides)`` cut from the park map's roads where they
    pass the chemical plants (each stretch centred on the road's point nearest to one plant)."""
    from shapely.geometry import Point
    from shapely.ops import substring

    from anjian.geo.models import Road

    roads = {r.name: r for r in Road.objects.all()}
    centres = [to_metric(float(e.lon), float(e.lat), CM) for e in plants if e.lon is not None]
    out = []
    used: dict[str, float] = {}
    for n, (road_name, length, spacing, skipped, sides) in enumerate(STRETCHES):
        road = roads.get(road_name)
        if road is None or not centres:
            continue
        line = _metric_line(road.geometry["coordinates"])
        if road_name in used:  # a second stretch of the same road starts 300 m after the first one ends
            start = min(used[road_name] + 300, max(0.0, line.length - length))
        else:
            at = line.project(Point(centres[n % len(centres)]))
            start = min(max(0.0, at - length / 2), max(0.0, line.length - length))
        used[road_name] = start + length
        piece = substring(line, start, start + length)
        suffix = "（化工区段）" if n < 4 else "（北段）"
        out.append(
            (f"XFDL-{n + 1:02d}", f"{road_name}{suffix}", float(road.width_m), piece, spacing, skipped, sides)
        )
    return out


def _roads_and_hydrants(plants: list[Any]) -> tuple[int, list[tuple[float, float]]]:
    """FireRoads and their hydrants; returns the count and a few points beside the stretches (for pools)."""
    n = 0
    spots: list[tuple[float, float]] = []
    for code, name, width, line, spacing, skipped, sides in _stretches(plants):
        FireRoad.objects.create(
            code=code,
            name=name,
            width_m=Decimal(str(width)),
            geometry={"type": "LineString", "coordinates": [list(_ll(x, y)) for x, y in line.coords]},
        )
        length = line.length
        offset = width / 2 + 2  # 2 m beyond the kerb
        count = int(length // spacing)
        for i in range(count + 1):
            s = min(i * spacing, length)
            if i in skipped:
                continue
            a, b = line.interpolate(max(0.0, s - 1)), line.interpolate(min(length, s + 1))
            dx, dy = b.x - a.x, b.y - a.y
            norm = math.hypot(dx, dy) or 1.0
            nx, ny = -dy / norm, dx / norm  # left of the stretch's direction
            here = line.interpolate(s)
            if sides == "both_then_left":
                placements = [1.0, -1.0] if s <= length * 0.5 else [1.0]
            else:
                placements = [1.0] if sides == "left" else [-1.0]
            for side in placements:
                x, y = here.x + nx * offset * side, here.y + ny * offset * side
                n += 1
                lon, lat = _ll(x, y)
                Hydrant.objects.create(
                    code=f"XHS-{n:03d}", name=f"{name}{n}号栓", lon=_dec(lon), lat=_dec(lat)
                )
        mid = line.interpolate(length / 3)
        spots.append((mid.x - (width / 2 + 40), mid.y - (width / 2 + 40)))
    return n, spots


def _plot_hydrants(enterprises: list[Any], start: int) -> int:
    """Each park enterprise's own hydrants on a grid inside its plot (≤ 200 m cells, so ≤ 141 m to any point);
    the third enterprise left out its north-east cell."""
    n = start
    for k, e in enumerate(enterprises):
        geom = e.plot_geojson
        if not isinstance(geom, dict) or geom.get("type") != "Polygon":
            continue
        ring = geom["coordinates"][0]
        pts = [to_metric(float(lon), float(lat), CM) for lon, lat in ring]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        cols, rows = max(1, math.ceil(w / 200)), max(1, math.ceil(h / 200))
        for i in range(cols):
            for j in range(rows):
                if k == 2 and i == cols - 1 and j == rows - 1 and cols * rows > 1:
                    continue  # the gap
                x = min(xs) + (i + 0.5) * w / cols
                y = min(ys) + (j + 0.5) * h / rows
                lon, lat = to_lonlat(x, y, CM)
                n += 1
                Hydrant.objects.create(
                    code=f"XHS-{n:03d}",
                    name=f"{e.display_name}厂区栓",
                    lon=_dec(lon),
                    lat=_dec(lat),
                    enterprise=e,
                )
    return n


def build(ctx: DemoContext) -> None:
    """Create the park's fire layers and a year of inspections."""
    rng = ctx.child_rng("fire")
    park = [
        e for e in ctx.refs.get("enterprises", []) if e.in_park and e.status in {"operating", "suspended"}
    ]
    plants = [e for e in park if e.major_hazard] or park
    road_count, spots = _roads_and_hydrants(plants)
    _plot_hydrants(park, road_count)
    spots = spots or [to_metric(105.25, 37.84, CM)] * 4
    for (code, name, volume), (x, y) in zip(
        (
            ("XFSC-1", "1号消防水池（管委会广场景观水池）", 2200),
            ("XFSC-2", "2号消防水池", 2000),
            ("XFSC-3", "3号消防水池（旧）", 1200),
        ),
        spots,
        strict=False,
    ):
        lon, lat = _ll(x, y)
        FirePool.objects.create(code=code, name=name, lon=_dec(lon), lat=_dec(lat), volume_m3=Decimal(volume))
    for (code, name, foam), (x, y) in zip(
        (("PMZ-1", "1号固定泡沫站", 12), ("PMZ-2", "2号固定泡沫站", 8)), spots[2:] + spots, strict=False
    ):
        lon, lat = _ll(x + 60, y)
        FoamStation.objects.create(code=code, name=name, lon=_dec(lon), lat=_dec(lat), foam_m3=Decimal(foam))
    x, y = spots[-1]
    lon, lat = _ll(x + 120, y - 80)
    FireStation.objects.create(
        code="XFZ-1",
        name="腾格里园区消防救援站",
        lon=_dec(lon),
        lat=_dec(lat),
        vehicles=6,
        staff=42,
        phone="0483-8200119",
    )
    for code, name, flow in (
        ("FHQ-1", "甲类罐区", 75),
        ("FHQ-2", "氯碱装置区", 60),
        ("FHQ-3", "仓储物流区", 45),
        ("FHQ-4", "公用工程区", 30),
    ):
        FireZone.objects.create(code=code, name=name, design_flow_lps=Decimal(flow))
    # condition: a couple damaged, one out of service (it stops counting, widening a gap)
    hydrants = list(Hydrant.objects.order_by("code"))
    for h in (hydrants[7], hydrants[40]):
        h.status = "damaged"
        h.save(update_fields=["status"])
    on_jingsi = [h for h in hydrants if h.name.startswith("经四路")]
    if len(on_jingsi) > 4:
        on_jingsi[4].status = "out_of_service"
        on_jingsi[4].save(update_fields=["status"])
    # a year of quarterly inspections of the road hydrants
    rows = []
    for h in hydrants[:road_count]:
        for quarter in range(4):
            day = ctx.today - dt.timedelta(days=20 + 91 * quarter + rng.randrange(0, 20))
            pressure = Decimal(f"{rng.uniform(0.14, 0.42):.2f}")
            result = (
                "low_pressure"
                if pressure < Decimal("0.15")
                else ("damaged" if h.status == "damaged" and quarter == 0 else "ok")
            )
            rows.append(Inspection(hydrant=h, inspected_on=day, inspector=rng.choice(["王建军", "赵宁", "马立新"]), pressure_mpa=pressure, result=result,
                                   findings="栓口漏水" if result == "damaged" else ""))  # fmt: skip
    Inspection.objects.bulk_create(rows)
