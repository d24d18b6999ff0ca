"""Demo geography: the zone and park boundaries, towns, grid areas, functional zones, roads and a small base map.

The park (腾格里技术产业园区) is laid around the demo enterprises (105.20–105.30°E, 37.80–37.88°N): a grid of
park roads 9–24 m wide about every 1.1 km, one trunk road 60 m wide through the middle, functional zones,
three park grids; the two towns split the zone. Enterprises are then put in the grid whose area holds them.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import Any

from shapely.geometry import LineString, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from anjian.demo.context import DemoContext
from anjian.domain.geodesy import Projector, projector_for
from anjian.enterprises import actions as enterprise_actions
from anjian.enterprises.models import Enterprise, Grid
from anjian.geo import actions
from anjian.geo.choices import AreaKind, RoadGrade
from anjian.geo.models import Area, Road
from anjian.orgs.models import OrgUnit

DEMO_REASON = "演示数据"

PARK = (105.195, 37.795, 105.305, 37.885)
# Park road lines: every ~1.1 km (0.0125° lon ≈ 1.1 km at 37.8°N; 0.01° lat ≈ 1.1 km).
PARK_LONS = [105.200 + 0.0125 * i for i in range(9)]
PARK_LATS = [37.800 + 0.010 * i for i in range(9)]
TRUNK_LON = 105.25


def _round(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of ``geom`` with coordinates rounded to 6 decimals (≈ 0.1 m)."""
    data = mapping(geom)

    def r(c: Any) -> Any:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(c[0]), 6), round(float(c[1]), 6)]
        return [r(x) for x in c]

    return {"type": data["type"], "coordinates": r(data["coordinates"])}


def _blob(
    p: Projector, lon: float, lat: float, rx: float, ry: float, rng: random.Random, n: int = 18
) -> Polygon:
    """An irregular oval of radii ``rx``/``ry`` metres around ``lon``/``lat``."""
    cx, cy = p.to_metric(lon, lat)
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        k = rng.uniform(0.82, 1.12)
        pts.append(p.to_wgs84(cx + rx * k * math.cos(a), cy + ry * k * math.sin(a)))
    return Polygon(pts)


def _jagged(coords: list[tuple[float, float]], rng: random.Random, amp: float = 0.004) -> Polygon:
    """A polygon through ``coords`` with a little noise on intermediate points of each edge."""
    pts: list[tuple[float, float]] = []
    for (x1, y1), (x2, y2) in zip(coords, coords[1:] + coords[:1], strict=True):
        pts.append((x1, y1))
        for t in (0.33, 0.66):
            pts.append(
                (x1 + (x2 - x1) * t + rng.uniform(-amp, amp), y1 + (y2 - y1) * t + rng.uniform(-amp, amp))
            )
    poly = Polygon(pts)
    return poly if poly.is_valid else Polygon(coords)


def _area(kind: str, code: str, name: str, geom: BaseGeometry, **fields: Any) -> Area:
    area = Area(kind=kind, code=code, name=name, geometry=_round(geom), **fields)
    return actions.do_save_area(area, acting_user=None, reason=DEMO_REASON)


def _road(
    code: str, name: str, coords: list[tuple[float, float]], width: int, grade: str, in_park: bool = True
) -> Road:
    road = Road(
        code=code,
        name=name,
        grade=grade,
        width_m=Decimal(width),
        geometry=_round(LineString(coords)),
        in_park=in_park,
    )
    return actions.do_save_road(road, acting_user=None, reason=DEMO_REASON)


def _boundaries(rng: random.Random) -> tuple[Polygon, Polygon]:
    zone = _jagged(
        [
            (104.96, 37.58),
            (105.28, 37.56),
            (105.50, 37.58),
            (105.55, 37.72),
            (105.42, 37.80),
            (105.36, 37.93),
            (105.10, 37.95),
            (104.97, 37.86),
        ],
        rng,
        0.01,
    )
    w, s, e, n = PARK
    park = Polygon([(w, s), (e - 0.01, s), (e, s + 0.012), (e, n), (w + 0.015, n), (w, n - 0.01)])
    _area(AreaKind.ZONE, "ZONE", "孛井滩示范区", zone, note="示范区行政边界（演示）")
    _area(AreaKind.PARK, "PARK", "腾格里技术产业园区", park, note="园区规划边界（演示）")
    return zone, park


