"""Gather, from the data, what the scoring rules look at for each assessed unit in a year.

* **Units**: every active department and town that has a role on a task of a plan covering the year,
  directly or through a group it belongs to ("两镇", "安委会各成员单位").
* **Reports**: ``plans.selectors.compliance_for_units`` for the year, as of ``as_of`` — the same
  "due / on time / late / missing" that the plans pages show.
* **Targets**: the targets of tasks the unit leads (directly or through a group), each judged with
  ``Target.on_track`` on the assessed year's last day (or ``as_of`` if earlier), so a year-scoped metric
  (e.g. this year's training coverage) is read for the assessed year; a target whose metric no module
  provides yet is "尚未接入指标".
* **Notices**: 督办 notices addressed to the unit itself whose due date (or, without one, sending date)
  falls in the year. Acknowledgements and answers after ``as_of`` are not seen, so a rerun with the same
  ``as_of`` gives the same result.
* **Events**: the unit's ``VetoEvent`` rows of the year. **Adjustments**: the scheme's for the unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from anjian.assessment.constants import ASSESSED_KINDS
from anjian.assessment.models import AssessmentScheme, ManualAdjustment, VetoEvent
from anjian.domain import assessment as scoring
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import TaskRole
from anjian.plans.models import Plan, PlanTask, SupervisionNotice, Target, TaskUnit
from anjian.plans.selectors import compliance_for_units, report_due_date

__all__ = ["assessed_units", "default_as_of", "gather_facts", "plans_covering"]


def plans_covering(year: int) -> QuerySet[Plan]:
    """Plans whose period overlaps ``year``."""
    return Plan.objects.filter(period_start__lte=dt.date(year, 12, 31), period_end__gte=dt.date(year, 1, 1))


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The day the year's data is complete: the day after the fourth quarter's report was due (or today)."""
    today = today or timezone.localdate()
    return min(today, report_due_date(year, 4) + dt.timedelta(days=1))


def _task_units(year: int) -> list[TaskUnit]:
    return list(
        TaskUnit.objects.filter(task__plan__in=plans_covering(year))
        .select_related("unit", "task")
        .prefetch_related("unit__members")
    )


def _expand(unit: OrgUnit) -> list[OrgUnit]:
    if unit.is_group:
        return [m for m in unit.members.all() if m.is_active and not m.is_group]
    return [unit]


def assessed_units(year: int) -> list[OrgUnit]:
    """Active departments and towns with a role on a task of a plan covering ``year``, by kind and code."""
    units: dict[int, OrgUnit] = {}
    for tu in _task_units(year):
        for member in _expand(tu.unit):
            if member.kind in ASSESSED_KINDS and member.is_active:
                units[member.pk] = member
    return sorted(units.values(), key=lambda u: (u.kind, u.code))


def _local_day(value: dt.datetime | None, as_of: dt.date) -> dt.date | None:
    """The local date of ``value``, or ``None`` if absent or after ``as_of``."""
    if value is None:
        return None
    day = timezone.localtime(value).date()
    return day if day <= as_of else None


def _target_fact(target: Target, day: dt.date) -> scoring.TargetFact:
    label = f"{target.indicator}（{target.goal_display}）"
    if not target.is_metric_registered:
        return scoring.TargetFact(target.task.code, label, has_metric=False)
    current = target.current(day)
    on_track = target.on_track(day, current=current)
    detail = ""
    if current is not None and current.value is not None:
        detail = f"截至 {day.isoformat()} 为 {Decimal(current.value).normalize():f}{target.unit}"
        if current.numerator is not None and current.denominator is not None:
            detail += f"（{current.numerator}/{current.denominator}）"
    return scoring.TargetFact(target.task.code, label, has_metric=True, on_track=on_track, detail=detail)


