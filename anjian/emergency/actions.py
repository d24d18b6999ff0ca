"""Every state change of the emergency app: atomic, locked where it is a workflow, one audit row each.

Incidents and drill improvements are the transition tables ``workflows.INCIDENT_FLOW`` and
``workflows.IMPROVEMENT_FLOW`` (``core.workflow``); each edge has one action here that takes it through
``core.workflow.apply`` (locked, checked, one audit row) — an incident's step also writes its timeline line.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import record, snapshot
from anjian.core.errors import AnjianError, TransitionNotAllowed, ValidationFailed
from anjian.core.workflow import apply
from anjian.domain import accident_grade as grading
from anjian.domain import plume
from anjian.emergency.choices import EmergencyEvent, IncidentStatus, TimelineKind
from anjian.emergency.models import (
    Drill,
    EmergencyPlan,
    Footprint,
    Improvement,
    Incident,
    IncidentRevision,
    Resource,
    TimelineEntry,
)
from anjian.emergency.workflows import IMPROVEMENT_FLOW, INCIDENT_FLOW

__all__ = [
    "do_add_improvement",
    "do_add_timeline",
    "do_change_casualties",
    "do_close_incident",
    "do_complete_improvement",
    "do_compute_footprint",
    "do_mark_reported",
    "do_record_drill",
    "do_reopen_improvement",
    "do_reopen_incident",
    "do_report_danger",
    "do_report_incident",
    "do_respond_incident",
    "do_save_plan",
    "do_save_resource",
    "do_stand_down_incident",
    "veto_units_for",
]

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def _validated(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation and raise it as a Chinese ``ValidationFailed``."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field = next(iter(exc.message_dict))
            messages = [m for ms in exc.message_dict.values() for m in ms]
            raise ValidationFailed("；".join(messages), field=None if field == "__all__" else field) from exc
        raise ValidationFailed("；".join(exc.messages)) from exc


def _user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _save_audited(obj: models.Model, event: int, *, acting_user: Any, reason: str = "") -> Any:
    before = None
    if obj.pk is not None:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk))
    _validated(obj)
    obj.save()
    after = snapshot(obj)
    if before != after:
        record(event, obj, acting_user=acting_user, before=before, after=after, reason=reason)
    return obj


# ---------------------------------------------------------------------------------------------------------
# Plans, resources, drills
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def do_save_plan(plan: EmergencyPlan, *, acting_user: Any, reason: str = "") -> EmergencyPlan:
    """Create or update a plan; its review is due three years after approval."""
    plan.derive()
    saved: EmergencyPlan = _save_audited(
        plan, EmergencyEvent.PLAN_CHANGED, acting_user=acting_user, reason=reason
    )
    return saved


@transaction.atomic
def do_save_resource(resource: Resource, *, acting_user: Any, reason: str = "") -> Resource:
    """Create or update an emergency resource."""
    saved: Resource = _save_audited(
        resource, EmergencyEvent.RESOURCE_CHANGED, acting_user=acting_user, reason=reason
    )
    return saved


@transaction.atomic
def do_record_drill(drill: Drill, *, acting_user: Any, reason: str = "") -> Drill:
    """Record (or correct) a drill."""
    if drill.plan_id and not drill.enterprise_id and drill.plan.enterprise_id:  # type: ignore[union-attr]
        drill.enterprise_id = drill.plan.enterprise_id  # type: ignore[union-attr]
    saved: Drill = _save_audited(drill, EmergencyEvent.DRILL_RECORDED, acting_user=acting_user, reason=reason)
    return saved


@transaction.atomic
def do_add_improvement(
    drill: Drill, *, description: str, acting_user: Any, owner_name: str = "", due_on: dt.date | None = None
) -> Improvement:
    """Add an improvement a drill raised (整改中)."""
    item = Improvement(
        drill=drill, description=(description or "").strip(), owner_name=owner_name, due_on=due_on
    )
    _validated(item)
    item.save()
    record(EmergencyEvent.IMPROVEMENT_ADDED, item, acting_user=acting_user, after=snapshot(item))
    return item


@transaction.atomic(durable=False)
def do_complete_improvement(
    item: Improvement, *, acting_user: Any, reason: str = "", done_on: dt.date | None = None
) -> Improvement:
    """整改中 → 已完成: what was done (the reason) and when."""
    result: Improvement = apply(
        IMPROVEMENT_FLOW, item, "complete", acting_user=acting_user, reason=reason, data={"done_on": done_on}
    )
    return result


@transaction.atomic(durable=False)
def do_reopen_improvement(item: Improvement, *, acting_user: Any, reason: str) -> Improvement:
    """已完成 → 整改中 (复查不合格), with the reason."""
    result: Improvement = apply(IMPROVEMENT_FLOW, item, "reopen", acting_user=acting_user, reason=reason)
    return result


# ---------------------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------------------


def _timeline(
    incident: Incident,
    kind: str,
    text: str,
    *,
    at: dt.datetime | None = None,
    acting_user: Any = None,
    **extra: Any,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        at=at or timezone.now(),
        kind=kind,
        text=text[:500],
        created_by=_user(acting_user),
        **extra,
    )


def veto_units_for(incident: Incident) -> list[Any]:
    """The assessed units in whose remit the incident lies: the enterprise's supervising department and its
    town (or, for an incident outside any enterprise, its town and the reporting unit)."""
    from anjian.assessment.constants import ASSESSED_KINDS

    units: list[Any] = []
    if incident.enterprise_id:
        ent = incident.enterprise
        units += [ent.supervising_unit, ent.town]  # type: ignore[union-attr]
    units += [incident.town, incident.owner_unit]
    seen: set[int] = set()
    out = []
    for unit in units:
        if unit is not None and unit.kind in ASSESSED_KINDS and unit.pk not in seen:
            seen.add(unit.pk)
            out.append(unit)
    return out


def _record_vetoes(incident: Incident, acting_user: Any) -> None:
    """A 较大 or worse accident writes the assessment's veto event for each unit of its remit (once)."""
    from anjian.assessment.actions import do_record_veto_event
    from anjian.assessment.choices import VetoEventSource

    if incident.grade_enum < grading.AccidentGrade.LARGER:
        return
    done = set(incident.veto_unit_ids or [])
    occurred = timezone.localtime(incident.occurred_at).date()
    for unit in veto_units_for(incident):
        if unit.pk in done:
            continue
        try:
            with transaction.atomic():
                do_record_veto_event(
                    unit=unit,
                    year=occurred.year,
                    grade=incident.grade,
                    description=f"{incident.title}（{incident.get_grade_display()}事故，事故编号{incident.pk}）"[
                        :300
                    ],
                    acting_user=acting_user,
                    occurred_on=occurred,
                    source=VetoEventSource.INCIDENTS,
                )
        except AnjianError as exc:
            # e.g. the year's assessment is already final: the report still stands, the office is told
            _timeline(
                incident,
                TimelineKind.STATUS,
                f"未能为{unit.name}登记考核否决事项：{exc.message}",
                acting_user=acting_user,
            )
            continue
        done.add(unit.pk)
        _timeline(
            incident,
            TimelineKind.STATUS,
            f"已为{unit.name}登记年度考核否决事项（{incident.get_grade_display()}事故）",
            acting_user=acting_user,
        )
    if sorted(done) != sorted(incident.veto_unit_ids or []):
        incident.veto_unit_ids = sorted(done)
        incident.save(update_fields=["veto_unit_ids", "updated_at"])


