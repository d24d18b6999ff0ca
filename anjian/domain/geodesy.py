"""Coordinates and measurements on the zone's map: GCJ-02 ↔ WGS 84, a metric projection, distances, areas.

Everything is stored in WGS 84 longitude/latitude (EPSG:4326, RFC 7946 order ``[lon, lat]``). Chinese map
apps (高德, 腾讯) show GCJ-02 (国测局 2002 "火星坐标"), an obfuscated WGS 84; :func:`gcj02_to_wgs84`
undoes it. The obfuscation is the widely published algorithm (Krasovsky 1940 ellipsoid, the polynomial
and sine series around 105°E 35°N, no offset outside China) as in the MIT-licensed ``eviltransform``
reference; its inverse is solved by fixed-point iteration to well under a centimetre.

Measurements go through a conformal metric projection: the CGCS2000 3-degree Gauss–Krüger zone of the
longitude (GB/T 17798-2007 and 《2000 国家大地坐标系推广使用技术指南》 use CGCS2000 and 3° zones for
large-scale mapping). The EPSG code is looked up in PROJ's own database by name, never hard-coded, and
the transformation is done by pyproj; geometry by shapely. CGCS2000 and WGS 84 agree to a few
centimetres, far below what a park map can show, so the transformation is treated as the identity datum
shift that PROJ applies (``always_xy`` keeps lon/lat order).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy
import shapely
from pyproj import CRS, Transformer
from pyproj.database import query_crs_info
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "BBox",
    "GeometryProblem",
    "Projector",
    "area_m2",
    "buffer_m",
    "distance_m",
    "gcj02_to_wgs84",
    "geometry_problem",
    "gk3_central_meridian",
    "gk3_epsg",
    "in_china",
    "length_m",
    "projector_for",
    "wgs84_to_gcj02",
]

# ---------------------------------------------------------------------------------------------
# GCJ-02
# ---------------------------------------------------------------------------------------------

# Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323


def in_china(lon: float, lat: float) -> bool:
    """The rectangle inside which GCJ-02 applies an offset (outside it GCJ-02 equals WGS 84)."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _series(x: float, y: float) -> tuple[float, float]:
    """The published polynomial/sine series of GCJ-02; ``x``/``y`` are degrees from 105°E / 35°N."""
    x_pi = x * math.pi
    y_pi = y * math.pi
    common = 20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)
    d_lat = common + 20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)
    d_lon = common + 20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)
    d_lat += 160.0 * math.sin(y_pi / 12.0) + 320.0 * math.sin(y_pi / 30.0)
    d_lon += 150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)
    d_lat = (
        d_lat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    )
    d_lon = d_lon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    return d_lon, d_lat


def _offset(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 offset in degrees (Δlon, Δlat) at a WGS 84 point."""
    d_lon_m, d_lat_m = _series(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1.0 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat_m * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon_m * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 (lon, lat) → GCJ-02 (lon, lat); unchanged outside China."""
    if not in_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance_deg: float = 1e-9) -> tuple[float, float]:
    """GCJ-02 (lon, lat) → WGS 84 (lon, lat), the exact inverse of :func:`wgs84_to_gcj02`.

    Fixed-point iteration ``w ← w − (gcj(w) − g)``: the offset varies slowly (its derivative is ~1e-5),
    so each step gains about five digits; 1e-9° is about 0.1 mm.
    """
    if not in_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(20):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if abs(e_lon) < tolerance_deg and abs(e_lat) < tolerance_deg:
            break
    return w_lon, w_lat


# ---------------------------------------------------------------------------------------------
# CGCS2000 3-degree Gauss–Krüger
# ---------------------------------------------------------------------------------------------


def gk3_central_meridian(lon: float) -> int:
    """Central meridian of the 3° zone holding ``lon``: zones are centred on multiples of 3° (GB/T 17798)."""
    if not 73.5 <= lon <= 136.5:
        raise ValueError(f"longitude {lon} is outside the CGCS2000 3-degree zones of China (73.5°E–136.5°E)")
    return 3 * math.floor(lon / 3.0 + 0.5)


