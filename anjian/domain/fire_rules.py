"""Fire-water layout rules of the plan (八.六 园区应急消防基础设施), as pure functions over a park layout.

Pure Python (no Django). The plan (``shared/seed/safety-plan-2021-2025.txt`` 八.六) asks that

1. ``hydrant_spacing`` — "各主次干道的消火栓间距严格按照不大于 120 米要求布置": consecutive hydrants serving a
   road are at most 120 m apart *along* the road (GB 50974-2014 §7.2.5 gives the same ≤ 120 m for municipal
   hydrants). A hydrant serves a road when it stands within half the road's width plus 5 m of the centreline
   (hydrants sit ≤ 2 m from the kerb, GB 50016). A stretch from a road end to its first (or last) hydrant is
   held to the same 120 m, and a road longer than 120 m with no hydrant at all fails;
2. ``both_sides`` — "宽度在 60 米以上的道路应在两侧均设置消火栓" ("以上" includes 60 m; GB 50974 §7.2.2 says
   "超过 60 m"; the plan is followed here): such a road has hydrants on both sides, and the spacing rule is
   checked on each side separately;
3. ``hydrant_coverage`` — "各企业厂区的消火栓的保护半径不应超过 150 米": every point of each enterprise plot
   lies within 150 m of a hydrant. The farthest point is found exactly (the maximum of the distance to the
   nearest hydrant over a polygon lies on a vertex of the polygon cut by the hydrants' Voronoi cells);
4. ``pool_capacity`` — "消防水池容量应以最大防火区消防水 6 小时以上的容量设计": each fire pool holds
   V ≥ 3.6 · Q · 6 m³, Q the largest fire zone's design fire-water flow in L/s (3.6 converts L/s·h to m³).

Distances are measured in CGCS2000 3-degree Gauss–Krüger (EPSG:4534–4554, the zone whose central meridian
is nearest the layout's mean longitude) through pyproj; inputs and output geometries are WGS 84 lon/lat.
A distance equal to a limit passes ("不大于"); the tests check layouts 0.5 m inside and outside each limit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from anjian.domain.gauss_kruger import central_meridian
from anjian.domain.gauss_kruger import transformers as _transformers

__all__ = [
    "BOTH_SIDES_WIDTH_M",
    "COVERAGE_RADIUS_M",
    "POOL_HOURS",
    "RULES",
    "RULE_LABELS",
    "SERVE_MARGIN_M",
    "SPACING_M",
    "FirePool",
    "FireZone",
    "Hydrant",
    "Layout",
    "Plot",
    "Road",
    "Violation",
    "check_layout",
    "layout_from_geojson",
    "required_pool_volume_m3",
]

SPACING_M = 120.0
BOTH_SIDES_WIDTH_M = 60.0
SERVE_MARGIN_M = 5.0
COVERAGE_RADIUS_M = 150.0
POOL_HOURS = 6.0
#: Hydrants farther than this from a plot are not considered for its coverage (see ``check_coverage``).
NEAR_M = 250.0

RULES: tuple[str, ...] = ("hydrant_spacing", "both_sides", "hydrant_coverage", "pool_capacity")
RULE_LABELS: Mapping[str, str] = {
    "hydrant_spacing": "消火栓间距不大于120米",
    "both_sides": "60米以上道路两侧设消火栓",
    "hydrant_coverage": "厂区消火栓保护半径不超过150米",
    "pool_capacity": "消防水池满足最大防火区6小时用水",
}

Coord = tuple[float, float]


# ---------------------------------------------------------------------------------------------------------
# Input and output
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Road:
    """A road centreline (WGS 84 lon/lat) with its width in metres."""

    id: str
    coords: tuple[Coord, ...]
    width_m: float
    name: str = ""


@dataclass(frozen=True)
class Hydrant:
    id: str
    lon: float
    lat: float
    name: str = ""


@dataclass(frozen=True)
class Plot:
    """An enterprise plot: an outer ring (and optional holes), WGS 84."""

    id: str
    shell: tuple[Coord, ...]
    holes: tuple[tuple[Coord, ...], ...] = ()
    name: str = ""


@dataclass(frozen=True)
class FirePool:
    id: str
    volume_m3: float
    lon: float | None = None
    lat: float | None = None
    name: str = ""


@dataclass(frozen=True)
class FireZone:
    id: str
    design_flow_lps: float
    name: str = ""


@dataclass(frozen=True)
class Layout:
    roads: tuple[Road, ...] = ()
    hydrants: tuple[Hydrant, ...] = ()
    plots: tuple[Plot, ...] = ()
    pools: tuple[FirePool, ...] = ()
    zones: tuple[FireZone, ...] = ()


@dataclass(frozen=True)
class Violation:
    """One breach of one rule by one feature, with what was measured and where the gap is."""

    rule: str
    feature: str
    detail: str
    measured: float | None = None
    limit: float | None = None
    #: a GeoJSON geometry (WGS 84) of the gap: the uncovered part of a plot, the road stretch, the pool
    geometry: dict[str, Any] | None = field(default=None, compare=False)
    fix: str = ""

    def as_dict(self, *, with_geometry: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"rule": self.rule, "feature": self.feature, "detail": self.detail}
        if self.measured is not None:
            body["measured"] = round(self.measured, 1)
        if self.limit is not None:
            body["limit"] = self.limit
        if self.fix:
            body["fix"] = self.fix
        if with_geometry and self.geometry is not None:
            body["geometry"] = self.geometry
        return body


# ---------------------------------------------------------------------------------------------------------
# Projection (CGCS2000 3° Gauss–Krüger)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Projection:
    cm: int

    def fwd(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, _transformers(self.cm)[0].transform, interleaved=False)

    def inv(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, _transformers(self.cm)[1].transform, interleaved=False)

    def points(self, hydrants: Sequence[Hydrant]) -> list[Point]:
        """Every hydrant projected in one call."""
        if not hydrants:
            return []
        xs, ys = _transformers(self.cm)[0].transform([h.lon for h in hydrants], [h.lat for h in hydrants])
        return [Point(x, y) for x, y in zip(xs, ys, strict=True)]

    def xy(self, lon: float, lat: float) -> Point:
        x, y = _transformers(self.cm)[0].transform(lon, lat)
        return Point(x, y)


def _projection_for(layout: Layout) -> _Projection:
    lons = [h.lon for h in layout.hydrants]
    lons += [c[0] for r in layout.roads for c in r.coords]
    lons += [c[0] for p in layout.plots for c in p.shell]
    return _Projection(central_meridian(sum(lons) / len(lons) if lons else 105.0))


def _geojson(geom: BaseGeometry) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(mapping(geom)))  # tuples → lists, plain JSON
    return body


# ---------------------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------------------


def required_pool_volume_m3(design_flow_lps: float, hours: float = POOL_HOURS) -> float:
    """V = 3.6 · Q · T m³ for Q in L/s and T in hours."""
    return 3.6 * design_flow_lps * hours


def _side(line: LineString, chainage: float, point: Point) -> int:
    """+1 left of the road's direction at ``chainage``, -1 right, 0 on the centreline."""
    a = line.interpolate(max(0.0, chainage - 0.5))
    b = line.interpolate(min(line.length, chainage + 0.5))
    ab = math.hypot(b.x - a.x, b.y - a.y) or 1.0
    # signed distance from the centreline; a hydrant within 0.5 m of it stands on neither side
    offset = ((b.x - a.x) * (point.y - a.y) - (b.y - a.y) * (point.x - a.x)) / ab
    if abs(offset) < 0.5:
        return 0
    cross = offset
    return 1 if cross > 0 else -1


