"""Every change to the assessment: schemes and rules, veto events, adjustments, runs and finalisation.

Each action is atomic, locks the scheme first (one lock order everywhere), checks the scheme's edge in
``choices.SCHEME_TRANSITIONS`` and writes exactly one audit row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.assessment.choices import Grade, SchemeState, VetoEventKind
from anjian.assessment.constants import DEFAULT_RULES, DEFAULT_VETOES
from anjian.assessment.facts import assessed_units, default_as_of, gather_facts
from anjian.assessment.models import (
    AssessmentResult,
    AssessmentScheme,
    ManualAdjustment,
    ScoringRule,
    VetoEvent,
    VetoRule,
)
from anjian.assessment.workflows import SCHEME_FLOW
from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.errors import ValidationFailed
from anjian.core.workflow import apply, check
from anjian.domain import assessment as scoring
from anjian.orgs.models import OrgUnit

__all__ = [
    "do_add_adjustment",
    "do_add_rule",
    "do_add_veto_rule",
    "do_change_rule",
    "do_change_veto_rule",
    "do_create_scheme",
    "do_finalise",
    "do_record_veto_event",
    "do_remove_adjustment",
    "do_remove_rule",
    "do_remove_veto_event",
    "do_remove_veto_rule",
    "do_run_assessment",
    "do_update_scheme",
    "lock_scheme",
]

# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def lock_scheme(scheme: AssessmentScheme) -> AssessmentScheme:
    """Re-read ``scheme`` with a row lock (always the first lock an assessment action takes)."""
    locked: AssessmentScheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    return locked


def _edge(scheme: AssessmentScheme, action: str) -> SchemeState:
    """The state ``action`` leads to from the scheme's state (``SCHEME_FLOW``); refuse an undeclared edge."""
    edge = check(SCHEME_FLOW, scheme, action, acting_user=None)
    return SchemeState(edge.target)


def _mark_changed(scheme: AssessmentScheme) -> None:
    """A rule, event or adjustment changed: refuse on a final scheme, flag a computed one for a rerun."""
    target = _edge(scheme, "change")
    if target == SchemeState.STALE and not scheme.needs_rerun:
        scheme.needs_rerun = True
        scheme.save(update_fields=["needs_rerun", "updated_at"])