def _apply_grade(incident: Incident) -> grading.GradeResult:
    try:
        result = incident.grade_result()
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    incident.grade = result.grade.code
    incident.grade_by = result.by
    return result


@transaction.atomic
def do_report_incident(incident: Incident, *, acting_user: Any) -> Incident:
    """Receive an incident report: grade it (国务院令第493号第三条), start its reporting clocks, write the
    first timeline line, and — for 较大 or worse — the assessment veto events."""
    if incident.pk is not None:
        raise ValidationFailed(_("事故已接报"))
    if incident.enterprise_id and not incident.town_id:
        incident.town = incident.enterprise.town
    result = _apply_grade(incident)
    incident.first_grade = incident.grade
    incident.status = IncidentStatus.REPORTED
    incident.reported_by = _user(acting_user)
    _validated(incident)
    incident.save()
    _timeline(
        incident,
        TimelineKind.REPORT,
        f"接报：{incident.place}，{result.explanation()}",
        at=incident.known_at,
        acting_user=acting_user,
    )
    record(EmergencyEvent.INCIDENT_REPORTED, incident, acting_user=acting_user, after=snapshot(incident))
    _record_vetoes(incident, acting_user)
    return incident


def _lock_incident(incident: Incident) -> Incident:
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    return locked


def _incident_edge(incident: Incident, verb: str, *, acting_user: Any, reason: str) -> Incident:
    """Take ``verb`` on ``INCIDENT_FLOW`` and write the step on the command timeline."""
    incident = apply(INCIDENT_FLOW, incident, verb, acting_user=acting_user, reason=reason)
    reason = (reason or "").strip()
    _timeline(
        incident,
        TimelineKind.STATUS,
        INCIDENT_FLOW.verb_label(verb) + (f"：{reason}" if reason else ""),
        acting_user=acting_user,
    )
    return incident