def _side_label(line: LineString, side: int) -> str:
    """The compass side (东侧/西侧/南侧/北侧) of the road to the left (+1) or right (-1) of its direction."""
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    nx, ny = -(y1 - y0) * side, (x1 - x0) * side
    if abs(nx) > abs(ny):
        return "东侧" if nx > 0 else "西侧"
    return "北侧" if ny > 0 else "南侧"


def _spacing_gaps(
    road: Road, line: LineString, chainages: Sequence[float], proj: _Projection, side_label: str
) -> list[Violation]:
    out: list[Violation] = []
    name = road.name or road.id
    if not chainages:
        if line.length > SPACING_M:
            out.append(
                Violation(
                    "hydrant_spacing",
                    road.id,
                    f"{name}{side_label}长{line.length:.1f}米，沿线无消火栓（间距应不大于120米）",
                    measured=line.length,
                    limit=SPACING_M,
                    geometry=_geojson(proj.inv(line)),
                    fix=f"沿{name}{side_label}每隔不大于120米增设消火栓",
                )
            )
        return out
    stops = [0.0, *sorted(chainages), line.length]
    for i in range(len(stops) - 1):
        start, end = stops[i], stops[i + 1]
        gap = end - start
        if gap <= SPACING_M + 1e-6:
            continue
        at_end = i == 0 or i == len(stops) - 2
        what = "道路端点至最近消火栓" if at_end else "相邻消火栓"
        extra = max(1, math.ceil(gap / SPACING_M) - 1)
        stretch = substring(line, start, end)
        out.append(
            Violation(
                "hydrant_spacing",
                road.id,
                f"{name}{side_label}里程{start:.0f}–{end:.0f}米处{what}沿路距离{gap:.1f}米，超过120米",
                measured=gap,
                limit=SPACING_M,
                geometry=_geojson(proj.inv(stretch)),
                fix=f"在该段增设{extra}个消火栓",
            )
        )
    return out


