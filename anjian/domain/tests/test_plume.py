"""Tests for anjian.domain.plume, against the worked example of Boubel, Fox, Turner & Stern.

*Fundamentals of Air Pollution*, 3rd ed. (Academic Press, 1994), §19.III.D "Example of a Dispersion
Calculation", pp. 303–305: a source releases 0.37 g/s at an effective height of 40 m, wind 2 m/s, Pasquill
class B. The book tabulates, at x = 0.26 / 0.28 / 0.30 km: σz = 26.2 / 28.2 / 30.1 m, σy = 45.9 / 49.0 /
52.2 m and the ground-level centreline concentration χ = 1.53 / 1.56 / 1.55 × 10⁻⁵ g/m³ (σy from its
Table 19-4, σz from Table 19-5 — the ISC3 fits this module implements).
"""

from __future__ import annotations

import math

import pytest

from anjian.domain.plume import (
    Insolation,
    centreline_concentration,
    concentration,
    footprint,
    sigma_y,
    sigma_z,
    stability_class,
)

BOOK = [(260.0, 26.2, 45.9, 1.53e-5), (280.0, 28.2, 49.0, 1.56e-5), (300.0, 30.1, 52.2, 1.55e-5)]


@pytest.mark.parametrize(("x", "sz", "sy", "chi"), BOOK)
def test_published_worked_example(x, sz, sy, chi):
    assert sigma_z("B", x) == pytest.approx(sz, abs=0.1)
    assert sigma_y("B", x) == pytest.approx(sy, abs=0.1)
    assert centreline_concentration(0.37, 2.0, 40.0, "B", x) == pytest.approx(chi, abs=0.006e-5)


def test_book_maximum_is_near_280_m():
    xs = [250 + 5 * i for i in range(13)]
    best = max(xs, key=lambda x: centreline_concentration(0.37, 2.0, 40.0, "B", x))
    assert 270 <= best <= 290


def test_crosswind_profile_is_gaussian():
    c0 = concentration(10, 3, 0, "D", 500, 0)
    sy = sigma_y("D", 500)
    assert concentration(10, 3, 0, "D", 500, sy) == pytest.approx(c0 * math.exp(-0.5))
    assert concentration(10, 3, 0, "D", -5, 0) == 0.0


@pytest.mark.parametrize(
    ("wind", "daytime", "insolation", "cloud", "expected"),
    [
        (1.5, True, Insolation.STRONG, 0, "A"),
        (2.0, True, Insolation.STRONG, 0, "A-B"),
        (2.5, True, Insolation.MODERATE, 0, "B"),
        (4.0, True, Insolation.MODERATE, 0, "B-C"),
        (5.5, True, Insolation.SLIGHT, 0, "D"),
        (7.0, True, Insolation.STRONG, 0, "C"),
        (2.5, False, Insolation.MODERATE, 5, "E"),
        (2.5, False, Insolation.MODERATE, 2, "F"),
        (4.0, False, Insolation.MODERATE, 2, "E"),
        (1.0, False, Insolation.MODERATE, 0, "F"),
        (1.0, True, Insolation.STRONG, 8, "D"),
    ],
)
def test_turner_stability_key(wind, daytime, insolation, cloud, expected):
    assert stability_class(wind, daytime=daytime, insolation=insolation, cloud_oktas=cloud) == expected


def test_intermediate_class_averages_sigma():
    assert sigma_y("A-B", 1000) == pytest.approx((sigma_y("A", 1000) + sigma_y("B", 1000)) / 2)


def test_footprint_edges_are_where_the_concentration_equals_the_level():
    # given 1 kg/s of chlorine-like gas at ground level, class D, 3 m/s; IDLH-like 30 mg/m³ and 3 mg/m³
    fp = footprint(1000.0, 3.0, 0.0, "D", [("IDLH", 30.0), ("防护", 3.0)])
    idlh, protect = fp.zones
    # then the outer zone reaches farther and is wider than the inner one
    assert protect.reach_m > idlh.reach_m > 0
    assert protect.max_half_width_m > idlh.max_half_width_m
    assert protect.area_m2() > idlh.area_m2()
    # and the far edge is where the centreline equals the level
    assert centreline_concentration(1000.0, 3.0, 0.0, "D", idlh.reach_m) * 1000 == pytest.approx(
        30.0, rel=1e-6
    )
    # and every ring point's concentration is the level (within the sampling of the edge)
    for x, y in idlh.rings[0][5:-5:7]:
        if x > 1:
            assert concentration(1000.0, 3.0, 0.0, "D", x, y) * 1000 == pytest.approx(30.0, rel=1e-3)


def test_elevated_source_starts_downwind():
    fp = footprint(0.37, 2.0, 40.0, "B", [("低", 0.01)])
    (zone,) = fp.zones
    assert 100 < zone.start_m < 280 < zone.reach_m
    assert fp.peak_at_m == pytest.approx(280, abs=15)


def test_level_never_reached():
    fp = footprint(0.37, 2.0, 40.0, "B", [("高", 100.0)])
    assert not fp.zones[0].reached
    assert fp.zones[0].area_m2() == 0


def test_rotation_puts_the_plume_downwind():
    fp = footprint(100.0, 3.0, 0.0, "D", [("L", 10.0)])
    # wind from the north blows south: every point has north ≤ 0
    (rings,) = fp.rotated(0.0)
    assert all(n <= 1e-6 for ring in rings for _e, n in ring)
    (rings,) = fp.rotated(270.0)  # from the west, towards the east
    assert all(e >= -1e-6 for ring in rings for e, _n in ring)


@pytest.mark.parametrize(
    ("args", "message"), [((0, 3, 0), "泄漏速率"), ((1, 0.5, 0), "静风"), ((1, 3, -1), "泄漏高度")]
)
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        footprint(*args, "D", [("L", 1.0)])
    with pytest.raises(ValueError, match="稳定度"):
        sigma_y("G", 100)
