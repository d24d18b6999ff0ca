"""Read-only queries of the emergency app: nearest resources, overdue plan reviews, open clocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from pyproj import Geod

from anjian.core.access import restrict
from anjian.emergency.choices import OPEN_INCIDENT_STATES, ImprovementStatus
from anjian.emergency.models import EmergencyPlan, Improvement, Incident, Resource

__all__ = [
    "Exposure",
    "Nearby",
    "nearest_resources",
    "open_improvements",
    "overdue_reports",
    "overdue_reviews",
    "people_in_footprint",
    "station_wind",
]

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Nearby:
    resource: Resource
    distance_m: float

    def as_dict(self) -> dict[str, Any]:
        r = self.resource
        return {
            "id": r.pk,
            "name": r.name,
            "kind": r.kind,
            "kind_label": r.get_kind_display(),
            "quantity": str(r.quantity),
            "unit_label": r.unit_label,
            "contact": r.contact,
            "phone": r.phone,
            "owner": r.owner_name,
            "lon": float(r.lon) if r.lon is not None else None,
            "lat": float(r.lat) if r.lat is not None else None,
            "distance_m": round(self.distance_m),
        }


def nearest_resources(
    user: Any, lon: float, lat: float, *, kind: str | None = None, limit: int = 5
) -> list[Nearby]:
    """The resources ``user`` may see nearest to (lon, lat), by straight-line (road-free) geodesic distance
    on the WGS 84 ellipsoid, optionally of one ``kind``; resources without a location are left out."""
    qs: QuerySet[Resource] = restrict(Resource.objects.select_related("enterprise", "owner_unit"), user)
    qs = qs.filter(lon__isnull=False, lat__isnull=False, quantity__gt=0)
    if kind:
        qs = qs.filter(kind=kind)
    rows = list(qs)
    if not rows:
        return []
    lons = [float(r.lon) for r in rows]  # type: ignore[arg-type]
    lats = [float(r.lat) for r in rows]  # type: ignore[arg-type]
    _az, _baz, dist = _GEOD.inv([lon] * len(rows), [lat] * len(rows), lons, lats)
    ranked = sorted(zip(rows, dist, strict=True), key=lambda pair: (pair[1], pair[0].pk))
    return [Nearby(r, float(d)) for r, d in ranked[: max(1, limit)]]


def overdue_reviews(user: Any, today: dt.date | None = None) -> QuerySet[EmergencyPlan]:
    """Plans whose three-yearly review is past due."""
    today = today or timezone.localdate()
    return restrict(EmergencyPlan.objects.filter(review_due__lt=today), user)


def open_improvements(user: Any) -> QuerySet[Improvement]:
    return restrict(Improvement.objects.filter(status=ImprovementStatus.OPEN).select_related("drill"), user)


def overdue_reports(user: Any, now: dt.datetime | None = None) -> list[tuple[Incident, Any]]:
    """(incident, checklist item) for every report that is due and not made, among open incidents."""
    now = now or timezone.now()
    out = []
    qs = restrict(
        Incident.objects.filter(status__in=OPEN_INCIDENT_STATES).prefetch_related("revisions"), user
    )
    for incident in qs:
        for item in incident.checklist():
            if item.state(now) == "overdue":
                out.append((incident, item))
    return out


# ---------------------------------------------------------------------------------------------------------
# People inside a footprint (from the second gate's presence)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExposedZone:
    """A production area (second-gate zone) that a footprint level reaches, with who is inside now."""

    zone: Any
    headcount: int
    by_category: dict[str, int]


@dataclass(frozen=True)
class Exposure:
    """One concentration level of a footprint: the zones it reaches and the people inside them now."""

    label: str
    zones: list[ExposedZone]

    @property
    def total(self) -> int:
        return sum(z.headcount for z in self.zones)


def people_in_footprint(user: Any, result: dict[str, Any]) -> list[Exposure]:
    """Per level of a computed footprint (``Footprint.result``): the zones whose outline the level's area
    overlaps, with the people counted inside each (the gate's presence, scoped to what ``user`` may see).

    Presence is known per zone, not per position: everyone inside a zone the area touches is counted as
    exposed (a conservative count for 先期响应).
    """
    from django.db.models import Count
    from shapely.geometry import shape

    from anjian.gates.models import Presence, Zone

    levels = []
    for feat in (result.get("geojson") or {}).get("features", []):
        try:
            levels.append((str(feat["properties"]["name"]), shape(feat["geometry"])))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    if not levels:
        return []
    zones = []
    for z in restrict(
        Zone.objects.filter(is_active=True, outline_geojson__isnull=False), user
    ).select_related("enterprise"):
        try:
            zones.append((z, shape(z.outline_geojson)))
        except (TypeError, ValueError, AttributeError, KeyError):
            continue
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Presence.objects.filter(zone__in=[z.pk for z, _g in zones])
        .order_by()
        .values("zone_id", "category")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["zone_id"], {})[row["category"]] = row["n"]
    out = []
    for label, area in levels:
        hit = [
            ExposedZone(z, sum(counts.get(z.pk, {}).values()), counts.get(z.pk, {}))
            for z, outline in zones
            if area.intersects(outline)
        ]
        out.append(Exposure(label, sorted(hit, key=lambda e: (-e.headcount, e.zone.name))))
    return out


# ---------------------------------------------------------------------------------------------------------
# Wind from the zone's weather station (over the monitoring ingest)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationWind:
    """The newest wind of a station: ``usable`` when both readings are recent and plausible."""

    station: str
    speed_ms: float | None
    from_deg: float | None
    at: dt.datetime | None
    usable: bool
    note: str


#: A wind speed above this (m/s) is not a reading to model a release with (hurricane force is 32.7).
MAX_PLAUSIBLE_WIND = 60.0


def station_wind(now: dt.datetime | None = None) -> StationWind | None:
    """The wind of the first active weather station, or ``None`` when none is set up."""
    from anjian.emergency.models import WeatherStation
    from anjian.monitoring.ingest import last_readings

    station = WeatherStation.objects.filter(is_active=True).order_by("name", "id").first()
    if station is None:
        return None
    now = now or timezone.now()
    got = {
        pid: (ts, v)
        for pid, ts, v, _q in last_readings([station.wind_speed_point_id, station.wind_direction_point_id])
    }
    speed, direction = got.get(station.wind_speed_point_id), got.get(station.wind_direction_point_id)
    if speed is None or direction is None:
        return StationWind(
            station.name, None, None, None, False, f"{station.name}尚无风速、风向读数，请手工填写"
        )
    at = dt.datetime.fromtimestamp(min(speed[0], direction[0]) / 1000, tz=dt.UTC)
    if now - at > dt.timedelta(minutes=station.max_age_minutes):
        local = timezone.localtime(at)
        return StationWind(
            station.name, speed[1], direction[1] % 360, at, False,
            f"{station.name}最新读数为 {local:%m-%d %H:%M}，已超过 {station.max_age_minutes} 分钟，请手工填写",
        )  # fmt: skip
    if not 0 <= speed[1] <= MAX_PLAUSIBLE_WIND:
        return StationWind(
            station.name,
            speed[1],
            direction[1] % 360,
            at,
            False,
            f"{station.name}风速读数 {speed[1]} 不合理，请手工填写",
        )
    local = timezone.localtime(at)
    return StationWind(
        station.name, round(speed[1], 1), round(direction[1] % 360), at, True,
        f"风速、风向取自{station.name}（{local:%H:%M}），可修改",
    )  # fmt: skip