def check_roads(layout: Layout, proj: _Projection) -> list[Violation]:
    """Rules 1 and 2 on every road."""
    out: list[Violation] = []
    hydrants = list(zip(layout.hydrants, proj.points(layout.hydrants), strict=True))
    points = np.asarray([p for _h, p in hydrants], dtype=object)
    for road in layout.roads:
        line = proj.fwd(LineString(road.coords))
        assert isinstance(line, LineString)
        reach = road.width_m / 2 + SERVE_MARGIN_M
        near = shapely.distance(line, points) <= reach + 1e-9
        chainages = shapely.line_locate_point(line, points)
        serving = [(h, p, float(c)) for (h, p), ok, c in zip(hydrants, near, chainages, strict=True) if ok]
        if road.width_m >= BOTH_SIDES_WIDTH_M:
            sides = {1: [], -1: []}  # type: dict[int, list[float]]
            for _h, p, s in serving:
                side = _side(line, s, p)
                if side:
                    sides[side].append(s)
            name = road.name or road.id
            for side, label in ((1, _side_label(line, 1)), (-1, _side_label(line, -1))):
                if not sides[side]:
                    out.append(
                        Violation(
                            "both_sides",
                            road.id,
                            f"{name}宽{road.width_m:g}米（60米以上），{label}未设消火栓",
                            measured=road.width_m,
                            limit=BOTH_SIDES_WIDTH_M,
                            geometry=_geojson(proj.inv(line)),
                            fix=f"在{name}{label}沿路每隔不大于120米设置消火栓",
                        )
                    )
                else:
                    out.extend(_spacing_gaps(road, line, sides[side], proj, label))
        else:
            out.extend(_spacing_gaps(road, line, [s for _h, _p, s in serving], proj, ""))
    return out


def _farthest_point(poly: Polygon, sites: Sequence[Point]) -> tuple[float, Point]:
    """The point of ``poly`` farthest from its nearest site, and that distance (exact, Voronoi cells)."""
    best = (-1.0, Point(poly.exterior.coords[0]))
    unique = list({(p.x, p.y): p for p in sites}.values())
    if len(unique) == 1:
        cells: list[tuple[Point, BaseGeometry]] = [(unique[0], poly)]
    else:
        env = poly.envelope.union(MultiPoint(unique).envelope).buffer(1000.0)
        voronoi = shapely.voronoi_polygons(MultiPoint(unique), extend_to=env, ordered=True)
        cells = [(site, cell.intersection(poly)) for site, cell in zip(unique, voronoi.geoms, strict=True)]
    for site, part in cells:
        for geom in getattr(part, "geoms", [part]):
            if geom.is_empty or not isinstance(geom, Polygon):
                continue
            for ring in (geom.exterior, *geom.interiors):
                for x, y in ring.coords:
                    d = math.hypot(x - site.x, y - site.y)
                    if d > best[0]:
                        best = (d, Point(x, y))
    return best