@lru_cache(maxsize=64)
def gk3_epsg(lon: float) -> int:
    """EPSG code of "CGCS2000 / 3-degree Gauss-Kruger CM <n>E" for ``lon``, read from PROJ's database.

    The "CM" variant has false easting 500 000 m without the zone number in front, which keeps
    coordinates small; the "zone N" variants differ only in that prefix.
    """
    name = f"CGCS2000 / 3-degree Gauss-Kruger CM {gk3_central_meridian(lon)}E"
    matches = [info for info in query_crs_info(auth_name="EPSG") if info.name == name]
    if len(matches) != 1:
        raise LookupError(f"PROJ database has {len(matches)} CRS named {name!r}")
    return int(matches[0].code)


@dataclass(frozen=True)
class Projector:
    """WGS 84 lon/lat ↔ metres in one CGCS2000 3° Gauss–Krüger zone (x east, y north)."""

    epsg: int

    @classmethod
    def for_lon(cls, lon: float) -> Projector:
        """The projector of the 3° zone that holds ``lon``."""
        return projector_for(lon)

    @property
    def crs_name(self) -> str:
        """PROJ's name of the metric CRS."""
        return str(CRS.from_epsg(self.epsg).name)

    def to_metric(self, lon: float, lat: float) -> tuple[float, float]:
        """WGS 84 (lon, lat) → (easting, northing) in metres."""
        x, y = _forward(self.epsg).transform(lon, lat)
        return float(x), float(y)

    def to_wgs84(self, x: float, y: float) -> tuple[float, float]:
        """(easting, northing) in metres → WGS 84 (lon, lat)."""
        lon, lat = _inverse(self.epsg).transform(x, y)
        return float(lon), float(lat)

    def project(self, geometry: BaseGeometry) -> BaseGeometry:
        """A shapely geometry in lon/lat → the same geometry in metres."""
        return shapely.transform(geometry, _vector(_forward(self.epsg)))

    def unproject(self, geometry: BaseGeometry) -> BaseGeometry:
        """A shapely geometry in metres → the same geometry in lon/lat."""
        return shapely.transform(geometry, _vector(_inverse(self.epsg)))


def _vector(transformer: Transformer) -> Callable[[Any], Any]:
    def apply(xy: Any) -> Any:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return numpy.column_stack([x, y])

    return apply


