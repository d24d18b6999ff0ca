"""Tests for anjian.domain.fire_rules: each rule on crafted layouts, 0.5 m inside and outside each limit.

Layouts are drawn in CGCS2000 Gauss–Krüger metres (central meridian 105°E, near the park) and converted
to WGS 84, so the distances the rules measure are the distances drawn here.
"""

from __future__ import annotations

import json

import pytest

from anjian.domain.fire_rules import (
    FirePool,
    FireZone,
    Hydrant,
    Layout,
    Plot,
    Road,
    check_layout,
    layout_from_geojson,
    required_pool_volume_m3,
)
from anjian.domain.gauss_kruger import central_meridian, to_lonlat

X0, Y0 = 500_000.0, 4_200_000.0  # about 105°E, 37.9°N


def ll(x: float, y: float) -> tuple[float, float]:
    """Metres east/north of (X0, Y0) in the CM 105°E zone → WGS 84 lon/lat."""
    return to_lonlat(X0 + x, Y0 + y, 105)


def road(rid, points, width=20.0):
    return Road(rid, tuple(ll(*p) for p in points), width)


def hydrant(hid, x, y):
    lon, lat = ll(x, y)
    return Hydrant(hid, lon, lat)


def plot(pid, points):
    return Plot(pid, tuple(ll(*p) for p in points))


def rules_of(violations):
    return [(v.rule, v.feature) for v in violations]


def test_central_meridian():
    assert central_meridian(105.2) == 105
    assert central_meridian(103.6) == 105
    assert central_meridian(103.4) == 102


# --- rule 1: spacing along the road -----------------------------------------------------------------------


@pytest.mark.parametrize(("gap", "ok"), [(119.5, True), (120.0, True), (120.5, False)])
def test_spacing_between_consecutive_hydrants(gap, ok):
    # given a 20 m road 300 m long, hydrants at 0 m, at `gap` and at 300 m (ends covered)
    layout = Layout(
        roads=(road("R1", [(0, 0), (300, 0)]),),
        hydrants=(hydrant("H1", 0, 12), hydrant("H2", gap, 12), hydrant("H3", 300, -12)),
    )
    # when
    found = [v for v in check_layout(layout) if v.rule == "hydrant_spacing"]
    # then: the second gap (300 - gap) is < 120 only when gap > 180, so it always fails unless we fill it
    gaps = [round(v.measured, 1) for v in found]
    assert (gap in gaps) is (not ok)
    assert round(300 - gap, 1) in gaps  # the other stretch is > 120 in every case


@pytest.mark.parametrize(("gap", "ok"), [(119.5, True), (120.5, False)])
def test_spacing_measured_along_a_bent_road(gap, ok):
    # given an L-shaped road: 60 m east then north; hydrants at chainage 0 and `gap` (straight line is shorter)
    layout = Layout(
        roads=(road("R1", [(0, 0), (60, 0), (60, 200)]),),
        hydrants=(hydrant("H1", 0, 5), hydrant("H2", 65, gap - 60), hydrant("H3", 55, 200)),
    )
    found = [v for v in check_layout(layout) if v.rule == "hydrant_spacing"]
    assert any(abs(v.measured - gap) < 0.2 for v in found) is (not ok)


@pytest.mark.parametrize(("offset", "serves"), [(14.5, True), (15.5, False)])
def test_hydrant_serves_a_road_within_half_width_plus_5m(offset, serves):
    # given a 20 m road (serving reach 15 m) 200 m long with hydrants at both ends and one mid-road at `offset`
    layout = Layout(
        roads=(road("R1", [(0, 0), (200, 0)]),),
        hydrants=(hydrant("H1", 0, 10), hydrant("H2", 100, offset), hydrant("H3", 200, 10)),
    )
    found = [v for v in check_layout(layout) if v.rule == "hydrant_spacing"]
    assert (found == []) is serves


@pytest.mark.parametrize(("end", "ok"), [(119.5, True), (120.5, False)])
def test_road_end_stretch(end, ok):
    layout = Layout(roads=(road("R1", [(0, 0), (end, 0)]),), hydrants=(hydrant("H1", 0, 8),))
    assert (rules_of(check_layout(layout)) == []) is ok


def test_long_road_without_hydrants_fails_and_says_how_many_to_add():
    layout = Layout(roads=(road("R1", [(0, 0), (500, 0)]),))
    (violation,) = check_layout(layout)
    assert violation.rule == "hydrant_spacing"
    assert "沿线无消火栓" in violation.detail
    assert violation.geometry["type"] == "LineString"


# --- rule 2: both sides of wide roads ----------------------------------------------------------------------


@pytest.mark.parametrize(("width", "checked"), [(59.5, False), (60.0, True)])
def test_wide_road_needs_both_sides(width, checked):
    # given hydrants only on the north side, every 100 m
    hydrants = tuple(hydrant(f"H{i}", 100 * i, 25) for i in range(4))
    layout = Layout(roads=(road("R1", [(0, 0), (300, 0)], width=width),), hydrants=hydrants)
    found = rules_of(check_layout(layout))
    assert (("both_sides", "R1") in found) is checked


