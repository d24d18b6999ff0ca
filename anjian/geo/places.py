"""Where a point is, in words: the park, functional zone, grid, nearest road (for the 一企一档 page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape

from anjian.core.access import restrict
from anjian.domain.geodesy import distance_m, projector_for
from anjian.enterprises.models import Enterprise
from anjian.geo.choices import AreaKind
from anjian.geo.models import Area, Road

__all__ = ["Neighbour", "Place", "describe", "neighbours"]


@dataclass(frozen=True)
class Place:
    """The named areas holding a point and the nearest road."""

    areas: list[Area]
    road: Road | None
    road_distance_m: float | None

    @property
    def summary(self) -> str:
        """E.g. ``腾格里技术产业园区 · 西部精细化工生产区 · 园区北区网格 · 距经二路 120 米``."""
        order: dict[str, int] = {"park": 0, "town": 1, "functional": 2, "grid": 3}
        names = [a.name for a in sorted(self.areas, key=lambda a: order.get(str(a.kind), 9))]
        if self.road is not None and self.road_distance_m is not None:
            names.append(f"距{self.road.name} {self.road_distance_m:,.0f} 米")
        return " · ".join(names)


def describe(lon: Any, lat: Any) -> Place:
    """The park, town, functional zone and grid areas holding ``lon``/``lat``, and the nearest road."""
    here = Point(float(lon), float(lat))
    kinds = (AreaKind.PARK, AreaKind.FUNCTIONAL, AreaKind.GRID)
    areas = [a for a in Area.objects.filter(kind__in=kinds) if shape(a.geometry).contains(here)]
    p = projector_for(float(lon))
    metric_here = p.project(here)
    best: tuple[float, Road] | None = None
    for road in Road.objects.all():
        d = float(p.project(shape(road.geometry)).distance(metric_here))
        if best is None or d < best[0]:
            best = (d, road)
    return Place(areas, best[1] if best else None, best[0] if best else None)


@dataclass(frozen=True)
class Neighbour:
    """Another enterprise near this one."""

    enterprise: Enterprise
    distance_m: float


def neighbours(enterprise: Enterprise, user: Any, radius_m: float = 1000.0) -> list[Neighbour]:
    """Enterprises the user may see within ``radius_m`` of ``enterprise``, nearest first."""
    if enterprise.lon is None or enterprise.lat is None:
        return []
    lon, lat = float(enterprise.lon), float(enterprise.lat)
    # ~0.012° of latitude and ~0.015° of longitude hold 1 km here: a cheap box first, then exact metres.
    dlat = radius_m / 111_000 * 1.1
    dlon = dlat * 1.3
    qs = (
        restrict(Enterprise.objects.all(), user)
        .exclude(pk=enterprise.pk)
        .filter(lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat)
    )
    out = []
    for other in qs:
        d = distance_m((lon, lat), (float(other.lon), float(other.lat)))  # type: ignore[arg-type]
        if d <= radius_m:
            out.append(Neighbour(other, d))
    return sorted(out, key=lambda n: n.distance_m)