def _towns(zone: Polygon) -> dict[str, BaseGeometry]:
    teng = OrgUnit.objects.get(name="腾格里镇")
    bo = OrgUnit.objects.get(name="孛井滩镇")
    bo_geom = zone.intersection(
        Polygon([(105.27, 37.50), (105.60, 37.50), (105.60, 37.76), (105.31, 37.77), (105.27, 37.70)])
    )
    teng_geom = zone.difference(bo_geom)
    _area(AreaKind.TOWN, "TOWN-TGL", "腾格里镇", teng_geom, town=teng)
    _area(AreaKind.TOWN, "TOWN-BJT", "孛井滩镇", bo_geom, town=bo)
    return {"腾格里镇": teng_geom, "孛井滩镇": bo_geom}


def _grids(towns: dict[str, BaseGeometry], park: Polygon) -> dict[int, BaseGeometry]:
    by_code = {g.code: g for g in Grid.objects.select_related("town")}
    mid_lat = 37.845
    pieces: dict[str, BaseGeometry] = {
        "TGL-YQ-01": park.intersection(box(104.9, mid_lat, 105.6, 38.0)),
        "TGL-YQ-02": park.intersection(box(104.9, 37.5, TRUNK_LON + 0.015, mid_lat)),
        "TGL-YQ-03": park.intersection(box(TRUNK_LON + 0.015, 37.5, 105.6, mid_lat)),
    }
    rest = towns["腾格里镇"].difference(park)
    pieces["TGL-01"] = rest.intersection(box(105.10, 37.5, 105.6, 38.0))
    pieces["TGL-02"] = rest.intersection(box(104.9, 37.5, 105.10, 38.0))
    bo = towns["孛井滩镇"]
    pieces["BJT-02"] = bo.intersection(box(104.9, 37.70, 105.6, 38.0))
    pieces["BJT-01"] = bo.intersection(box(104.9, 37.64, 105.6, 37.70))
    pieces["BJT-03"] = bo.intersection(box(104.9, 37.5, 105.6, 37.64))
    out: dict[int, BaseGeometry] = {}
    for code, geom in pieces.items():
        grid = by_code.get(code)
        if grid is None or geom.is_empty:
            continue
        _area(AreaKind.GRID, f"GRID-{code}", grid.name, geom, grid=grid, town=grid.town)
        out[grid.pk] = geom
    return out


def _functional(park: Polygon) -> None:
    specs = [
        ("FZ-PROD-N", "北部化工生产区", "production", box(105.200, 37.848, 105.298, 37.882)),
        ("FZ-PROD-W", "西部精细化工生产区", "production", box(105.200, 37.812, 105.247, 37.846)),
        ("FZ-PUB", "公用工程区（供热、污水处理、消防站）", "public", box(105.253, 37.832, 105.278, 37.846)),
        ("FZ-STOR", "危化品仓储区", "storage", box(105.280, 37.812, 105.303, 37.846)),
        ("FZ-LOG", "物流园区（危化品车辆停车场）", "logistics", box(105.253, 37.798, 105.303, 37.810)),
        ("FZ-LIVE", "综合服务区", "living", box(105.198, 37.797, 105.247, 37.810)),
    ]
    for code, name, function, geom in specs:
        _area(AreaKind.FUNCTIONAL, code, name, geom.intersection(park), function=function)