@transaction.atomic
def do_respond_incident(incident: Incident, *, acting_user: Any, reason: str = "") -> Incident:
    """已接报 → 处置中 (启动响应)."""
    return _incident_edge(incident, "respond", acting_user=acting_user, reason=reason)


@transaction.atomic
def do_stand_down_incident(incident: Incident, *, acting_user: Any, reason: str = "") -> Incident:
    """处置中 → 调查中 (现场处置结束)."""
    return _incident_edge(incident, "stand_down", acting_user=acting_user, reason=reason)


@transaction.atomic
def do_close_incident(incident: Incident, *, acting_user: Any, reason: str) -> Incident:
    """调查中 → 已结案."""
    return _incident_edge(incident, "close", acting_user=acting_user, reason=reason)


@transaction.atomic
def do_reopen_incident(incident: Incident, *, acting_user: Any, reason: str) -> Incident:
    """已结案 → 调查中 (重新调查)."""
    return _incident_edge(incident, "reopen", acting_user=acting_user, reason=reason)


@transaction.atomic
def do_change_casualties(
    incident: Incident,
    *,
    deaths: int,
    injuries: int,
    loss_cny: Decimal | int | str,
    acting_user: Any,
    reason: str = "",
    changed_at: dt.datetime | None = None,
) -> IncidentRevision:
    """Casualties or loss changed (第十三条): re-grade; inside the 30-day (7 for road/fire) window the change is
    reported again like the first report (a new round of the checklist); a rise to 较大 writes the veto."""
    incident = _lock_incident(incident)
    if incident.status == IncidentStatus.CLOSED:
        raise TransitionNotAllowed(_("事故已结案，不能变更伤亡"), code="incident_closed")
    changed_at = changed_at or timezone.now()
    if changed_at < incident.occurred_at:
        raise ValidationFailed(_("变化时间不能早于事故发生时间"), field="changed_at")
    before_result = incident.grade_result()
    try:
        change = grading.regrade(
            before_result,
            occurred_at=incident.occurred_at,
            changed_at=changed_at,
            deaths=deaths,
            injuries=injuries,
            loss_cny=loss_cny,
            road_or_fire=incident.road_or_fire,
            round_no=incident.revisions.count() + 1,
        )
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    if (change.after.deaths, change.after.injuries, change.after.loss_cny) == (
        before_result.deaths,
        before_result.injuries,
        before_result.loss_cny,
    ):
        raise ValidationFailed(_("伤亡和损失没有变化"))
    before = snapshot(incident)
    revision = IncidentRevision.objects.create(
        incident=incident,
        round_no=incident.revisions.count() + 1,
        changed_at=changed_at,
        deaths=change.after.deaths,
        injuries=change.after.injuries,
        loss_cny=change.after.loss_cny,
        grade_before=change.before.grade.code,
        grade_after=change.after.grade.code,
        within_window=change.within_window,
        explanation=change.explanation()[:300],
    )
    incident.deaths, incident.injuries, incident.loss_cny = (
        change.after.deaths,
        change.after.injuries,
        change.after.loss_cny,
    )
    incident.grade, incident.grade_by = change.after.grade.code, change.after.by
    incident.save(update_fields=["deaths", "injuries", "loss_cny", "grade", "grade_by", "updated_at"])
    _timeline(incident, TimelineKind.REGRADE, change.explanation(), at=changed_at, acting_user=acting_user)
    record(
        EmergencyEvent.INCIDENT_REGRADED,
        incident,
        acting_user=acting_user,
        before=before,
        after=snapshot(incident),
        reason=reason,
        message=change.explanation(),
    )
    _record_vetoes(incident, acting_user)
    return revision