def check_coverage(layout: Layout, proj: _Projection) -> list[Violation]:
    """Rule 3 on every plot."""
    out: list[Violation] = []
    sites = proj.points(layout.hydrants)
    site_array = np.asarray(sites, dtype=object)
    for plot in layout.plots:
        poly = proj.fwd(Polygon(plot.shell, plot.holes))
        assert isinstance(poly, Polygon)
        name = plot.name or plot.id
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        if not sites:
            out.append(
                Violation(
                    "hydrant_coverage",
                    plot.id,
                    f"{name}周边无消火栓",
                    geometry=_geojson(proj.inv(poly)),
                    limit=COVERAGE_RADIUS_M,
                    fix="在厂区周边道路按保护半径不超过150米布置消火栓",
                )
            )
            continue
        polys = [g for g in getattr(poly, "geoms", [poly]) if isinstance(g, Polygon)]
        # Only hydrants near the plot can be nearest to a point of it: with the sites within NEAR_M of the
        # plot the farthest distance is exact whenever it is ≤ NEAR_M (a nearer site would be in the set);
        # beyond that, fall back to every site.
        near = [
            site for site, d in zip(sites, shapely.distance(poly, site_array), strict=True) if d <= NEAR_M
        ]
        farthest = (
            max((_farthest_point(p, near) for p in polys), key=lambda pair: pair[0])
            if near
            else (math.inf, Point())
        )
        if farthest[0] > NEAR_M:
            farthest = max((_farthest_point(p, sites) for p in polys), key=lambda pair: pair[0])
        distance, point = farthest
        if distance <= COVERAGE_RADIUS_M + 1e-6:
            continue
        covered = shapely.union_all([s.buffer(COVERAGE_RADIUS_M, quad_segs=32) for s in (near or sites)])
        gap = poly.difference(covered)
        where = proj.inv(point)
        out.append(
            Violation(
                "hydrant_coverage",
                plot.id,
                f"{name}最远点（{where.x:.5f}, {where.y:.5f}）距最近消火栓{distance:.1f}米，超过150米；"
                f"未覆盖面积约{gap.area:.0f}平方米",
                measured=distance,
                limit=COVERAGE_RADIUS_M,
                geometry=_geojson(proj.inv(gap)) if not gap.is_empty else _geojson(where),
                fix="在未覆盖区域附近道路增设消火栓，使厂区任一点距消火栓不超过150米",
            )
        )
    return out


def check_pools(layout: Layout) -> list[Violation]:
    """Rule 4 on every pool, against the largest fire zone's design flow."""
    if not layout.zones or not layout.pools:
        return []
    zone = max(layout.zones, key=lambda z: z.design_flow_lps)
    need = required_pool_volume_m3(zone.design_flow_lps)
    out: list[Violation] = []
    for pool in layout.pools:
        if pool.volume_m3 + 1e-9 >= need:
            continue
        name = pool.name or pool.id
        geometry = (
            _geojson(Point(pool.lon, pool.lat)) if pool.lon is not None and pool.lat is not None else None
        )
        out.append(
            Violation(
                "pool_capacity",
                pool.id,
                f"{name}容量{pool.volume_m3:g}立方米，小于最大防火区“{zone.name or zone.id}”设计流量"
                f"{zone.design_flow_lps:g}升/秒×6小时所需的{need:g}立方米",
                measured=pool.volume_m3,
                limit=need,
                geometry=geometry,
                fix=f"扩容至少{need - pool.volume_m3:g}立方米",
            )
        )
    return out


