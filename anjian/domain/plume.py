"""Consequence footprint of a continuous toxic or flammable release: the Gaussian plume.

Pure Python (no Django). The plan's chapter 六 asks for 先期响应 on a map; this module gives the downwind
areas where the ground-level concentration reaches two levels (e.g. IDLH and a lower protective level).

Model (Turner, *Workbook of Atmospheric Dispersion Estimates*, 1970; Boubel, Fox, Turner & Stern,
*Fundamentals of Air Pollution*, 3rd ed., 1994, §19.III, Eq. 19-2): a continuous point source of strength
Q (g/s) at effective height H (m), wind speed u (m/s), ground reflection, no mixing-height limit. At ground
level (z = 0), x downwind and y crosswind::

    C(x, y, 0) = Q / (π σy σz u) · exp(−y² / 2σy²) · exp(−H² / 2σz²)          [g/m³]

Dispersion parameters σy(x), σz(x): the Pasquill–Gifford curves in the closed forms of the EPA ISC3 model
(User's Guide vol. II, EPA-454/B-95-003b, Tables 1-1 and 1-2; reproduced as Tables 19-4 and 19-5 of
Boubel et al.): σy = 465.11628 · x · tan(T), T = 0.017453293 · (c − d · ln x) with x in km; σz = a · x^b
with (a, b) by distance range, capped at 5000 m. Intermediate classes (A–B, B–C, C–D) take the mean of the
two classes' σ, as Turner's workbook advises.

Stability class from the surface (10 m) wind speed and insolation by day or cloud cover by night (Turner
1970, Table 1, after Pasquill 1961): ::

    wind (m/s)   day: strong  moderate  slight   night: ≥4/8 low cloud  ≤3/8 cloud
    < 2               A       A–B       B               F*                F*
    2 – < 3           A–B     B         C               E                 F
    3 – < 5           B       B–C       C               D                 E
    5 – < 6           C       C–D       D               D                 D
    ≥ 6               C       D         D               D                 D
    overcast (8/8), day or night: D.      * blank in Turner's table; F taken here (the stable case).

Checked against the worked example of Boubel et al. §19.III.D (Q = 0.37 g/s, H = 40 m, u = 2 m/s, class B:
at x = 0.28 km σy = 49.0 m, σz = 28.2 m, χ = 1.56 × 10⁻⁵ g/m³), see ``tests/test_plume.py``.

Limits (:data:`LIMITS`, shown on the page): a screening estimate, not a prediction.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CLASSES",
    "LIMITS",
    "Footprint",
    "Insolation",
    "Zone",
    "centreline_concentration",
    "concentration",
    "footprint",
    "sigma_y",
    "sigma_z",
    "stability_class",
]

CLASSES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")

LIMITS: tuple[str, ...] = (
    "高斯烟羽模型适用于连续、稳定的点源泄漏，气体密度接近空气；液氯、液化烃等重气在近场会贴地扩散，本模型会低估其范围。",
    "假定地形平坦开阔、风速风向在扩散期间不变；建筑物尾流、山谷、静风（风速低于1米/秒）时不适用。",
    "扩散参数（Pasquill–Gifford 曲线）基于100米至10千米的实测，更近或更远处仅为外推。",
    "浓度为约10分钟平均值，瞬时峰值更高；未计化学反应、沉降和混合层顶反射。",
    "结果用于先期响应的初步划定，应以现场检测和专业模型复核。",
)

# ISC3 Table 1-1: T = c − d·ln(x km), degrees.
_SIGMA_Y: dict[str, tuple[float, float]] = {
    "A": (24.1670, 2.5334),
    "B": (18.3330, 1.8096),
    "C": (12.5000, 1.0857),
    "D": (8.3330, 0.72382),
    "E": (6.2500, 0.54287),
    "F": (4.1667, 0.36191),
}

# ISC3 Table 1-2: (upper bound of x in km, a, b); σz = a·x^b, capped at 5000 m.
_INF = math.inf
_SIGMA_Z: dict[str, tuple[tuple[float, float, float], ...]] = {
    "A": (
        (0.10, 122.800, 0.94470),
        (0.15, 158.080, 1.05420),
        (0.20, 170.220, 1.09320),
        (0.25, 179.520, 1.12620),
        (0.30, 217.410, 1.26440),
        (0.40, 258.890, 1.40940),
        (0.50, 346.750, 1.72830),
        (3.11, 453.850, 2.11660),
        (_INF, 0.0, 0.0),  # > 3.11 km: 5000 m
    ),
    "B": ((0.20, 90.673, 0.93198), (0.40, 98.483, 0.98332), (_INF, 109.300, 1.09710)),
    "C": ((_INF, 61.141, 0.91465),),
    "D": (
        (0.30, 34.459, 0.86974),
        (1.00, 32.093, 0.81066),
        (3.00, 32.093, 0.64403),
        (10.0, 33.504, 0.60486),
        (30.0, 36.650, 0.56589),
        (_INF, 44.053, 0.51179),
    ),
    "E": (
        (0.10, 24.260, 0.83660),
        (0.30, 23.331, 0.81956),
        (1.00, 21.628, 0.75660),
        (2.00, 21.628, 0.63077),
        (4.00, 22.534, 0.57154),
        (10.0, 24.703, 0.50527),
        (20.0, 26.970, 0.46713),
        (40.0, 35.420, 0.37615),
        (_INF, 47.618, 0.29592),
    ),
    "F": (
        (0.20, 15.209, 0.81558),
        (0.70, 14.457, 0.78407),
        (1.00, 13.953, 0.68465),
        (2.00, 13.953, 0.63227),
        (3.00, 14.823, 0.54503),
        (7.00, 16.187, 0.46490),
        (15.0, 17.836, 0.41507),
        (30.0, 22.651, 0.32681),
        (60.0, 27.074, 0.27436),
        (_INF, 34.219, 0.21716),
    ),
}
_SIGMA_Z_CAP = 5000.0


class Insolation(StrEnum):
    """Incoming solar radiation by day (Turner 1970, Table 1)."""

    STRONG = "strong"
    MODERATE = "moderate"
    SLIGHT = "slight"


INSOLATION_LABELS = {Insolation.STRONG: "强", Insolation.MODERATE: "中等", Insolation.SLIGHT: "弱"}

_DAY: tuple[tuple[float, tuple[str, str, str]], ...] = (
    (2.0, ("A", "A-B", "B")),
    (3.0, ("A-B", "B", "C")),
    (5.0, ("B", "B-C", "C")),
    (6.0, ("C", "C-D", "D")),
    (_INF, ("C", "D", "D")),
)
# (upper wind bound, (≥4/8 low cloud or thinly overcast, ≤3/8 cloud))
_NIGHT: tuple[tuple[float, tuple[str, str]], ...] = (
    (2.0, ("F", "F")),
    (3.0, ("E", "F")),
    (5.0, ("D", "E")),
    (6.0, ("D", "D")),
    (_INF, ("D", "D")),
)


def stability_class(
    wind_speed_ms: float,
    *,
    daytime: bool,
    insolation: Insolation | str = Insolation.MODERATE,
    cloud_oktas: int = 0,
) -> str:
    """Pasquill stability class ("A" … "F", or an intermediate "A-B", "B-C", "C-D") by Turner's key.

    Day: by ``insolation``; night: by ``cloud_oktas`` (eighths of sky; ≥ 4 counts as cloudy). Overcast
    (8/8) gives D by day or night.
    """
    if wind_speed_ms < 0 or not math.isfinite(wind_speed_ms):
        raise ValueError("风速须为非负数")
    if not 0 <= cloud_oktas <= 8:
        raise ValueError("云量须为0至8成")
    if cloud_oktas == 8:
        return "D"
    if daytime:
        column = list(Insolation).index(Insolation(insolation))
        return next(row[column] for bound, row in _DAY if wind_speed_ms < bound)
    column = 0 if cloud_oktas >= 4 else 1
    return next(row[column] for bound, row in _NIGHT if wind_speed_ms < bound)


def _classes(stability: str) -> tuple[str, ...]:
    parts = tuple(stability.upper().replace("–", "-").split("-"))
    if not parts or any(p not in CLASSES for p in parts) or len(parts) > 2:
        raise ValueError(f"未知的大气稳定度等级：{stability}")
    return parts


def _sigma_y_one(cls: str, x_m: float) -> float:
    c, d = _SIGMA_Y[cls]
    x_km = x_m / 1000.0
    theta = 0.017453293 * (c - d * math.log(x_km))
    return 465.11628 * x_km * math.tan(theta)


def _sigma_z_one(cls: str, x_m: float) -> float:
    x_km = x_m / 1000.0
    for upper, a, b in _SIGMA_Z[cls]:
        if x_km < upper or upper == _INF:
            if a == 0.0:
                return _SIGMA_Z_CAP
            return min(_SIGMA_Z_CAP, a * math.pow(x_km, b))
    raise AssertionError("unreachable")


def sigma_y(stability: str, x_m: float) -> float:
    """Crosswind σy (m) at ``x_m`` metres downwind (mean of both classes for an intermediate class)."""
    if x_m <= 0:
        raise ValueError("下风向距离须大于0")
    values = [_sigma_y_one(c, x_m) for c in _classes(stability)]
    return sum(values) / len(values)


def sigma_z(stability: str, x_m: float) -> float:
    """Vertical σz (m) at ``x_m`` metres downwind."""
    if x_m <= 0:
        raise ValueError("下风向距离须大于0")
    values = [_sigma_z_one(c, x_m) for c in _classes(stability)]
    return sum(values) / len(values)


def _check(q_gs: float, u_ms: float, h_m: float) -> None:
    if not (math.isfinite(q_gs) and q_gs > 0):
        raise ValueError("泄漏速率须大于0（克/秒）")
    if not (math.isfinite(u_ms) and u_ms >= 1.0):
        raise ValueError("风速低于1米/秒（静风）时高斯烟羽模型不适用")
    if not (math.isfinite(h_m) and h_m >= 0):
        raise ValueError("泄漏高度须为非负数（米）")


def concentration(
    q_gs: float, u_ms: float, h_m: float, stability: str, x_m: float, y_m: float = 0.0
) -> float:
    """Ground-level concentration (g/m³) at ``x_m`` downwind, ``y_m`` crosswind; 0 upwind."""
    _check(q_gs, u_ms, h_m)
    if x_m <= 0:
        return 0.0
    sy = sigma_y(stability, x_m)
    sz = sigma_z(stability, x_m)
    return (
        q_gs
        / (math.pi * sy * sz * u_ms)
        * math.exp(-(y_m**2) / (2 * sy**2))
        * math.exp(-(h_m**2) / (2 * sz**2))
    )


def centreline_concentration(q_gs: float, u_ms: float, h_m: float, stability: str, x_m: float) -> float:
    """Ground-level centreline concentration (g/m³)."""
    return concentration(q_gs, u_ms, h_m, stability, x_m, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Footprint
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Zone:
    """The ground area where the concentration reaches ``threshold_mg_m3``, in plume coordinates (m)."""

    label: str
    threshold_mg_m3: float
    #: closed rings of (x downwind, y crosswind) points, one per stretch of x where the level is reached
    rings: tuple[tuple[tuple[float, float], ...], ...]
    start_m: float  # nearest downwind distance reaching the level (0 when none)
    reach_m: float  # farthest downwind distance reaching the level (0 when none)
    max_half_width_m: float

    @property
    def reached(self) -> bool:
        return bool(self.rings)

    def area_m2(self) -> float:
        """The zone's area (shoelace over its rings)."""
        total = 0.0
        for ring in self.rings:
            total += abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))) / 2
        return total