@transaction.atomic
def do_mark_reported(
    incident: Incident, key: str, *, acting_user: Any, at: dt.datetime | None = None, reason: str = ""
) -> Incident:
    """Tick one item of the reporting checklist: the report was made at ``at`` (now by default)."""
    incident = _lock_incident(incident)
    items = {item.key: item for item in incident.checklist()}
    if key not in items:
        raise ValidationFailed(_("没有这一报告事项"), field="key")
    if key in (incident.reports_done or {}):
        raise ValidationFailed(_("该事项已报告"), field="key")
    at = at or timezone.now()
    if at < incident.occurred_at:
        raise ValidationFailed(_("报告时间不能早于事故发生时间"), field="at")
    before = snapshot(incident)
    incident.reports_done = {**(incident.reports_done or {}), key: at.isoformat()}
    incident.save(update_fields=["reports_done", "updated_at"])
    item = items[key]
    late = "（超时）" if at > item.due else ""
    _timeline(
        incident,
        TimelineKind.UPWARD,
        f"{item.label}{late}" + (f"：{reason}" if reason else ""),
        at=at,
        acting_user=acting_user,
    )
    record(
        EmergencyEvent.INCIDENT_UPWARD_REPORT,
        incident,
        acting_user=acting_user,
        before=before,
        after=snapshot(incident),
        reason=reason,
    )
    return incident


@transaction.atomic
def do_add_timeline(
    incident: Incident,
    *,
    kind: str,
    text: str,
    acting_user: Any,
    at: dt.datetime | None = None,
    resource: Resource | None = None,
    quantity: Decimal | None = None,
) -> TimelineEntry:
    """Add a command decision, a resource dispatched, or a follow-up report (续报) to the timeline."""
    if kind not in {TimelineKind.DECISION, TimelineKind.DISPATCH, TimelineKind.FOLLOW_UP}:
        raise ValidationFailed(_("只能记录指挥决策、资源调派或续报"), field="kind")
    text = (text or "").strip()
    if not text and resource is None:
        raise ValidationFailed(_("请填写内容"), field="text")
    if kind == TimelineKind.DISPATCH and resource is None:
        raise ValidationFailed(_("调派资源须选择资源"), field="resource")
    if quantity is not None and resource is not None and quantity > resource.quantity:
        raise ValidationFailed(
            _("调派数量超过该资源登记数量（%(q)s%(u)s）")
            % {"q": f"{resource.quantity:g}", "u": resource.unit_label},
            field="quantity",
        )
    if resource is not None and not text:
        text = f"调派{resource.name}" + (f" {quantity:g}{resource.unit_label}" if quantity else "")
    entry = _timeline(
        incident, kind, text, at=at, acting_user=acting_user, resource=resource, quantity=quantity
    )
    record(
        EmergencyEvent.INCIDENT_TIMELINE,
        entry,
        acting_user=acting_user,
        after=snapshot(entry),
        related=incident,
    )
    return entry


