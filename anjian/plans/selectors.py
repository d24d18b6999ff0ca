"""Read-side helpers of the plans app: who reports on what, and which quarterly reports are due, late or missing.

The assessment module scores units with :func:`report_compliance`; pages and to-dos use the same functions,
so "missing" means one thing everywhere.

Rules (issue 2, "Supervision"):

* every unit of a task reports — lead, cooperating and responsible; a group unit ("两镇",
  "安委会各成员单位") stands for each of its members;
* one report per task, unit and quarter, due by the quarter's last day + ``settings.ANJIAN_REPORT_GRACE_DAYS``
  (15) days;
* only quarters inside the plan period that have ended by ``as_of`` (their last day < ``as_of``) count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from anjian.core.access import restrict, scope_of
from anjian.orgs.choices import Role
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import ComplianceState, ReportStatus, TaskRole
from anjian.plans.models import Plan, PlanTask, ProgressReport, TaskUnit

__all__ = [
    "ComplianceSummary",
    "QuarterDue",
    "compliance_for_units",
    "current_quarter",
    "filing_units_for",
    "quarter_bounds",
    "quarters_ended",
    "report_compliance",
    "report_due_date",
    "reporting_units",
    "reports_due",
    "task_status",
    "tasks_of_unit",
    "visible_tasks",
]

# ---------------------------------------------------------------------------------------------------
# Quarters
# ---------------------------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``quarter`` (1–4) of ``year``."""
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def report_due_date(year: int, quarter: int) -> dt.date:
    """The last day to file the report for a quarter: quarter end + ``ANJIAN_REPORT_GRACE_DAYS``."""
    return quarter_bounds(year, quarter)[1] + dt.timedelta(days=settings.ANJIAN_REPORT_GRACE_DAYS)


def current_quarter(day: dt.date) -> tuple[int, int]:
    """``(year, quarter)`` containing ``day``."""
    return day.year, (day.month - 1) // 3 + 1


def quarters_ended(plan: Plan, as_of: dt.date, year: int | None = None) -> list[tuple[int, int]]:
    """Quarters inside the plan period whose last day is before ``as_of`` (optionally of one ``year``)."""
    result = []
    for y in range(plan.period_start.year, plan.period_end.year + 1):
        if year is not None and y != year:
            continue
        for q in range(1, 5):
            start, end = quarter_bounds(y, q)
            if start >= plan.period_start and end <= plan.period_end and end < as_of:
                result.append((y, q))
    return result


def quarter_in_plan(plan: Plan, year: int, quarter: int) -> bool:
    """Whether a quarter lies inside the plan period."""
    start, end = quarter_bounds(year, quarter)
    return start >= plan.period_start and end <= plan.period_end


# ---------------------------------------------------------------------------------------------------
# Units of a task
# ---------------------------------------------------------------------------------------------------


def _expand(unit: OrgUnit) -> list[OrgUnit]:
    """A unit itself, or the active members of a group (uses prefetched ``members`` when present)."""
    if unit.is_group:
        return [m for m in unit.members.all() if m.is_active and not m.is_group]
    return [unit]


def reporting_units(task: PlanTask) -> dict[OrgUnit, list[str]]:
    """Each concrete unit that reports on ``task`` → its roles (lead/cooperating/responsible), groups expanded.

    Ordered as the plan names them. Prefetch ``units__unit__members`` for lists.
    """
    result: dict[OrgUnit, list[str]] = {}
    for tu in task.units.all():
        for member in _expand(tu.unit):
            roles = result.setdefault(member, [])
            if tu.role not in roles:
                roles.append(tu.role)
    return result


def tasks_of_unit(unit: OrgUnit, plan: Plan | None = None) -> QuerySet[PlanTask]:
    """Tasks on which ``unit`` (directly or through a group it belongs to) has a role."""
    ids = [unit.pk, *unit.groups.values_list("pk", flat=True)]
    qs = PlanTask.objects.filter(units__unit_id__in=ids)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.distinct().select_related("plan")


def filing_units_for(task: PlanTask, user: Any) -> list[OrgUnit]:
    """The units ``user`` may file reports for on ``task``: their own unit, if it reports on the task."""
    scope = scope_of(user)
    if scope.org_id is None or not (scope.is_government and scope.role != Role.ADMIN):
        return []
    return [u for u in reporting_units(task) if u.pk == scope.org_id]