def check_layout(layout: Layout) -> list[Violation]:
    """All four rules; violations in rule order, then feature order."""
    proj = _projection_for(layout)
    found = check_roads(layout, proj) + check_coverage(layout, proj) + check_pools(layout)
    return sorted(found, key=lambda v: (RULES.index(v.rule), v.feature))


# ---------------------------------------------------------------------------------------------------------
# GeoJSON input (``anjian fire check FILE``)
# ---------------------------------------------------------------------------------------------------------


def _number(props: Mapping[str, Any], key: str, fid: str, errors: list[str]) -> float | None:
    value = props.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors.append(f"要素 {fid}：缺少或无效的 {key}")
        return None
    if not math.isfinite(number) or number < 0:
        errors.append(f"要素 {fid}：{key} 须为非负数")
        return None
    return number


def _coords(seq: Iterable[Any]) -> tuple[Coord, ...]:
    return tuple((float(c[0]), float(c[1])) for c in seq)


def layout_from_geojson(data: Any) -> tuple[Layout, list[str]]:
    """Read a FeatureCollection whose features carry ``properties.id`` and ``properties.kind``.

    Kinds: ``road`` (LineString, ``width_m``), ``hydrant`` (Point), ``plot`` (Polygon/MultiPolygon),
    ``fire_pool`` (``volume_m3``, Point optional), ``fire_zone`` (``design_flow_lps``). Other kinds are
    ignored. Returns the layout and the Chinese errors of features that could not be read.
    """
    errors: list[str] = []
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        return Layout(), ["文件不是 GeoJSON FeatureCollection"]
    features = data.get("features")
    if not isinstance(features, list):
        return Layout(), ["FeatureCollection 缺少 features 数组"]
    roads: list[Road] = []
    hydrants: list[Hydrant] = []
    plots: list[Plot] = []
    pools: list[FirePool] = []
    zones: list[FireZone] = []
    for n, feature in enumerate(features, start=1):
        if not isinstance(feature, Mapping):
            errors.append(f"第{n}个要素不是对象")
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, Mapping):
            errors.append(f"第{n}个要素的 properties 不是对象")
            continue
        fid = str(props.get("id") or f"#{n}")
        kind = props.get("kind")
        name = str(props.get("name") or "")
        try:
            geom = shape(feature["geometry"]) if feature.get("geometry") else None
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            errors.append(f"要素 {fid}：几何无效")
            continue
        if kind == "road":
            width = _number(props, "width_m", fid, errors)
            if not isinstance(geom, LineString) or width is None:
                if width is not None:
                    errors.append(f"要素 {fid}：道路须为 LineString")
                continue
            roads.append(Road(fid, _coords(geom.coords), width, name))
        elif kind == "hydrant":
            if not isinstance(geom, Point):
                errors.append(f"要素 {fid}：消火栓须为 Point")
                continue
            hydrants.append(Hydrant(fid, geom.x, geom.y, name))
        elif kind == "plot":
            polygons = [geom] if isinstance(geom, Polygon) else list(getattr(geom, "geoms", []))
            polygons = [p for p in polygons if isinstance(p, Polygon)]
            if not polygons:
                errors.append(f"要素 {fid}：地块须为 Polygon 或 MultiPolygon")
                continue
            for poly in polygons:
                holes = tuple(_coords(r.coords) for r in poly.interiors)
                plots.append(Plot(fid, _coords(poly.exterior.coords), holes, name))
        elif kind == "fire_pool":
            volume = _number(props, "volume_m3", fid, errors)
            if volume is None:
                continue
            lon = geom.x if isinstance(geom, Point) else None
            lat = geom.y if isinstance(geom, Point) else None
            pools.append(FirePool(fid, volume, lon, lat, name))
        elif kind == "fire_zone":
            flow = _number(props, "design_flow_lps", fid, errors)
            if flow is None:
                continue
            zones.append(FireZone(fid, flow, name))
    return Layout(tuple(roads), tuple(hydrants), tuple(plots), tuple(pools), tuple(zones)), errors
