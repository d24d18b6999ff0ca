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

__all__ = ["Nearby", "nearest_resources", "open_improvements", "overdue_reports", "overdue_reviews"]

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