def visible_tasks(user: Any) -> QuerySet[PlanTask]:
    """Tasks the user may see, with units prefetched."""
    return (
        restrict(PlanTask.objects.all(), user)
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "units", queryset=TaskUnit.objects.select_related("unit").prefetch_related("unit__members")
            ),
        )
    )


# ---------------------------------------------------------------------------------------------------
# Due, on time, late, missing
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterDue:
    """One report that was due: task × unit × quarter, and what happened.

    ``state`` is a :class:`~anjian.plans.choices.ComplianceState`: ``on_time`` (filed by ``due_date``),
    ``late`` (filed after it), ``missing`` (not filed and ``due_date`` has passed) or ``open`` (the quarter
    ended but the grace period still runs). ``report_id`` / ``report_status`` describe the filed report
    (``None`` when none was filed by ``as_of``).
    """

    task_id: int
    task_code: str
    unit_id: int
    year: int
    quarter: int
    due_date: dt.date
    state: str
    report_id: int | None = None
    report_status: str | None = None

    @property
    def label(self) -> str:
        """ "2024年第3季度"."""
        return f"{self.year}年第{self.quarter}季度"

    @property
    def state_label(self) -> str:
        return str(ComplianceState(self.state).label)

    @property
    def colour(self) -> str:
        return ComplianceState.colour_of(self.state)


@dataclass
class ComplianceSummary:
    """What a unit owed in a year and what it filed.

    ``items`` lists every due report (one :class:`QuarterDue` per task × quarter). The counts are:
    ``due`` = all items, ``on_time`` + ``late`` + ``missing`` + ``open`` = ``due``. ``filed`` =
    ``on_time`` + ``late``. ``on_time_rate`` is ``on_time / (due - open)`` in percent (``None`` when
    nothing is yet assessable).
    """

    unit: OrgUnit
    year: int
    as_of: dt.date
    items: list[QuarterDue] = field(default_factory=list)

    def _count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    @property
    def due(self) -> int:
        return len(self.items)

    @property
    def on_time(self) -> int:
        return self._count(ComplianceState.ON_TIME)

    @property
    def late(self) -> int:
        return self._count(ComplianceState.LATE)

    @property
    def missing(self) -> int:
        return self._count(ComplianceState.MISSING)

    @property
    def open(self) -> int:
        return self._count(ComplianceState.OPEN)

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        base = self.due - self.open
        return None if base == 0 else round(100.0 * self.on_time / base, 1)


class _Filed(NamedTuple):
    id: int
    status: str
    is_late: bool
    submitted_at: dt.datetime


def _cutoff(as_of: dt.date) -> dt.datetime:
    """The first instant after ``as_of`` (local time): reports filed from then on are not seen."""
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def _item(
    task: PlanTask,
    unit_id: int,
    year: int,
    quarter: int,
    filed: _Filed | None,
    as_of: dt.date,
    cutoff: dt.datetime,
) -> QuarterDue:
    due = report_due_date(year, quarter)
    # A report filed after ``as_of`` was not there yet: reruns with a past ``as_of`` see the past.
    if filed is not None and filed.submitted_at >= cutoff:
        filed = None
    if filed is not None:
        state = ComplianceState.LATE if filed.is_late else ComplianceState.ON_TIME
        return QuarterDue(task.pk, task.code, unit_id, year, quarter, due, state, filed.id, filed.status)
    state = ComplianceState.MISSING if as_of > due else ComplianceState.OPEN
    return QuarterDue(task.pk, task.code, unit_id, year, quarter, due, state)


_FILED_FIELDS = ("id", "status", "is_late", "submitted_at")


def reports_due(task: PlanTask, unit: OrgUnit, as_of: dt.date | None = None) -> list[QuarterDue]:
    """Every quarterly report ``unit`` owed on ``task`` up to ``as_of`` (today by default), oldest first.

    Empty when ``unit`` does not report on ``task``. Returns a list of :class:`QuarterDue`.
    """
    as_of = as_of or timezone.localdate()
    if unit not in reporting_units(task):
        return []
    filed = {
        (row[0], row[1]): _Filed(*row[2:])
        for row in ProgressReport.objects.filter(task=task, unit=unit).values_list(
            "year", "quarter", *_FILED_FIELDS
        )
    }
    cutoff = _cutoff(as_of)
    return [
        _item(task, unit.pk, y, q, filed.get((y, q)), as_of, cutoff)
        for y, q in quarters_ended(task.plan, as_of)
    ]


