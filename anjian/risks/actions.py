"""Every change to the risk register: saving the chain, assessing events (history kept), the zone's bands.

A unit's level is the highest of its events' levels, an object's the highest of its units' (issue 10);
both are recomputed by :func:`refresh_levels` inside the action that changed an event.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import restrict
from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.domain import risk_matrix
from anjian.risks.choices import LEVEL_RANK, AssessMethod, RiskEvents
from anjian.risks.models import (
    ControlMeasure,
    RiskAssessment,
    RiskBandSettings,
    RiskEvent,
    RiskObject,
    RiskUnit,
    current_bands,
)

__all__ = [
    "do_assess_event",
    "do_delete",
    "do_import_chain_row",
    "do_record_register_import",
    "do_save",
    "do_set_bands",
    "refresh_levels",
]

_SAVE_EVENTS = {
    RiskObject: RiskEvents.OBJECT_SAVED,
    RiskUnit: RiskEvents.UNIT_SAVED,
    RiskEvent: RiskEvents.EVENT_SAVED,
    ControlMeasure: RiskEvents.MEASURE_SAVED,
}


def _validated(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            raise ValidationFailed("；".join(messages), field=None if field == "__all__" else field) from exc
        raise ValidationFailed("；".join(exc.messages)) from exc


def _check_enterprise(user: Any, enterprise: Any) -> None:
    from anjian.enterprises.models import Enterprise

    if (
        user is not None
        and not restrict(Enterprise.objects.filter(pk=enterprise.pk), user, "change").exists()
    ):
        raise PermissionDeniedError(_("无权修改该企业的风险清单"), code="risk_forbidden")


@transaction.atomic
def do_save(obj: RiskObject | RiskUnit | RiskEvent | ControlMeasure, *, acting_user: Any) -> Any:
    """Create or update one row of the chain (its enterprise follows its parent); one audit row."""
    parent = getattr(obj, "risk_object", None) if isinstance(obj, RiskUnit) else None
    if isinstance(obj, RiskEvent):
        parent = obj.unit
    elif isinstance(obj, ControlMeasure):
        parent = obj.event
    if parent is not None:
        obj.enterprise = parent.enterprise
    _check_enterprise(acting_user, obj.enterprise)
    before = None
    if obj.pk:
        stored = type(obj)._default_manager.get(pk=obj.pk)
        _check_enterprise(acting_user, stored.enterprise)
        before = snapshot(stored)
    _validated(obj)
    obj.save()
    after = snapshot(obj)
    if before != after:
        record(_SAVE_EVENTS[type(obj)], obj, acting_user=acting_user, before=before, after=after)
    return obj


@transaction.atomic
def do_delete(
    obj: RiskObject | RiskUnit | RiskEvent | ControlMeasure, *, acting_user: Any, reason: str = ""
) -> None:
    """Delete one row of the chain (and what hangs below it); one audit row with its last state."""
    _check_enterprise(acting_user, obj.enterprise)
    before = snapshot(obj)
    unit = obj.unit if isinstance(obj, RiskEvent) else None
    record(RiskEvents.DELETED, obj, acting_user=acting_user, before=before, reason=reason)
    obj.delete()
    if unit is not None:
        refresh_levels(unit)


def refresh_levels(unit: RiskUnit) -> None:
    """Set the unit's level to the highest of its events', and its object's to the highest of its units'."""
    levels = [lvl for lvl in unit.events.values_list("level", flat=True) if lvl]
    unit_level = max(levels, key=lambda v: LEVEL_RANK[v]) if levels else ""
    if unit.level != unit_level:
        unit.level = unit_level
        unit.save(update_fields=["level", "updated_at"])
    obj = unit.risk_object
    unit_levels = [lvl for lvl in obj.units.values_list("level", flat=True) if lvl]
    obj_level = max(unit_levels, key=lambda v: LEVEL_RANK[v]) if unit_levels else ""
    if obj.level != obj_level:
        obj.level = obj_level
        obj.save(update_fields=["level", "updated_at"])


@transaction.atomic
def do_assess_event(
    event: RiskEvent,
    *,
    acting_user: Any,
    method: str,
    likelihood: Any,
    consequence: Any,
    exposure: Any = None,
    note: str = "",
) -> RiskAssessment:
    """Assess ``event`` by LEC (L, E, C) or LS (L, S = ``consequence``); keeps the earlier assessments."""
    event = RiskEvent.objects.select_for_update().select_related("unit__risk_object").get(pk=event.pk)
    _check_enterprise(acting_user, event.enterprise)
    bands = current_bands()
    try:
        if method == AssessMethod.LEC:
            result = risk_matrix.assess_lec(likelihood, exposure, consequence, bands)
        elif method == AssessMethod.LS:
            result = risk_matrix.assess_ls(likelihood, consequence, bands)
        else:
            raise ValidationFailed(_("请选择评价方法"), code="method_required", field="method")
    except risk_matrix.RiskScaleError as exc:
        raise ValidationFailed(str(exc), code="off_scale") from exc
    before = snapshot(event)
    now = timezone.now()
    assessment = RiskAssessment.objects.create(
        enterprise=event.enterprise,
        event=event,
        method=method,
        likelihood=likelihood,
        exposure=exposure if method == AssessMethod.LEC else None,
        consequence=consequence,
        score=result.score,
        level=result.level.value,
        assessed_at=now,
        assessed_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        note=(note or "").strip()[:300],
    )
    event.method, event.score, event.level, event.assessed_at = method, result.score, result.level.value, now
    event.save(update_fields=["method", "score", "level", "assessed_at", "updated_at"])
    refresh_levels(event.unit)
    record(
        RiskEvents.EVENT_ASSESSED,
        event,
        acting_user=acting_user,
        before=before,
        after=snapshot(event),
        message=f"{assessment.get_method_display()}：{result.score.normalize()} → {result.level.label}",
    )
    return assessment


@transaction.atomic
def do_set_bands(*, acting_user: Any, reason: str, **edges: Any) -> RiskBandSettings:
    """Change the zone's band edges (committee office); refused when inconsistent."""
    row = RiskBandSettings.objects.select_for_update().order_by("id").first() or RiskBandSettings()
    before = snapshot(row) if row.pk else None
    for name, value in edges.items():
        setattr(row, name, value)
    problems = row.as_bands().errors()
    if problems:
        raise ValidationFailed("；".join(problems), code="bands_invalid")
    if not (reason or "").strip():
        raise ValidationFailed(_("请填写修改原因"), code="reason_required", field="reason")
    row.save()
    record(
        RiskEvents.BANDS_CHANGED,
        row,
        acting_user=acting_user,
        before=before,
        after=snapshot(row),
        reason=reason,
    )
    return row