def _roads() -> None:
    w, s, e, n = PARK
    names_ns = ["经一路", "经二路", "经三路", "经四路", None, "经六路", "经七路", "经八路", "经九路"]
    widths = [12, 15, 9, 18, None, 18, 9, 15, 12]
    for i, (lon, name, width) in enumerate(zip(PARK_LONS, names_ns, widths, strict=True)):
        if name is None or width is None:
            continue
        grade = RoadGrade.SECONDARY if width >= 15 else RoadGrade.BRANCH
        _road(f"R-NS-{i + 1:02d}", name, [(lon, s + 0.003), (lon, n - 0.002)], width, grade)
    names_ew = ["纬一路", "纬二路", "纬三路", "纬四路", "创业大道", "纬六路", "纬七路", "纬八路", "纬九路"]
    widths_ew = [15, 9, 12, 18, 24, 18, 12, 9, 15]
    for i, (lat, name, width) in enumerate(zip(PARK_LATS, names_ew, widths_ew, strict=True)):
        grade = RoadGrade.SECONDARY if width >= 15 else RoadGrade.BRANCH
        _road(f"R-EW-{i + 1:02d}", name, [(w + 0.003, lat), (e - 0.002, lat)], width, grade)
    # The trunk road runs north–south through the park and on to 孛井滩镇.
    _road(
        "R-TRUNK",
        "腾格里大道",
        [(TRUNK_LON, 37.905), (TRUNK_LON, 37.790), (105.27, 37.76), (105.33, 37.70), (105.35, 37.66)],
        60,
        RoadGrade.TRUNK,
    )
    _road(
        "R-S218",
        "省道 S218（腾格里镇—园区）",
        [(105.06, 37.75), (105.12, 37.76), (105.18, 37.79), (w + 0.003, 37.800)],
        24,
        RoadGrade.SECONDARY,
        in_park=False,
    )


def _base(zone: Polygon, rng: random.Random) -> None:
    p = projector_for(105.25)
    _area(AreaKind.BASE, "BASE-DESERT", "荒漠戈壁", zone, land_cover="desert")
    _area(
        AreaKind.BASE,
        "BASE-LAKE",
        "腾格里湖（水库）",
        _blob(p, 105.165, 37.825, 900, 550, rng),
        land_cover="water",
    )
    _area(
        AreaKind.BASE,
        "BASE-POND",
        "园区消防应急水池",
        _blob(p, 105.266, 37.839, 120, 80, rng),
        land_cover="water",
    )
    _area(
        AreaKind.BASE, "BASE-TGL", "腾格里镇区", _blob(p, 105.10, 37.75, 2200, 1500, rng), land_cover="built"
    )
    _area(
        AreaKind.BASE, "BASE-BJT", "孛井滩镇区", _blob(p, 105.35, 37.65, 2000, 1400, rng), land_cover="built"
    )
    for i, (lon, lat) in enumerate([(105.04, 37.80), (105.13, 37.70), (105.42, 37.69), (105.30, 37.62)]):
        _area(
            AreaKind.BASE,
            f"BASE-FARM-{i + 1}",
            "农田",
            _blob(p, lon, lat, 2600, 1800, rng, 12),
            land_cover="farmland",
        )
    # Green belts: 200 m of protective green between the living zone and production (GB 50489 防护距离).
    _area(
        AreaKind.BASE, "BASE-GREEN-1", "防护绿带", box(105.197, 37.8105, 105.247, 37.8118), land_cover="green"
    )
    _area(
        AreaKind.BASE, "BASE-GREEN-2", "防护绿带", box(105.2475, 37.797, 105.2525, 37.885), land_cover="green"
    )


def _assign_grids(grid_areas: dict[int, BaseGeometry]) -> None:
    """Put each enterprise in the grid (of its own town) whose area holds its location."""
    grids = {g.pk: g for g in Grid.objects.filter(pk__in=grid_areas)}
    for e in Enterprise.objects.filter(lon__isnull=False, lat__isnull=False).order_by("pk"):
        here = Point(float(e.lon), float(e.lat))  # type: ignore[arg-type]
        for pk, geom in grid_areas.items():
            if geom.contains(here) and grids[pk].town_id == e.town_id and e.grid_id != pk:
                enterprise_actions.do_update_enterprise(
                    e, {"grid": grids[pk]}, acting_user=None, reason=DEMO_REASON
                )
                break


def build(ctx: DemoContext) -> None:
    """Create the zone's geography and put the enterprises in the grid that holds them."""
    rng = ctx.child_rng("geo")
    zone, park = _boundaries(rng)
    towns = _towns(zone)
    grid_areas = _grids(towns, park)
    _functional(park)
    _roads()
    _base(zone, rng)
    _assign_grids(grid_areas)
    ctx.refs["park"] = park