@lru_cache(maxsize=16)
def _forward(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


@lru_cache(maxsize=16)
def _inverse(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def projector_for(lon: float) -> Projector:
    """The :class:`Projector` of the 3° zone holding ``lon``."""
    return Projector(gk3_epsg(float(lon)))


def _as_geometry(value: BaseGeometry | dict[str, Any]) -> BaseGeometry:
    return value if isinstance(value, BaseGeometry) else shape(value)


def _projector_of(geometry: BaseGeometry, projector: Projector | None) -> Projector:
    if projector is not None:
        return projector
    return projector_for(geometry.centroid.x)


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------


def distance_m(
    a: BaseGeometry | dict[str, Any] | tuple[float, float],
    b: BaseGeometry | dict[str, Any] | tuple[float, float],
    *,
    projector: Projector | None = None,
) -> float:
    """Shortest distance in metres between two lon/lat geometries (or ``(lon, lat)`` pairs)."""
    ga = Point(a) if isinstance(a, tuple) else _as_geometry(a)
    gb = Point(b) if isinstance(b, tuple) else _as_geometry(b)
    p = _projector_of(ga, projector)
    return float(p.project(ga).distance(p.project(gb)))


def length_m(geometry: BaseGeometry | dict[str, Any], *, projector: Projector | None = None) -> float:
    """Length in metres of a lon/lat line (or perimeter of a polygon)."""
    g = _as_geometry(geometry)
    return float(_projector_of(g, projector).project(g).length)


def area_m2(geometry: BaseGeometry | dict[str, Any], *, projector: Projector | None = None) -> float:
    """Area in square metres of a lon/lat polygon."""
    g = _as_geometry(geometry)
    return float(_projector_of(g, projector).project(g).area)


def buffer_m(
    geometry: BaseGeometry | dict[str, Any], metres: float, *, projector: Projector | None = None
) -> BaseGeometry:
    """The lon/lat geometry within ``metres`` of ``geometry`` (buffered in the metric projection)."""
    g = _as_geometry(geometry)
    p = _projector_of(g, projector)
    return p.unproject(p.project(g).buffer(metres, quad_segs=16))


# ---------------------------------------------------------------------------------------------
# Bounding area and geometry checks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BBox:
    """A lon/lat rectangle ``(west, south, east, north)``."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        if not (-180 <= self.west < self.east <= 180 and -90 <= self.south < self.north <= 90):
            raise ValueError("bounding box must be west < east and south < north, in degrees")

    @classmethod
    def parse(cls, text: str) -> BBox:
        """Parse ``"west,south,east,north"`` (the order of OGC API / Leaflet ``toBBoxString``)."""
        parts = [p.strip() for p in str(text).split(",")]
        if len(parts) != 4:
            raise ValueError("bounding box needs four numbers: west,south,east,north")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError as exc:
            raise ValueError("bounding box numbers are not valid") from exc
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValueError("bounding box numbers are not finite")
        return cls(west, south, east, north)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside (edges included)."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def intersects_bounds(self, bounds: tuple[float, float, float, float]) -> bool:
        """Whether a ``(minx, miny, maxx, maxy)`` box overlaps this one."""
        minx, miny, maxx, maxy = bounds
        return not (maxx < self.west or minx > self.east or maxy < self.south or miny > self.north)

    def as_geometry(self) -> BaseGeometry:
        """The rectangle as a shapely polygon."""
        return shapely.box(self.west, self.south, self.east, self.north)

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)``."""
        return (self.west, self.south, self.east, self.north)


@dataclass(frozen=True)
class GeometryProblem:
    """Why a geometry is refused: a machine code and an English detail (the caller words it in Chinese)."""

    code: str
    detail: str = ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _positions(coords: Any) -> Iterable[tuple[float, float]]:
    """Every ``[x, y]`` position of GeoJSON coordinates; ``TypeError`` on anything else."""
    if not isinstance(coords, list | tuple) or not coords:
        raise TypeError("coordinates must be non-empty arrays")
    if not isinstance(coords[0], list | tuple):
        if len(coords) < 2 or not all(_is_number(v) for v in coords):
            raise TypeError("a position is two or three numbers")
        yield float(coords[0]), float(coords[1])
        return
    for item in coords:
        yield from _positions(item)


def geometry_problem(geometry: Any, area: BBox) -> GeometryProblem | None:
    """Check a GeoJSON geometry dict (WGS 84, ``[lon, lat]``) against the zone's bounding ``area``.

    Codes: ``shape`` (not parseable), ``order`` (every position reads as ``[lat, lon]``: swapping would put
    it inside the area), ``outside`` (a position outside the area), ``invalid`` (self-intersecting or
    otherwise not valid per OGC Simple Features; ``detail`` is shapely's reason), ``empty``.
    """
    if not isinstance(geometry, dict) or "type" not in geometry or "coordinates" not in geometry:
        return GeometryProblem("shape", "not a GeoJSON geometry")
    try:
        positions = list(_positions(geometry["coordinates"]))
    except (TypeError, ValueError, IndexError):
        return GeometryProblem("shape", "coordinates are not numbers")
    if not positions or any(not (math.isfinite(x) and math.isfinite(y)) for x, y in positions):
        return GeometryProblem("empty" if not positions else "shape", "no usable coordinates")
    outside = [(x, y) for x, y in positions if not area.contains(x, y)]
    if outside:
        if all(area.contains(y, x) for x, y in positions):
            return GeometryProblem("order", f"{outside[0][0]},{outside[0][1]}")
        return GeometryProblem("outside", f"{outside[0][0]},{outside[0][1]}")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        return GeometryProblem("shape", str(exc))
    if geom.is_empty:
        return GeometryProblem("empty", "")
    if not geom.is_valid:
        return GeometryProblem("invalid", shapely.is_valid_reason(geom))
    return None