def _targets_by_unit(year: int, unit_ids: set[int], as_of: dt.date) -> dict[int, list[scoring.TargetFact]]:
    lead_tasks: dict[int, set[int]] = defaultdict(set)
    for tu in _task_units(year):
        if tu.role != TaskRole.LEAD:
            continue
        for member in _expand(tu.unit):
            if member.pk in unit_ids:
                lead_tasks[member.pk].add(tu.task_id)
    task_ids = set().union(*lead_tasks.values()) if lead_tasks else set()
    targets = list(Target.objects.filter(task_id__in=task_ids).select_related("task"))
    # A target led by a group is judged once and shown to each member.
    day = min(as_of, dt.date(year, 12, 31))
    judged = {t.pk: _target_fact(t, day) for t in targets}
    result: dict[int, list[scoring.TargetFact]] = defaultdict(list)
    for unit_id, tasks in lead_tasks.items():
        result[unit_id] = [judged[t.pk] for t in targets if t.task_id in tasks]
    return result


def _notices_by_unit(year: int, unit_ids: set[int], as_of: dt.date) -> dict[int, list[scoring.NoticeFact]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = Q(due_date__range=(start, end)) | Q(due_date__isnull=True, sent_at__year=year)
    notices = (
        SupervisionNotice.objects.filter(in_year, unit_id__in=unit_ids)
        .select_related("task")
        .order_by("due_date", "sent_at", "id")
    )
    result: dict[int, list[scoring.NoticeFact]] = defaultdict(list)
    for n in notices:
        label = f"{n.task.code} {n.title}" if n.task is not None else n.title
        result[n.unit_id].append(
            scoring.NoticeFact(
                label=label,
                due_date=n.due_date,
                acknowledged_on=_local_day(n.acknowledged_at, as_of),
                answered_on=_local_day(n.answered_at, as_of),
            )
        )
    return result


def gather_facts(
    scheme: AssessmentScheme, units: Iterable[OrgUnit], as_of: dt.date
) -> dict[int, scoring.UnitFacts]:
    """Facts of each unit in ``units`` for ``scheme.year`` as of ``as_of`` (a fixed number of queries)."""
    year = scheme.year
    units = list(units)
    unit_ids = {u.pk for u in units}
    tasks = (
        PlanTask.objects.filter(plan__in=plans_covering(year))
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "units", queryset=TaskUnit.objects.select_related("unit").prefetch_related("unit__members")
            )
        )
    )
    compliance = compliance_for_units(units, as_of=as_of, year=year, tasks=tasks)
    targets = _targets_by_unit(year, unit_ids, as_of)
    notices = _notices_by_unit(year, unit_ids, as_of)
    events: dict[int, list[scoring.VetoEventFact]] = defaultdict(list)
    for event in VetoEvent.objects.filter(year=year, unit_id__in=unit_ids).order_by("occurred_on", "id"):
        events[event.unit_id].append(event.as_domain())
    adjustments: dict[int, list[scoring.AdjustmentFact]] = defaultdict(list)
    for adj in ManualAdjustment.objects.filter(scheme=scheme, unit_id__in=unit_ids).select_related("by"):
        by = str(adj.by) if adj.by is not None else ""
        adjustments[adj.unit_id].append(scoring.AdjustmentFact(Decimal(adj.points), adj.reason, by))

    result: dict[int, scoring.UnitFacts] = {}
    for unit in units:
        reports = tuple(
            scoring.ReportFact(
                task=item.task_code,
                year=item.year,
                quarter=item.quarter,
                state=scoring.ReportState(item.state),
            )
            for item in sorted(compliance.get(unit.pk, []), key=lambda i: (i.year, i.quarter, i.task_code))
        )
        result[unit.pk] = scoring.UnitFacts(
            unit=unit.name,
            year=year,
            as_of=as_of,
            reports=reports,
            targets=tuple(targets.get(unit.pk, [])),
            notices=tuple(notices.get(unit.pk, [])),
            events=tuple(events.get(unit.pk, [])),
            adjustments=tuple(adjustments.get(unit.pk, [])),
        )
    return result
