"""Metrics of 隐患排查治理 bound to the plan's targets (chapter 二 2.2) through ``core.metrics``.

Definitions (standards.md §5.4 suggests the formulas; no normative text was found):

* The period is the calendar year of ``as_of`` up to ``as_of`` (year to date).
* **隐患整改率** = dangers reported in the period and closed (已销号) by ``as_of`` ÷ dangers reported in the
  period, 不予认定 left out of both.
* **重大隐患整改率**: the same for grade 重大.
* **按期整改率** = dangers closed in the period on or before their deadline ÷ dangers closed in the period
  that had a deadline.
* **任务完成率** = inspection periods done on time ÷ periods due, ended in the period (from
  ``TaskCompletionStat``, written by the completion job, never counted at page load).
* **双重预防机制建设完成率** (task 2.2's 2025 goal): 危化 enterprises (生产/经营/使用) that are in business and
  have a 重大危险源, whose set-up is complete: at least one risk event, every risk event assessed, at
  least one active inspection task valid on ``as_of``, and no overdue 重大 danger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from anjian.core.access import restrict, scope_of
from anjian.core.metrics import MetricValue, metric, rate
from anjian.dangers.models import HiddenDanger, InspectionTask, TaskCompletionStat
from anjian.enterprises.choices import ACTIVE_STATES

__all__ = [
    "GROUPS",
    "breakdown",
    "invalidate_stats",
    "monthly_trend",
    "setup_complete_q",
    "stats_page",
    "totals",
    "visible",
]

HAZCHEM_INDUSTRIES = ("hazchem_production", "hazchem_trade", "hazchem_use")
GROUPS = {"enterprise": "企业", "industry": "行业", "town": "镇", "department": "监管部门"}


def _period(as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(as_of.year, 1, 1, tzinfo=tz)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, end


def _found(qs: QuerySet[HiddenDanger], as_of: dt.date) -> QuerySet[HiddenDanger]:
    start, end = _period(as_of)
    return qs.filter(reported_at__gte=start, reported_at__lt=end).exclude(status="dismissed")


def _closed_q(as_of: dt.date) -> Q:
    return Q(status="closed", closed_at__lt=_period(as_of)[1])


def _rectification(qs: QuerySet[HiddenDanger], as_of: dt.date, label: str) -> MetricValue:
    found = _found(qs, as_of)
    agg = found.aggregate(n=Count("id"), closed=Count("id", filter=_closed_q(as_of)))
    return MetricValue(
        value=rate(agg["closed"], agg["n"]),
        numerator=agg["closed"],
        denominator=agg["n"],
        detail=f"{as_of.year}年截至{as_of:%m月%d日}{label} {agg['n']} 项，已销号 {agg['closed']} 项",
    )


@metric("dangers.rectification_rate", "隐患整改率", unit="%")
def rectification_rate(as_of: dt.date) -> MetricValue:
    return _rectification(HiddenDanger.objects.all(), as_of, "排查隐患")


@metric("dangers.major_rectification_rate", "重大隐患整改率", unit="%")
def major_rectification_rate(as_of: dt.date) -> MetricValue:
    return _rectification(HiddenDanger.objects.filter(grade="major"), as_of, "重大隐患")


def _on_time(qs: QuerySet[HiddenDanger], as_of: dt.date) -> MetricValue:
    start, end = _period(as_of)
    closed = qs.filter(status="closed", closed_at__gte=start, closed_at__lt=end, deadline__isnull=False)
    # closed_at is a time, deadline a day: on time when closed on or before the deadline's day (local time)
    agg = closed.annotate(
        closed_day=TruncDate("closed_at", tzinfo=timezone.get_current_timezone())
    ).aggregate(total=Count("id"), on_time=Count("id", filter=Q(closed_day__lte=F("deadline"))))
    total, on_time = agg["total"], agg["on_time"]
    return MetricValue(
        value=rate(on_time, total),
        numerator=on_time,
        denominator=total,
        detail=f"{as_of.year}年已销号且有整改期限的隐患 {total} 项，按期 {on_time} 项",
    )


@metric("dangers.on_time_rate", "隐患按期整改率", unit="%")
def on_time_rate(as_of: dt.date) -> MetricValue:
    return _on_time(HiddenDanger.objects.all(), as_of)


def _completion(qs: QuerySet[TaskCompletionStat], as_of: dt.date) -> MetricValue:
    agg = qs.filter(day__gte=dt.date(as_of.year, 1, 1), day__lte=as_of).aggregate(
        due=Sum("due"), on_time=Sum("on_time")
    )
    due, done = agg["due"] or 0, agg["on_time"] or 0
    return MetricValue(
        value=rate(done, due),
        numerator=done,
        denominator=due,
        detail=f"{as_of.year}年应排查 {due} 次，按期完成 {done} 次（由任务完成率作业计算）",
    )


@metric("dangers.task_completion_rate", "隐患排查任务完成率", unit="%")
def task_completion_rate(as_of: dt.date) -> MetricValue:
    return _completion(TaskCompletionStat.objects.all(), as_of)


def setup_complete_q(as_of: dt.date) -> Q:
    """Enterprises whose 双重预防 set-up is complete on ``as_of`` (see the module docstring)."""
    from anjian.risks.models import RiskEvent

    has_event = Exists(RiskEvent.objects.filter(enterprise_id=OuterRef("pk")))
    unassessed = Exists(RiskEvent.objects.filter(enterprise_id=OuterRef("pk"), level=""))
    task = Exists(
        InspectionTask.objects.filter(
            enterprise_id=OuterRef("pk"), is_active=True, valid_from__lte=as_of
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
    )
    overdue_major = Exists(
        HiddenDanger.objects.filter(
            enterprise_id=OuterRef("pk"),
            grade="major",
            status__in=["rectifying", "awaiting_acceptance"],
            deadline__lt=as_of,
        )
    )
    return Q(has_event) & ~Q(unassessed) & Q(task) & ~Q(overdue_major)


def hazchem_major_hazard_enterprises() -> Any:
    from anjian.enterprises.models import Enterprise

    return Enterprise.objects.filter(
        industry__in=HAZCHEM_INDUSTRIES, major_hazard=True, status__in=sorted(ACTIVE_STATES)
    )


def _setup_rate(base: QuerySet[Any], as_of: dt.date) -> MetricValue:
    total = base.count()
    done = base.filter(setup_complete_q(as_of)).count()
    return MetricValue(
        value=rate(done, total),
        numerator=done,
        denominator=total,
        detail=f"涉及重大危险源的危化企业 {total} 家，双重预防机制建设完成 {done} 家",
    )


@metric("dangers.dual_prevention_setup_rate", "涉及重大危险源的危化企业双重预防机制建设完成率", unit="%")
def dual_prevention_setup_rate(as_of: dt.date) -> MetricValue:
    return _setup_rate(hazchem_major_hazard_enterprises(), as_of)


# ---------------------------------------------------------------------------------------------
# Scoped figures for the statistics page
# ---------------------------------------------------------------------------------------------

_GROUP_FIELDS = {
    "enterprise": ("enterprise_id", "enterprise__name"),
    "industry": ("enterprise__industry", "enterprise__industry"),
    "town": ("enterprise__town_id", "enterprise__town__name"),
    "department": ("supervising_unit_id", "supervising_unit__name"),
}


def visible(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """``restrict(qs, user)`` without its DISTINCT, for aggregates over many rows.

    The dangers' and the completion stats' scope follows one foreign key (``enterprise``) and its forward
    joins (``enterprise_scope_q``), so no row can repeat; DISTINCT over 200,000 dangers would cost a sort
    and hide the indexes from the planner.
    """
    scope = scope_of(user)
    if scope.user_id is None:
        return qs.none()
    q = qs.model.scope_q(scope, "view")
    return qs.none() if q is None else qs.filter(q)


def totals(user: Any, as_of: dt.date | None = None) -> dict[str, MetricValue]:
    """The metrics over the dangers (and enterprises) ``user`` may see."""
    as_of = as_of or timezone.localdate()
    qs = visible(HiddenDanger.objects.all(), user)
    stats = visible(TaskCompletionStat.objects.all(), user)
    return {
        "隐患整改率": _rectification(qs, as_of, "排查隐患"),
        "重大隐患整改率": _rectification(qs.filter(grade="major"), as_of, "重大隐患"),
        "按期整改率": _on_time(qs, as_of),
        "任务完成率": _completion(stats, as_of),
        "双重预防建设完成率": _setup_rate(restrict(hazchem_major_hazard_enterprises(), user), as_of),
    }


def breakdown(user: Any, group: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Per enterprise / industry / town / department: found, closed, major, overdue, rates (year to date)."""
    from anjian.enterprises.choices import Industry

    as_of = as_of or timezone.localdate()
    key, label = _GROUP_FIELDS[group]
    qs = _found(visible(HiddenDanger.objects.all(), user), as_of)
    rows = (
        qs.order_by()
        .values(key, label)
        .annotate(
            n=Count("id"),
            closed=Count("id", filter=_closed_q(as_of)),
            major=Count("id", filter=Q(grade="major")),
            major_closed=Count("id", filter=Q(grade="major") & _closed_q(as_of)),
            overdue=Count(
                "id", filter=Q(status__in=["rectifying", "awaiting_acceptance"], deadline__lt=as_of)
            ),
        )
        .order_by("-n")[:200]
    )
    industry = dict(Industry.choices)
    out = []
    for r in rows:
        name = r[label]
        if group == "industry":
            name = industry.get(name, name)
        out.append(
            {
                "name": name or "（未填）",
                "n": r["n"],
                "closed": r["closed"],
                "rate": rate(r["closed"], r["n"]),
                "major": r["major"],
                "major_rate": rate(r["major_closed"], r["major"]),
                "overdue": r["overdue"],
            }
        )
    return out