def test_wide_road_spacing_is_checked_per_side():
    # given a 60 m road with both sides served, the south side at 130 m spacing
    north = tuple(hydrant(f"N{i}", 100 * i, 30) for i in range(4))
    south = (hydrant("S0", 0, -30), hydrant("S1", 130, -30), hydrant("S2", 260, -30), hydrant("S3", 300, -30))
    layout = Layout(roads=(road("R1", [(0, 0), (300, 0)], width=60),), hydrants=north + south)
    found = check_layout(layout)
    assert {v.rule for v in found} == {"hydrant_spacing"}
    assert all("南侧" in v.detail for v in found)
    assert [round(v.measured) for v in found] == [130, 130]


@pytest.mark.parametrize(("offset", "serves"), [(34.5, True), (35.5, False)])
def test_wide_road_reach(offset, serves):
    # 60 m road: serving reach 35 m
    north = tuple(hydrant(f"N{i}", 100 * i, offset) for i in range(4))
    south = tuple(hydrant(f"S{i}", 100 * i, -20) for i in range(4))
    layout = Layout(roads=(road("R1", [(0, 0), (300, 0)], width=60),), hydrants=north + south)
    assert (rules_of(check_layout(layout)) == []) is serves


# --- rule 3: coverage of plots ----------------------------------------------------------------------------


@pytest.mark.parametrize(("side", "ok"), [(149.5, True), (150.5, False)])
def test_plot_corner_just_inside_and_outside(side, ok):
    # given a square plot with a hydrant at one corner: the far corner is side·√2 away — use a strip instead
    layout = Layout(
        plots=(plot("P1", [(0, 0), (side, 0), (side, 1), (0, 1), (0, 0)]),),
        hydrants=(hydrant("H1", 0, 0.5),),
    )
    found = check_layout(layout)
    assert (found == []) is ok
    if not ok:
        assert found[0].rule == "hydrant_coverage"
        assert found[0].measured == pytest.approx((side**2 + 0.25) ** 0.5, abs=0.05)
        assert found[0].geometry["type"] in {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize(("half", "ok"), [(149.5, True), (150.5, False)])
def test_farthest_point_between_two_hydrants_is_found(half, ok):
    # given a 600 m long strip with hydrants at 150 m and 450 m: the farthest points are the middle and ends
    # then moving them apart by 2·(half-150) puts the midpoint just inside/outside
    a, b = 300 - half, 300 + half
    layout = Layout(
        plots=(plot("P1", [(0, -1), (600, -1), (600, 1), (0, 1), (0, -1)]),),
        hydrants=(hydrant("H1", a, 0), hydrant("H2", b, 0), hydrant("H3", 0, 0), hydrant("H4", 600, 0)),
    )
    found = check_layout(layout)
    assert (found == []) is ok


def test_plot_without_any_hydrant():
    layout = Layout(plots=(plot("P1", [(0, 0), (10, 0), (10, 10), (0, 0)]),))
    assert rules_of(check_layout(layout)) == [("hydrant_coverage", "P1")]


# --- rule 4: pool capacity --------------------------------------------------------------------------------


def test_required_volume_formula():
    assert required_pool_volume_m3(50) == pytest.approx(1080.0)


@pytest.mark.parametrize(("volume", "ok"), [(1079.5, False), (1080.0, True), (1080.5, True)])
def test_pool_holds_six_hours_of_the_largest_zone(volume, ok):
    layout = Layout(
        pools=(FirePool("W1", volume),),
        zones=(FireZone("Z1", 30.0), FireZone("Z2", 50.0)),
    )
    found = check_layout(layout)
    assert (found == []) is ok
    if not ok:
        assert "1080" in found[0].detail


# --- GeoJSON input ----------------------------------------------------------------------------------------


def test_geojson_layout_and_errors():
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "R1", "kind": "road", "width_m": 20},
                "geometry": {"type": "LineString", "coordinates": [list(ll(0, 0)), list(ll(300, 0))]},
            },
            {
                "type": "Feature",
                "properties": {"id": "H1", "kind": "hydrant"},
                "geometry": {"type": "Point", "coordinates": list(ll(0, 10))},
            },
            {
                "type": "Feature",
                "properties": {"id": "W1", "kind": "fire_pool", "volume_m3": 500},
                "geometry": None,
            },
            {
                "type": "Feature",
                "properties": {"id": "Z1", "kind": "fire_zone", "design_flow_lps": 45},
                "geometry": None,
            },
            {"type": "Feature", "properties": {"id": "X", "kind": "road"}, "geometry": None},
        ],
    }
    layout, errors = layout_from_geojson(json.loads(json.dumps(fc)))
    assert errors == ["要素 X：缺少或无效的 width_m"]
    assert [r.id for r in layout.roads] == ["R1"]
    found = check_layout(layout)
    assert {v.rule for v in found} == {"hydrant_spacing", "pool_capacity"}
    assert layout_from_geojson({"type": "Feature"})[1] == ["文件不是 GeoJSON FeatureCollection"]