def compliance_for_units(
    units: Iterable[OrgUnit],
    *,
    as_of: dt.date | None = None,
    year: int | None = None,
    tasks: Iterable[PlanTask] | None = None,
) -> dict[int, list[QuarterDue]]:
    """Due reports of many units at once (few queries): unit id → list of :class:`QuarterDue`.

    ``tasks`` defaults to every task of every plan; ``year`` limits to one year's quarters.
    """
    as_of = as_of or timezone.localdate()
    wanted = {u.pk for u in units}
    if tasks is None:
        tasks = PlanTask.objects.select_related("plan").prefetch_related(
            Prefetch(
                "units", queryset=TaskUnit.objects.select_related("unit").prefetch_related("unit__members")
            ),
        )
    tasks = list(tasks)
    reports = ProgressReport.objects.filter(unit_id__in=wanted, task__in=[t.pk for t in tasks])
    if year is not None:
        reports = reports.filter(year=year)
    filed = {
        (row[0], row[1], row[2], row[3]): _Filed(*row[4:])
        for row in reports.values_list("task_id", "unit_id", "year", "quarter", *_FILED_FIELDS)
    }
    cutoff = _cutoff(as_of)
    result: dict[int, list[QuarterDue]] = defaultdict(list)
    quarter_cache: dict[int, list[tuple[int, int]]] = {}
    for task in tasks:
        quarters = quarter_cache.get(task.plan_id)
        if quarters is None:
            quarters = quarter_cache[task.plan_id] = quarters_ended(task.plan, as_of, year)
        for unit in reporting_units(task):
            if unit.pk not in wanted:
                continue
            result[unit.pk].extend(
                _item(task, unit.pk, y, q, filed.get((task.pk, unit.pk, y, q)), as_of, cutoff)
                for y, q in quarters
            )
    return result


def report_compliance(
    unit: OrgUnit,
    year: int,
    as_of: dt.date | None = None,
    *,
    tasks: Iterable[PlanTask] | None = None,
) -> ComplianceSummary:
    """What ``unit`` owed in ``year`` across all its tasks: a :class:`ComplianceSummary` (due/on time/late/missing).

    ``as_of`` defaults to today; for a past year pass e.g. ``date(year + 1, 1, 16)`` or later so that the
    fourth quarter's grace period has run out. Used by the yearly assessment. ``tasks``: the unit's tasks when the
    caller has them loaded (with ``units__unit__members``), instead of reading every task of every plan again.
    """
    as_of = as_of or timezone.localdate()
    items = compliance_for_units([unit], as_of=as_of, year=year, tasks=tasks).get(unit.pk, [])
    return ComplianceSummary(unit=unit, year=year, as_of=as_of, items=items)


def task_status(reports: Iterable[Any]) -> str:
    """A task's overall status from its units' latest reports (reports or rows with ``unit_id``, ``year``,
    ``quarter`` and ``status``): 滞后 if any unit is behind, 已完成 if all are
    done, 推进中 if any started, else 未开始."""
    latest: dict[int, Any] = {}
    for r in reports:
        cur = latest.get(r.unit_id)
        if cur is None or (r.year, r.quarter) > (cur.year, cur.quarter):
            latest[r.unit_id] = r
    statuses = {r.status for r in latest.values()}
    if not statuses:
        return ReportStatus.NOT_STARTED
    if ReportStatus.BEHIND in statuses:
        return ReportStatus.BEHIND
    if statuses == {ReportStatus.DONE}:
        return ReportStatus.DONE
    if statuses & {ReportStatus.IN_PROGRESS, ReportStatus.DONE}:
        return ReportStatus.IN_PROGRESS
    return ReportStatus.NOT_STARTED


def unit_roles_label(roles: list[str]) -> str:
    """ "牵头单位、配合单位"."""
    return "、".join(str(TaskRole(r).label) for r in roles)
