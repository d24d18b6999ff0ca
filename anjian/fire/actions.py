"""Every change to the fire layers: inspections of facilities, and the GeoJSON import's saves.

Facilities, roads and fire zones edited one at a time go through core's generic audited writes (the API's
``AuditedModelViewSet``, the admin); an inspection is this app's own writer (``WRITERS``) because it also
carries a hydrant's measured pressure and damage onto the hydrant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from anjian.core.actions import Writer, do_create, do_update
from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.fire.choices import FacilityStatus, FireEvent
from anjian.fire.models import Hydrant, Inspection

__all__ = ["WRITERS", "do_record_inspection", "do_save_layers"]


@transaction.atomic
def do_record_inspection(
    inspection: Inspection,
    *,
    acting_user: Any,
    reason: str = "",
    event: AuditEvent | int | None = None,
    **options: Any,
) -> Inspection:
    """Record an inspection (one INSPECTION_RECORDED row); a hydrant's measured pressure and damage are
    carried onto the hydrant (one FACILITY_CHANGED row when that changes it)."""
    options.pop("before", None)
    inspection = do_create(
        inspection,
        acting_user=acting_user,
        reason=reason,
        event=event or FireEvent.INSPECTION_RECORDED,
        **options,
    )
    if inspection.hydrant_id is not None and inspection.pressure_mpa is not None:
        hydrant = Hydrant.objects.get(pk=inspection.hydrant_id)
        changes: dict[str, Any] = {"pressure_mpa": inspection.pressure_mpa}
        if inspection.result == "damaged":
            changes["status"] = FacilityStatus.DAMAGED
        do_update(
            hydrant, changes, acting_user=acting_user, event=FireEvent.FACILITY_CHANGED, reason="检查记录"
        )
    return inspection


@transaction.atomic
def do_save_layers(pending: Iterable[tuple[Any, bool]], *, acting_user: Any) -> tuple[int, int]:
    """Save the validated features of a GeoJSON import (``(object, is_new)``); one LAYERS_IMPORTED row per
    created or changed object. Returns (created, updated)."""
    created = updated = 0
    for obj, is_new in pending:
        before = None if is_new else snapshot(type(obj).objects.select_for_update().get(pk=obj.pk))
        obj.save()
        after = snapshot(obj)
        if before != after:
            record(
                FireEvent.LAYERS_IMPORTED,
                obj,
                acting_user=acting_user,
                before=before,
                after=after,
                reason="GeoJSON 导入",
            )
            created += is_new
            updated += not is_new
    return created, updated


#: Inspections are recorded through :func:`do_record_inspection` by the page, the API and the admin.
WRITERS: dict[type[models.Model], Writer] = {Inspection: Writer(create=do_record_inspection)}
