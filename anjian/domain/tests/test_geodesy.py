"""Tests for anjian.domain.geodesy: GCJ-02 against published reference pairs, the 3° zone, measurements."""

from __future__ import annotations

import math
import random

import pytest
from shapely.geometry import LineString, Point, Polygon, mapping

from anjian.domain.geodesy import (
    BBox,
    Projector,
    area_m2,
    buffer_m,
    distance_m,
    gcj02_to_wgs84,
    geometry_problem,
    gk3_central_meridian,
    gk3_epsg,
    in_china,
    length_m,
    wgs84_to_gcj02,
)

# Published test vectors (WGS 84 lat, lon → GCJ-02 lat, lon) of googollee/eviltransform (MIT),
# ``go/transform_test.go``: Shanghai, Shenzhen, Beijing. That suite compares at 5 decimals.
EVILTRANSFORM = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]
# wandergis/coordtransform ``test/app.js`` (lon, lat): wgs84togcj02(116.404, 39.915).
COORDTRANSFORM = ((116.404, 39.915), (116.41024449916938, 39.91640428150164))


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_pairs(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lon == pytest.approx(gcj[1], abs=1e-9)


def test_wgs84_to_gcj02_matches_coordtransform() -> None:
    (lon, lat), (glon, glat) = COORDTRANSFORM
    assert wgs84_to_gcj02(lon, lat) == pytest.approx((glon, glat), abs=1e-12)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_gcj02_to_wgs84_recovers_published_points(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = gcj02_to_wgs84(gcj[1], gcj[0])
    # The inverse is exact: well under a millimetre from the published WGS 84 point.
    assert distance_m((lon, lat), (wgs[1], wgs[0])) < 0.001


def test_round_trip_over_the_zone_is_sub_millimetre() -> None:
    rng = random.Random(7)
    for _ in range(200):
        lon, lat = rng.uniform(104.0, 106.0), rng.uniform(37.0, 38.5)
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        assert back == pytest.approx((lon, lat), abs=1e-8)


def test_gcj02_offset_in_the_zone_is_hundreds_of_metres() -> None:
    # The reason the form asks which system a point is in: near the park the shift is a few hundred metres.
    lon, lat = 105.25, 37.84
    shift = distance_m((lon, lat), wgs84_to_gcj02(lon, lat))
    assert 100 < shift < 1000


def test_outside_china_is_unchanged() -> None:
    assert not in_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_3_degree_zone_of_the_park() -> None:
    assert gk3_central_meridian(105.25) == 105
    assert gk3_central_meridian(103.6) == 105
    assert gk3_central_meridian(106.49) == 105
    assert gk3_central_meridian(106.51) == 108
    assert gk3_central_meridian(103.49) == 102
    # EPSG:4544 is "CGCS2000 / 3-degree Gauss-Kruger CM 105E" in PROJ's database.
    assert gk3_epsg(105.25) == 4544
    assert "105E" in Projector(gk3_epsg(105.25)).crs_name
    with pytest.raises(ValueError):
        gk3_central_meridian(2.0)


def test_projector_round_trip_and_central_meridian() -> None:
    p = Projector.for_lon(105.25)
    x, y = p.to_metric(105.0, 37.84)
    # On the central meridian the easting is the false easting, 500 000 m.
    assert x == pytest.approx(500_000, abs=1e-3)
    assert 4_100_000 < y < 4_300_000
    lon, lat = p.to_wgs84(*p.to_metric(105.27, 37.83))
    assert (lon, lat) == pytest.approx((105.27, 37.83), abs=1e-9)


def test_distance_matches_geodesic() -> None:
    from pyproj import Geod

    a, b = (105.21, 37.81), (105.29, 37.87)
    _az1, _az2, geodesic = Geod(ellps="GRS80").inv(a[0], a[1], b[0], b[1])
    # Gauss–Krüger scale error at 0.25° from the meridian is ~1e-5: a 10 km line is within a metre.
    assert distance_m(a, b) == pytest.approx(geodesic, rel=5e-5)


def test_area_of_a_100m_square() -> None:
    p = Projector.for_lon(105.25)
    x, y = p.to_metric(105.25, 37.84)
    square = p.unproject(Polygon([(x, y), (x + 100, y), (x + 100, y + 100), (x, y + 100)]))
    assert area_m2(square) == pytest.approx(10_000, rel=1e-6)
    assert area_m2(mapping(square)) == pytest.approx(10_000, rel=1e-6)
    assert length_m(LineString([(105.25, 37.84), (105.25, 37.85)])) == pytest.approx(1110, rel=0.01)


def test_buffer_contains_points_within_and_not_beyond() -> None:
    centre = Point(105.25, 37.84)
    zone = buffer_m(centre, 150)
    p = Projector.for_lon(105.25)
    x, y = p.to_metric(105.25, 37.84)
    assert zone.contains(Point(p.to_wgs84(x + 149, y)))
    assert not zone.contains(Point(p.to_wgs84(x + 151, y)))
    assert area_m2(zone) == pytest.approx(math.pi * 150**2, rel=0.005)


AREA = BBox(104.9, 37.5, 105.6, 38.0)


def test_bbox_parse_and_refusals() -> None:
    box = BBox.parse("105.2, 37.8,105.3,37.9")
    assert box.as_tuple() == (105.2, 37.8, 105.3, 37.9)
    assert box.contains(105.25, 37.85) and not box.contains(105.35, 37.85)
    for bad in ("", "1,2,3", "a,b,c,d", "105.3,37.8,105.2,37.9", "1,2,3,nan", "0,-95,1,1"):
        with pytest.raises(ValueError):
            BBox.parse(bad)


def test_geometry_problem_codes() -> None:
    good = {
        "type": "Polygon",
        "coordinates": [[[105.2, 37.8], [105.21, 37.8], [105.21, 37.81], [105.2, 37.8]]],
    }
    assert geometry_problem(good, AREA) is None
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[105.2, 37.8], [105.21, 37.81], [105.21, 37.8], [105.2, 37.81], [105.2, 37.8]]],
    }
    problem = geometry_problem(bowtie, AREA)
    assert problem is not None and problem.code == "invalid" and "Self-intersection" in problem.detail
    swapped = {"type": "Point", "coordinates": [37.84, 105.25]}
    assert getattr(geometry_problem(swapped, AREA), "code", None) == "order"
    far = {"type": "Point", "coordinates": [116.4, 39.9]}
    assert getattr(geometry_problem(far, AREA), "code", None) == "outside"
    assert getattr(geometry_problem({"type": "Point"}, AREA), "code", None) == "shape"
    assert (
        getattr(geometry_problem({"type": "Point", "coordinates": ["x", 1]}, AREA), "code", None) == "shape"
    )
    line = {"type": "LineString", "coordinates": [[105.2, 37.8]]}
    assert getattr(geometry_problem(line, AREA), "code", None) == "shape"
