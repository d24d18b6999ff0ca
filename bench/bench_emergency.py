"""How long the emergency and fire rules take (pure domain, no database): the plan's four fire rules on a
park-sized layout, a two-level plume footprint, and accident grading."""

from __future__ import annotations

import statistics
import time

from anjian.domain.accident_grade import grade_accident
from anjian.domain.fire_rules import FirePool, FireZone, Hydrant, Layout, Plot, Road, check_layout
from anjian.domain.gauss_kruger import to_lonlat
from anjian.domain.plume import footprint


def _ll(x: float, y: float) -> tuple[float, float]:
    return to_lonlat(500_000 + x, 4_200_000 + y, 105)


def park_layout() -> Layout:
    """A 4 km × 3 km park: 8 roads with hydrants every 115 m, 40 plots with their own hydrants, 4 pools."""
    roads, hydrants, plots = [], [], []
    n = 0
    for i in range(4):
        y = 500 + 700 * i
        roads.append(Road(f"EW{i}", (_ll(0, y), _ll(4000, y)), 60 if i == 1 else 20))
        for k in range(36):
            n += 1
            hydrants.append(Hydrant(f"H{n}", *_ll(min(k * 115, 4000), y + 12)))
            if i == 1:
                n += 1
                hydrants.append(Hydrant(f"H{n}", *_ll(min(k * 115, 4000), y - 32)))
    for j in range(4):
        x = 400 + 1000 * j
        roads.append(Road(f"NS{j}", (_ll(x, 0), _ll(x, 3000)), 24))
        for k in range(27):
            n += 1
            hydrants.append(Hydrant(f"H{n}", *_ll(x + 14, min(k * 115, 3000))))
    for p in range(40):
        x0, y0 = 100 + (p % 8) * 480, 100 + (p // 8) * 560
        plots.append(
            Plot(
                f"P{p}",
                (_ll(x0, y0), _ll(x0 + 350, y0), _ll(x0 + 350, y0 + 300), _ll(x0, y0 + 300), _ll(x0, y0)),
            )
        )
        for gx in (90, 260):
            for gy in (75, 225):
                n += 1
                hydrants.append(Hydrant(f"H{n}", *_ll(x0 + gx, y0 + gy)))
    pools = tuple(FirePool(f"W{i}", 1500 + 200 * i) for i in range(4))
    zones = (FireZone("Z1", 75), FireZone("Z2", 45))
    return Layout(tuple(roads), tuple(hydrants), tuple(plots), pools, zones)


def _time(func: object, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return times


def run(repeat: int = 5) -> dict[str, object]:
    layout = park_layout()
    check_layout(layout)  # warm the projection
    fire = _time(lambda: check_layout(layout), repeat)
    plume = _time(lambda: footprint(1000, 3, 0, "D", [("IDLH", 210), ("AEGL-2", 77)]), repeat)
    grade = _time(lambda: [grade_accident(d, 0, 0) for d in range(1000)], repeat)
    return {
        "summary": {
            "fire_check_median_ms": round(statistics.median(fire) * 1000, 1),
            "fire_layout": f"{len(layout.roads)} roads, {len(layout.hydrants)} hydrants, {len(layout.plots)} plots",
            "plume_two_levels_median_ms": round(statistics.median(plume) * 1000, 1),
            "grade_1000_median_ms": round(statistics.median(grade) * 1000, 1),
        },
        "samples_ms": {
            "fire": [round(t * 1000, 1) for t in fire],
            "plume": [round(t * 1000, 1) for t in plume],
        },
    }