# ---------------------------------------------------------------------------------------------
# The chain's Excel import (``excel.import_register`` validates every row first)
# ---------------------------------------------------------------------------------------------


def _import_upsert(
    model: Any, lookup: dict[str, Any], values: dict[str, Any], acting_user: Any, event: int
) -> tuple[Any, bool, bool]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        record(event, obj, acting_user=acting_user, after=snapshot(obj), message="Excel 导入")
        return obj, True, True
    before = snapshot(obj)
    for k, val in values.items():
        setattr(obj, k, val)
    after = snapshot(obj)
    if after != before:
        obj.save()
        record(event, obj, acting_user=acting_user, before=before, after=after, message="Excel 导入")
        return obj, False, True
    return obj, False, False


@transaction.atomic
def do_import_chain_row(
    e: Any, v: dict[str, Any], assessment: risk_matrix.RiskResult | None, *, acting_user: Any
) -> tuple[bool, bool]:
    """Save one validated row of the chain import (object → unit → event → measure, matched by name; the
    event re-assessed when its score changes). Returns (measure created, anything changed)."""
    obj_values = {
        "code": v.get("object_code", ""),
        "is_major_hazard": bool(v.get("is_major_hazard")),
        "department": v.get("department", ""),
    }
    if v.get("object_kind"):
        obj_values["kind"] = v["object_kind"]
    obj, _c1, ch1 = _import_upsert(
        RiskObject,
        {"enterprise": e, "name": v["object_name"]},
        obj_values,
        acting_user,
        RiskEvents.OBJECT_SAVED,
    )
    unit, _c2, ch2 = _import_upsert(
        RiskUnit,
        {"enterprise": e, "risk_object": obj, "name": v["unit_name"]},
        {"post": v.get("post", "")},
        acting_user,
        RiskEvents.UNIT_SAVED,
    )
    event, _c3, ch3 = _import_upsert(
        RiskEvent,
        {"enterprise": e, "unit": unit, "name": v["event_name"]},
        {"consequence": v.get("consequence", "")},
        acting_user,
        RiskEvents.EVENT_SAVED,
    )
    _m, created, ch4 = _import_upsert(
        ControlMeasure,
        {"enterprise": e, "event": event, "description": v["description"]},
        {"kind": v["kind"], "check_content": v.get("check_content", "")},
        acting_user,
        RiskEvents.MEASURE_SAVED,
    )
    ch5 = False
    if assessment is not None:
        result = assessment
        if event.method != v["method"] or event.score is None or Decimal(event.score) != result.score:
            do_assess_event(
                event,
                acting_user=acting_user,
                method=v["method"],
                likelihood=v.get("l"),
                exposure=v.get("e") if v["method"] == AssessMethod.LEC else None,
                consequence=v.get("c"),
                note="Excel 导入",
            )
            ch5 = True
    return created, created or ch1 or ch2 or ch3 or ch4 or ch5


def do_record_register_import(enterprise: Any, summary: str, *, acting_user: Any) -> None:
    """One REGISTER_IMPORTED row on the enterprise summarising an import."""
    record(
        RiskEvents.REGISTER_IMPORTED, enterprise, acting_user=acting_user, message=f"导入风险清单：{summary}"
    )