def monthly_trend(user: Any, months: int = 12, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Per month (oldest first): dangers found, closed in the month, 重大 found, 任务完成率 of the month."""
    as_of = as_of or timezone.localdate()
    first = dt.date(as_of.year, as_of.month, 1)
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    qs = visible(HiddenDanger.objects.all(), user)
    found: dict[str, int] = defaultdict(int)
    major: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    for row in (
        qs.filter(reported_at__gte=start)
        .exclude(status="dismissed")
        .annotate(month=TruncMonth("reported_at", tzinfo=tz))
        .order_by()
        .values("month")
        .annotate(n=Count("id"), n_major=Count("id", filter=Q(grade="major")))
    ):
        m = f"{row['month']:%Y-%m}"
        found[m] += row["n"]
        major[m] += row["n_major"]
    for row in (
        qs.filter(status="closed", closed_at__gte=start)
        .annotate(month=TruncMonth("closed_at", tzinfo=tz))
        .order_by()
        .values("month")
        .annotate(n=Count("id"))
    ):
        closed[f"{row['month']:%Y-%m}"] += row["n"]
    due: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    stats = visible(TaskCompletionStat.objects.all(), user).filter(day__gte=first)
    # grouped by day in SQL (no function per row: an index-only scan), into months here (≤ 366 rows)
    for row in stats.order_by().values("day").annotate(d=Sum("due"), ok=Sum("on_time")):
        due[f"{row['day']:%Y-%m}"] += row["d"] or 0
        done[f"{row['day']:%Y-%m}"] += row["ok"] or 0
    out = []
    cursor = first
    while cursor <= as_of:
        m = f"{cursor:%Y-%m}"
        completion = rate(done[m], due[m])
        out.append(
            {
                "month": m,
                "found": found[m],
                "closed": closed[m],
                "major": major[m],
                "completion": float(completion) if completion is not None else None,
            }
        )
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return out


# ---------------------------------------------------------------------------------------------
# The statistics page, cached per scope
# ---------------------------------------------------------------------------------------------

#: The statistics page is recomputed at most this often per scope (it aggregates a year of dangers and of
#: completion stats: at 200,000 dangers that is seconds of database work, not something to do per view).
STATS_CACHE_SECONDS = 300


def _scope_key(user: Any) -> str:
    import hashlib

    scope = scope_of(user)
    raw = f"{scope.role}|{scope.org_id}|{sorted(scope.unit_ids)}|{sorted(scope.enterprise_ids)}|{scope.is_superuser}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


_GEN_KEY = "anjian:dangers:stats:generation"


def _generation() -> int:
    from django.core.cache import cache

    value = cache.get(_GEN_KEY)
    if value is None:
        cache.add(_GEN_KEY, 1, timeout=None)
        value = cache.get(_GEN_KEY, 1)
    return int(value)


def invalidate_stats(*_args: Any, **_kwargs: Any) -> None:
    """Drop every cached statistics page (a danger changed, or the completion job ran)."""
    from django.core.cache import cache

    try:
        cache.incr(_GEN_KEY)
    except ValueError:
        cache.set(_GEN_KEY, 2, timeout=None)


def stats_page(user: Any, group: str) -> dict[str, Any]:
    """Totals, the breakdown by ``group`` and the 12-month trend for ``user``'s scope, with when they were
    computed; cached per scope and group for :data:`STATS_CACHE_SECONDS` (users of one unit share it) and
    dropped whenever a danger is saved or the completion job runs."""
    from django.core.cache import cache

    day = timezone.localdate().isoformat()
    key = f"anjian:dangers:stats:{_generation()}:{day}:{group}:{_scope_key(user)}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    result = {
        "totals": totals(user),
        "table": breakdown(user, group),
        "trend": monthly_trend(user, months=12),
        "computed_at": timezone.now(),
    }
    cache.set(key, result, STATS_CACHE_SECONDS)
    return result
