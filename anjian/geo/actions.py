"""The only code that writes the zone's geography: create, change and delete areas and roads, import GeoJSON.

Each action is atomic, validates with ``full_clean`` (geometry in the zone, not self-intersecting…) and
writes exactly one audit row per changed object; an unchanged save writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.core.audit import record, snapshot
from anjian.core.errors import ValidationFailed
from anjian.geo.choices import GeoEvent
from anjian.geo.models import Area, Road

__all__ = ["do_delete_area", "do_delete_road", "do_save_area", "do_save_road", "invalidate_geo_caches"]


def invalidate_geo_caches() -> None:
    """Drop cached layers that read geography (now, and again on commit of every geography change)."""
    from anjian.geo import cache

    cache.bump_now_and_on_commit()


def _save(obj: Area | Road, created: int, changed: int, *, acting_user: Any, reason: str) -> Area | Road:
    before = None
    if obj.pk is not None:
        stored = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = snapshot(stored)
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(_("；").join(exc.messages), code="invalid_geometry") from exc
    after_preview = snapshot(obj)
    if before is not None and {k: v for k, v in before.items() if k != "updated_at"} == {
        k: v for k, v in after_preview.items() if k != "updated_at"
    }:
        return obj
    obj.save()
    record(
        changed if before is not None else created,
        obj,
        acting_user=acting_user,
        before=before,
        after=snapshot(obj),
        reason=reason,
    )
    invalidate_geo_caches()
    return obj


@transaction.atomic
def do_save_area(area: Area, *, acting_user: Any, reason: str = "") -> Area:
    """Create or change an area (boundary, town, grid area, functional zone, base land)."""
    result = _save(area, GeoEvent.AREA_CREATED, GeoEvent.AREA_CHANGED, acting_user=acting_user, reason=reason)
    assert isinstance(result, Area)
    return result


@transaction.atomic
def do_save_road(road: Road, *, acting_user: Any, reason: str = "") -> Road:
    """Create or change a road (centreline and width)."""
    result = _save(road, GeoEvent.ROAD_CREATED, GeoEvent.ROAD_CHANGED, acting_user=acting_user, reason=reason)
    assert isinstance(result, Road)
    return result


def _delete(obj: Area | Road, event: int, *, acting_user: Any, reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationFailed(_("删除须填写理由"), code="reason_required", field="reason")
    stored = type(obj).objects.select_for_update().get(pk=obj.pk)
    record(event, stored, acting_user=acting_user, before=snapshot(stored), reason=reason)
    stored.delete()
    invalidate_geo_caches()


@transaction.atomic
def do_delete_area(area: Area, *, acting_user: Any, reason: str) -> None:
    """Delete an area (with a reason)."""
    _delete(area, GeoEvent.AREA_DELETED, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_delete_road(road: Road, *, acting_user: Any, reason: str) -> None:
    """Delete a road (with a reason)."""
    _delete(road, GeoEvent.ROAD_DELETED, acting_user=acting_user, reason=reason)