@dataclass(frozen=True)
class Footprint:
    stability: str
    q_gs: float
    u_ms: float
    h_m: float
    zones: tuple[Zone, ...]
    peak_mg_m3: float
    peak_at_m: float

    def rotated(self, wind_from_deg: float) -> tuple[tuple[tuple[tuple[float, float], ...], ...], ...]:
        """Every zone's rings as (east, north) offsets in metres from the source, for a wind blowing *from*
        ``wind_from_deg`` (degrees clockwise from north, the meteorological convention)."""
        to = math.radians(wind_from_deg + 180.0)
        dx, dy = math.sin(to), math.cos(to)  # downwind unit vector (east, north)
        lx, ly = -dy, dx  # crosswind, to the left of downwind
        return tuple(
            tuple(tuple((x * dx + y * lx, x * dy + y * ly) for x, y in ring) for ring in zone.rings)
            for zone in self.zones
        )


def _distances(max_m: float) -> list[float]:
    """Sample distances from 1 m to ``max_m``, 200 per decade."""
    out: list[float] = []
    x = 1.0
    step = 10 ** (1 / 200)
    while x < max_m:
        out.append(x)
        x *= step
    out.append(max_m)
    return out


def _edge(q: float, u: float, h: float, stab: str, t_gm3: float, lo: float, hi: float) -> float:
    """Bisection: the distance between ``lo`` and ``hi`` where the centreline crosses ``t_gm3``."""
    inside_lo = centreline_concentration(q, u, h, stab, lo) >= t_gm3
    for _ in range(50):
        mid = (lo + hi) / 2
        if (centreline_concentration(q, u, h, stab, mid) >= t_gm3) == inside_lo:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def footprint(
    q_gs: float,
    u_ms: float,
    h_m: float,
    stability: str,
    levels: Sequence[tuple[str, float]],
    *,
    max_distance_m: float = 20_000.0,
    points_per_side: int = 60,
) -> Footprint:
    """The downwind areas above each of ``levels`` ((label, mg/m³), e.g. IDLH and a protective level)."""
    _check(q_gs, u_ms, h_m)
    _classes(stability)
    xs = _distances(max_distance_m)
    cs = [centreline_concentration(q_gs, u_ms, h_m, stability, x) for x in xs]
    peak = max(range(len(xs)), key=lambda i: cs[i])
    zones: list[Zone] = []
    for label, level in levels:
        if not (math.isfinite(level) and level > 0):
            raise ValueError("浓度阈值须大于0（毫克/立方米）")
        t = level / 1000.0  # mg/m³ → g/m³
        stretches: list[tuple[float, float]] = []
        start: float | None = None
        for i, (x, c) in enumerate(zip(xs, cs, strict=True)):
            inside = c >= t
            if inside and start is None:
                start = xs[0] if i == 0 else _edge(q_gs, u_ms, h_m, stability, t, xs[i - 1], x)
            if not inside and start is not None:
                stretches.append((start, _edge(q_gs, u_ms, h_m, stability, t, xs[i - 1], x)))
                start = None
        if start is not None:
            stretches.append((start, xs[-1]))
        rings: list[tuple[tuple[float, float], ...]] = []
        widest = 0.0
        for a, b in stretches:
            upper: list[tuple[float, float]] = []
            n = max(2, points_per_side)
            for k in range(n + 1):
                # denser near both ends, where the edge curves most
                x = a + (b - a) * (1 - math.cos(math.pi * k / n)) / 2
                c = centreline_concentration(q_gs, u_ms, h_m, stability, x)
                half = sigma_y(stability, x) * math.sqrt(2 * math.log(c / t)) if c > t else 0.0
                widest = max(widest, half)
                upper.append((x, half))
            lower = [(x, -y) for x, y in reversed(upper[1:-1])]
            ring = tuple(upper + lower + [upper[0]])
            rings.append(ring)
        zones.append(
            Zone(
                label=label,
                threshold_mg_m3=level,
                rings=tuple(rings),
                start_m=stretches[0][0] if stretches else 0.0,
                reach_m=stretches[-1][1] if stretches else 0.0,
                max_half_width_m=widest,
            )
        )
    return Footprint(
        stability=stability,
        q_gs=q_gs,
        u_ms=u_ms,
        h_m=h_m,
        zones=tuple(zones),
        peak_mg_m3=cs[peak] * 1000.0,
        peak_at_m=xs[peak],
    )