# ---------------------------------------------------------------------------------------------------------
# The dual-prevention loop (integration point)
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def do_report_danger(incident: Incident, *, description: str, acting_user: Any) -> TimelineEntry:
    """A hidden danger found in the incident investigation goes into the dual-prevention loop.

    It is reported through ``anjian.dangers.actions.report_danger`` (source 事故调查, the incident kept as its
    source object) for the incident's enterprise, and the timeline names the new danger. An incident outside
    any enterprise has no rectification loop to enter: the finding stays on the timeline.
    """
    from anjian.dangers.actions import report_danger
    from anjian.dangers.choices import DangerSource

    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("请描述发现的隐患"), field="description")
    text = f"调查发现隐患：{description}"
    if incident.enterprise_id:
        danger = report_danger(
            enterprise=incident.enterprise,
            title=f"事故调查发现：{description}"[:200],
            description=f"{incident}：{description}",
            source=DangerSource.INCIDENT,
            source_object=incident,
            acting_user=acting_user,
            location=(incident.place or "")[:200],
        )
        text += f"（已转入隐患排查治理，编号 {danger.code}）"
    else:
        text += "（事故不在企业内，未转入企业隐患排查治理）"
    entry = _timeline(incident, TimelineKind.DANGER, text, acting_user=acting_user)
    record(
        EmergencyEvent.INCIDENT_DANGER_FOUND,
        entry,
        acting_user=acting_user,
        after=snapshot(entry),
        related=incident,
    )
    return entry


# ---------------------------------------------------------------------------------------------------------
# Footprints
# ---------------------------------------------------------------------------------------------------------


def compute_footprint(fp: Footprint) -> dict[str, Any]:
    """The plume footprint of ``fp`` as a result dict (GeoJSON FeatureCollection in WGS 84 plus a summary)."""
    from anjian.domain.gauss_kruger import central_meridian, to_lonlat, to_metric

    try:
        stability = fp.stability or plume.stability_class(
            fp.wind_speed, daytime=fp.daytime, insolation=fp.insolation, cloud_oktas=fp.cloud_oktas
        )
        if fp.level2_mg_m3 >= fp.level1_mg_m3:
            raise ValueError("低浓度阈值须小于高浓度阈值")
        result = plume.footprint(
            fp.release_gs,
            fp.wind_speed,
            fp.height_m,
            stability,
            [(fp.level1_label, fp.level1_mg_m3), (fp.level2_label, fp.level2_mg_m3)],
        )
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    lon, lat = float(fp.lon), float(fp.lat)
    cm = central_meridian(lon)
    x0, y0 = to_metric(lon, lat, cm)
    features = []
    colours = ["#c0392b", "#f39c12"]
    for zone, rings, colour in zip(result.zones, result.rotated(fp.wind_from_deg), colours, strict=True):
        if not rings:
            continue
        polygons = [[[list(to_lonlat(x0 + e, y0 + n, cm)) for e, n in ring]] for ring in rings]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": f"{zone.label}（≥{zone.threshold_mg_m3:g} mg/m³）",
                    "colour": colour,
                    "reach_m": round(zone.reach_m),
                    "half_width_m": round(zone.max_half_width_m),
                    "area_m2": round(zone.area_m2()),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    return {
        "stability": stability,
        "peak_mg_m3": round(result.peak_mg_m3, 3),
        "peak_at_m": round(result.peak_at_m),
        "zones": [
            {
                "label": z.label,
                "threshold_mg_m3": z.threshold_mg_m3,
                "reached": z.reached,
                "reach_m": round(z.reach_m),
                "start_m": round(z.start_m),
                "half_width_m": round(z.max_half_width_m),
                "area_m2": round(z.area_m2()),
            }
            for z in result.zones
        ],
        "geojson": {"type": "FeatureCollection", "features": features},
    }


@transaction.atomic
def do_compute_footprint(fp: Footprint, *, acting_user: Any, reason: str = "") -> Footprint:
    """Compute and store a footprint (the inputs are validated by the model and by the plume module)."""
    if fp.incident_id and not fp.enterprise_id:
        fp.enterprise_id = fp.incident.enterprise_id  # type: ignore[union-attr]
    _validated(fp, exclude=["result"])
    fp.result = compute_footprint(fp)
    fp.stability = fp.result["stability"]
    fp.save()
    record(
        EmergencyEvent.FOOTPRINT_COMPUTED,
        fp,
        acting_user=acting_user,
        after=snapshot(fp, exclude=("created_at", "updated_at", "result")),
        reason=reason,
    )
    return fp