def _validated(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation and raise it as a Chinese ``ValidationFailed``."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        messages = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        field = next(iter(exc.message_dict), None) if hasattr(exc, "error_dict") else None
        raise ValidationFailed(
            "；".join(str(m) for m in messages), field=None if field == "__all__" else field
        ) from exc


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写原因"), code="reason_required", field="reason")
    return reason


def _scheme_for_year(year: int) -> AssessmentScheme | None:
    scheme = AssessmentScheme.objects.filter(year=year).first()
    return lock_scheme(scheme) if scheme is not None else None


# ---------------------------------------------------------------------------------------------------------
# Schemes and rules
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_scheme(
    year: int, *, acting_user: Any, name: str = "", with_defaults: bool = True
) -> AssessmentScheme:
    """Create the scheme of ``year`` with the default rules (报告 40, 指标 40, 督办 20) and vetoes."""
    if AssessmentScheme.objects.filter(year=year).exists():
        raise ValidationFailed(
            _("%(year)s 年度已有考核方案") % {"year": year}, code="scheme_exists", field="year"
        )
    scheme = AssessmentScheme(year=year, name=(name or "").strip() or f"{year}年度安全生产考核")
    _validated(scheme)
    scheme.save()
    if with_defaults:
        ScoringRule.objects.bulk_create(
            ScoringRule(scheme=scheme, kind=kind, title=title, max_points=points, params=params, order=i)
            for i, (kind, title, points, params) in enumerate(DEFAULT_RULES, start=1)
        )
        VetoRule.objects.bulk_create(
            VetoRule(scheme=scheme, kind=kind, title=title, params=params, order=i)
            for i, (kind, title, params) in enumerate(DEFAULT_VETOES, start=1)
        )
    after = {
        **snapshot(scheme),
        "rules": [snapshot(r) for r in scheme.rules.all()],
        "vetoes": [snapshot(v) for v in scheme.vetoes.all()],
    }
    record(AuditEvent.ASSESSMENT_SCHEME_CREATED, scheme, acting_user=acting_user, after=after)
    return scheme


@transaction.atomic
def do_update_scheme(
    scheme: AssessmentScheme,
    *,
    acting_user: Any,
    name: str,
    grade_bands: dict[str, Any],
    reason: str = "",
) -> AssessmentScheme:
    """Change the scheme's name or grade thresholds (audited as a rule change)."""
    scheme = lock_scheme(scheme)
    _mark_changed(scheme)
    before = snapshot(scheme)
    scheme.name = name
    scheme.grade_bands = grade_bands
    _validated(scheme)
    scheme.save(update_fields=["name", "grade_bands", "updated_at"])
    record(
        AuditEvent.RULE_CHANGED,
        scheme,
        acting_user=acting_user,
        before=before,
        after=snapshot(scheme),
        reason=reason,
    )
    return scheme


def _add(
    model: type[ScoringRule] | type[VetoRule],
    scheme: AssessmentScheme,
    fields: dict[str, Any],
    acting_user: Any,
    reason: str,
) -> Any:
    scheme = lock_scheme(scheme)
    _mark_changed(scheme)
    obj = model(scheme=scheme, **fields)
    _validated(obj, exclude=["scheme"])
    obj.save()
    record(
        AuditEvent.RULE_CHANGED,
        obj,
        acting_user=acting_user,
        after=snapshot(obj),
        reason=reason,
        message=_("新增：%(title)s") % {"title": obj.title},
    )
    return obj


def _change(obj: ScoringRule | VetoRule, fields: dict[str, Any], acting_user: Any, reason: str) -> Any:
    lock_scheme(obj.scheme)
    obj = type(obj).objects.select_for_update().select_related("scheme").get(pk=obj.pk)
    _mark_changed(obj.scheme)
    before = snapshot(obj)
    for key, value in fields.items():
        setattr(obj, key, value)
    _validated(obj, exclude=["scheme"])
    obj.save()
    record(
        AuditEvent.RULE_CHANGED,
        obj,
        acting_user=acting_user,
        before=before,
        after=snapshot(obj),
        reason=reason,
    )
    return obj


def _remove(obj: ScoringRule | VetoRule, acting_user: Any, reason: str) -> None:
    scheme = lock_scheme(obj.scheme)
    _mark_changed(scheme)
    record(
        AuditEvent.RULE_CHANGED,
        obj,
        acting_user=acting_user,
        before=snapshot(obj),
        reason=reason,
        related=scheme,
        message=_("删除：%(title)s") % {"title": obj.title},
    )
    obj.delete()


@transaction.atomic
def do_add_rule(
    scheme: AssessmentScheme,
    *,
    acting_user: Any,
    kind: str,
    title: str,
    max_points: Decimal,
    params: dict[str, Any] | None = None,
    order: int = 0,
    reason: str = "",
) -> ScoringRule:
    """Add a scoring rule to a scheme that is not final."""
    fields = {"kind": kind, "title": title, "max_points": max_points, "params": params or {}, "order": order}
    rule: ScoringRule = _add(ScoringRule, scheme, fields, acting_user, reason)
    return rule


@transaction.atomic
def do_change_rule(rule: ScoringRule, *, acting_user: Any, reason: str = "", **fields: Any) -> ScoringRule:
    """Change a scoring rule's title, points, parameters or order (``kind`` stays)."""
    allowed = {"title", "max_points", "params", "order"}
    changed: ScoringRule = _change(
        rule, {k: v for k, v in fields.items() if k in allowed}, acting_user, reason
    )
    return changed


@transaction.atomic
def do_remove_rule(rule: ScoringRule, *, acting_user: Any, reason: str = "") -> None:
    """Remove a scoring rule from a scheme that is not final."""
    _remove(rule, acting_user, reason)


@transaction.atomic
def do_add_veto_rule(
    scheme: AssessmentScheme,
    *,
    acting_user: Any,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    order: int = 0,
    reason: str = "",
) -> VetoRule:
    """Add a veto (一票否决) condition to a scheme that is not final."""
    fields = {"kind": kind, "title": title, "params": params or {}, "order": order}
    veto: VetoRule = _add(VetoRule, scheme, fields, acting_user, reason)
    return veto


@transaction.atomic
def do_change_veto_rule(veto: VetoRule, *, acting_user: Any, reason: str = "", **fields: Any) -> VetoRule:
    """Change a veto condition's title, parameters or order."""
    allowed = {"title", "params", "order"}
    changed: VetoRule = _change(veto, {k: v for k, v in fields.items() if k in allowed}, acting_user, reason)
    return changed


@transaction.atomic
def do_remove_veto_rule(veto: VetoRule, *, acting_user: Any, reason: str = "") -> None:
    """Remove a veto condition from a scheme that is not final."""
    _remove(veto, acting_user, reason)


# ---------------------------------------------------------------------------------------------------------
# Veto events and manual adjustments
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def do_record_veto_event(
    *,
    unit: OrgUnit,
    year: int,
    grade: str,
    description: str,
    acting_user: Any,
    occurred_on: dt.date | None = None,
    kind: str = VetoEventKind.ACCIDENT,
    source: str = "manual",
) -> VetoEvent:
    """Record an event in a unit's remit (e.g. a 较大 accident) that veto rules look at.

    Refused when the year's scheme is final; otherwise the scheme (if computed) needs a rerun.
    """
    scheme = _scheme_for_year(year)
    if scheme is not None:
        _mark_changed(scheme)
    event = VetoEvent(
        unit=unit,
        year=year,
        kind=kind,
        grade=grade,
        description=(description or "").strip(),
        occurred_on=occurred_on,
        source=source,
        recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    _validated(event)
    event.save()
    record(
        AuditEvent.VETO_EVENT_RECORDED, event, acting_user=acting_user, after=snapshot(event), related=scheme
    )
    return event


@transaction.atomic
def do_remove_veto_event(event: VetoEvent, *, acting_user: Any, reason: str) -> None:
    """Withdraw a veto event recorded by mistake (with the reason)."""
    reason = _require_reason(reason)
    scheme = _scheme_for_year(event.year)
    if scheme is not None:
        _mark_changed(scheme)
    record(
        AuditEvent.VETO_EVENT_REMOVED,
        event,
        acting_user=acting_user,
        before=snapshot(event),
        reason=reason,
        related=scheme,
    )
    event.delete()


@transaction.atomic
def do_add_adjustment(
    scheme: AssessmentScheme, *, unit: OrgUnit, points: Decimal, reason: str, acting_user: Any
) -> ManualAdjustment:
    """Add or take off points for a unit, with the reason (the committee office's judgement)."""
    scheme = lock_scheme(scheme)
    _mark_changed(scheme)
    adjustment = ManualAdjustment(
        scheme=scheme,
        unit=unit,
        points=points,
        reason=(reason or "").strip(),
        by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    _validated(adjustment)
    adjustment.save()
    record(
        AuditEvent.SCORE_ADJUSTED,
        adjustment,
        acting_user=acting_user,
        after=snapshot(adjustment),
        reason=adjustment.reason,
    )
    return adjustment


@transaction.atomic
def do_remove_adjustment(adjustment: ManualAdjustment, *, acting_user: Any, reason: str) -> None:
    """Withdraw a manual adjustment (with the reason)."""
    reason = _require_reason(reason)
    scheme = lock_scheme(adjustment.scheme)
    _mark_changed(scheme)
    record(
        AuditEvent.SCORE_ADJUSTMENT_REMOVED,
        adjustment,
        acting_user=acting_user,
        before=snapshot(adjustment),
        reason=reason,
        related=scheme,
    )
    adjustment.delete()


# ---------------------------------------------------------------------------------------------------------
# Running and finalising
# ---------------------------------------------------------------------------------------------------------


def _ranks(scores: list[tuple[OrgUnit, scoring.UnitScore]]) -> list[tuple[OrgUnit, scoring.UnitScore, int]]:
    """Rank by total, vetoed units last; equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda p: (p[1].vetoed, -p[1].total, p[0].kind, p[0].code))
    ranked: list[tuple[OrgUnit, scoring.UnitScore, int]] = []
    for i, (unit, score) in enumerate(ordered):
        prev = ranked[-1] if ranked else None
        same = prev is not None and (prev[1].vetoed, prev[1].total) == (score.vetoed, score.total)
        ranked.append((unit, score, prev[2] if same and prev is not None else i + 1))
    return ranked


@transaction.atomic
def do_run_assessment(
    scheme: AssessmentScheme,
    *,
    acting_user: Any,
    as_of: dt.date | None = None,
) -> list[AssessmentResult]:
    """Score every assessed unit (departments and towns with tasks) and store the results, ranked."""
    scheme = lock_scheme(scheme)
    _edge(scheme, "run")
    as_of = as_of or default_as_of(scheme.year)
    scheme = AssessmentScheme.objects.prefetch_related("rules", "vetoes").get(pk=scheme.pk)
    rules, vetoes = scheme.domain_rules()
    units = assessed_units(scheme.year)
    facts = gather_facts(scheme, units, as_of)
    scores = [(unit, scoring.score_unit(facts[unit.pk], rules, vetoes, bands=scheme.bands)) for unit in units]

    now = timezone.now()
    existing = {r.unit_id: r for r in AssessmentResult.objects.filter(scheme=scheme)}
    to_create: list[AssessmentResult] = []
    to_update: list[AssessmentResult] = []
    for unit, score, rank in _ranks(scores):
        result = existing.pop(unit.pk, None)
        fresh = result is None
        if result is None:
            result = AssessmentResult(scheme=scheme, unit=unit)
        result.rank = rank
        result.total = score.total
        result.max_points = score.max_points
        result.grade = str(score.grade)
        result.vetoed = score.vetoed
        result.veto_reason = score.veto_reason
        result.summary = score.summary
        result.lines = [line.as_dict() for line in score.lines]
        result.checks = [check.as_dict() for check in score.checks]
        result.computed_at = result.updated_at = now
        (to_create if fresh else to_update).append(result)
    AssessmentResult.objects.bulk_create(to_create)
    AssessmentResult.objects.bulk_update(
        to_update,
        [
            "rank",
            "total",
            "max_points",
            "grade",
            "vetoed",
            "veto_reason",
            "summary",
            "lines",
            "checks",
            "computed_at",
            "updated_at",
        ],
    )
    if existing:
        AssessmentResult.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()

    before = {
        "last_run_at": scheme.last_run_at.isoformat() if scheme.last_run_at else None,
        "as_of": scheme.as_of.isoformat() if scheme.as_of else None,
    }
    scheme.last_run_at = now
    scheme.as_of = as_of
    scheme.needs_rerun = False
    scheme.save(update_fields=["last_run_at", "as_of", "needs_rerun", "updated_at"])

    grades = Counter(str(s.grade) for _u, s in scores)
    vetoed = [u.name for u, s in scores if s.vetoed]
    counts = "、".join(f"{Grade(g).label} {grades.get(g, 0)}" for g in Grade.values)
    message = _("计算 %(n)s 个单位（数据截至 %(as_of)s）：%(counts)s") % {
        "n": len(scores),
        "as_of": as_of.isoformat(),
        "counts": counts,
    }
    if vetoed:
        message += _("；一票否决：%(units)s") % {"units": "、".join(vetoed)}
    record(
        AuditEvent.ASSESSMENT_RUN,
        scheme,
        acting_user=acting_user,
        before=before,
        after={
            "last_run_at": now.isoformat(),
            "as_of": as_of.isoformat(),
            "units": len(scores),
            "grades": dict(grades),
            "vetoed": vetoed,
        },
        message=message,
    )
    return list(AssessmentResult.objects.filter(scheme=scheme).select_related("unit"))


@transaction.atomic
def do_finalise(scheme: AssessmentScheme, *, acting_user: Any, reason: str = "") -> AssessmentScheme:
    """Confirm the results: the scheme, its rules, adjustments and results are locked from now on."""
    finalised: AssessmentScheme = apply(
        SCHEME_FLOW, scheme, "finalise", acting_user=acting_user, reason=reason
    )
    scheme.refresh_from_db()
    return finalised
