"""Demo part: the park's fire infrastructure — roads with width, ~80 road hydrants (and the enterprises' own
hydrants inside their plots), fire pools, foam stations, the fire station, fire zones and inspections —
laid out mostly by the plan's rules (八.六) with a few real gaps for the check to find:

* 纬二路: two hydrants never built → a 330 m stretch without one (spacing);
* 园区大道 is 60 m wide: its east stretch has hydrants on the north side only (spacing on the south side);
* 疏港大道 is 64 m wide with hydrants on its north side only (both sides);
* one enterprise left a corner of its plot without a hydrant (coverage);
* the old 3号消防水池 holds less than 6 h of the largest fire zone's design flow (pool capacity);
* a couple of hydrants damaged, and one on a north–south road out of service (it stops counting, so the
  stretch around it is too long).

Roads are generated here until the geo module's park roads are on main (then the check reads those).
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
#: The park core's origin (south-west corner), WGS 84.
ORIGIN = (105.2300, 37.8250)

# (code, name, width m, start (x, y) m, end (x, y) m, hydrant spacing m, skipped hydrant indexes, sides)
ROADS: list[tuple[str, str, float, tuple[float, float], tuple[float, float], float, tuple[int, ...], str]] = [
    ("R01", "园区大道", 60, (0, 1000), (2000, 1000), 115, (), "both_west_only_east"),
    ("R02", "纬二路", 24, (0, 400), (2000, 400), 110, (8, 9), "north"),
    ("R04", "经一路", 24, (300, 0), (300, 1800), 118, (), "east"),
    ("R05", "经三路", 20, (1400, 0), (1400, 1800), 112, (), "west"),
    ("R06", "疏港大道", 64, (0, 2100), (1000, 2100), 115, (), "north"),
]


def _ll(x: float, y: float) -> tuple[float, float]:
    x0, y0 = to_metric(*ORIGIN, CM)
    return to_lonlat(x0 + x, y0 + y, CM)


def _dec(v: float) -> Decimal:
    return Decimal(f"{v:.6f}")


def _roads_and_hydrants() -> int:
    n = 0
    for code, name, width, (xa, ya), (xb, yb), spacing, skipped, sides in ROADS:
        FireRoad.objects.create(
            code=code,
            name=name,
            width_m=Decimal(width),
            geometry={"type": "LineString", "coordinates": [list(_ll(xa, ya)), list(_ll(xb, yb))]},
        )
        length = math.hypot(xb - xa, yb - ya)
        ux, uy = (xb - xa) / length, (yb - ya) / length
        nx, ny = -uy, ux  # left of the road's direction
        offset = width / 2 + 2  # 2 m beyond the kerb
        count = int(length // spacing) + 1
        for i in range(count + 1):
            s = min(i * spacing, length)
            if i in skipped or (i == count and length - (count - 1) * spacing < 1):
                continue
            # left of the direction of travel is north on an east-bound road, west on a north-bound one
            if sides == "both_west_only_east":
                placements = [1.0] if s > length * 0.55 else [1.0, -1.0]
            else:
                placements = [1.0] if sides in {"north", "west"} else [-1.0]
            for side in placements:
                x, y = xa + ux * s + nx * offset * side, ya + uy * s + ny * offset * side
                n += 1
                lon, lat = _ll(x, y)
                Hydrant.objects.create(
                    code=f"XHS-{n:03d}", name=f"{name}{n}号栓", lon=_dec(lon), lat=_dec(lat)
                )
    return n


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
    road_count = _roads_and_hydrants()
    park = [
        e for e in ctx.refs.get("enterprises", []) if e.in_park and e.status in {"operating", "suspended"}
    ]
    _plot_hydrants(park, road_count)
    for code, name, x, y, volume in (
        ("XFSC-1", "1号消防水池（管委会广场景观水池）", 200, 1100, 2200),
        ("XFSC-2", "2号消防水池", 1500, 500, 2000),
        ("XFSC-3", "3号消防水池（旧）", 1900, 1500, 1200),
    ):
        lon, lat = _ll(x, y)
        FirePool.objects.create(code=code, name=name, lon=_dec(lon), lat=_dec(lat), volume_m3=Decimal(volume))
    for code, name, x, y, foam in (
        ("PMZ-1", "1号固定泡沫站", 900, 900, 12),
        ("PMZ-2", "2号固定泡沫站", 1700, 600, 8),
    ):
        lon, lat = _ll(x, y)
        FoamStation.objects.create(code=code, name=name, lon=_dec(lon), lat=_dec(lat), foam_m3=Decimal(foam))
    lon, lat = _ll(1300, 1100)
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
    hydrants[60].status = "out_of_service"
    hydrants[60].save(update_fields=["status"])
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
