"""Live metrics of the 重大危险源 register for the plan (4.1, 4.7, 五) and the cockpit.

* ``majorhazards.count`` — 重大危险源 in use (is_major, status 在用), with the count per grade in
  ``breakdown`` (一级…四级).
* ``majorhazards.count_grade_N`` (N = 1…4) — the same, one grade.
* ``majorhazards.baobao_complete_rate`` — share of those with complete 包保: all three levels (主要负责人,
  技术负责人, 操作负责人) assigned to people still employed, and no open 包保 gap (missing person, lapsed
  certificate, missed check) found by the daily job.
The metrics read the current register; ``as_of`` is accepted for the interface (the register keeps the
present state and, for grades, the history in ``Grading``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef

from anjian.core.metrics import MetricValue, metric, rate
from anjian.majorhazards.choices import GapKind, Grade, InstallationStatus, ResponsibilityLevel
from anjian.majorhazards.models import HazardInstallation, Responsibility, ResponsibilityGap

__all__ = ["baobao_complete_rate", "major_hazard_count"]

_BAOBAO_GAPS = (GapKind.MISSING_PERSON, GapKind.LAPSED_CERTIFICATE, GapKind.MISSED_CHECK)


@metric("majorhazards.count", "重大危险源数量", unit="处")
def major_hazard_count(as_of: dt.date) -> MetricValue:
    """重大危险源 in use, by grade."""
    qs = HazardInstallation.objects.filter(is_major=True, status=InstallationStatus.IN_USE)
    by_grade = {row["grade"]: row["n"] for row in qs.order_by().values("grade").annotate(n=Count("id"))}
    breakdown: dict[str, object] = {str(Grade(g).label): by_grade.get(g, 0) for g in (1, 2, 3, 4)}
    total = sum(by_grade.values())
    parts = "，".join(f"{k}{v}处" for k, v in breakdown.items())
    detail = f"在用重大危险源 {total} 处（{parts}）"
    return MetricValue(
        value=Decimal(total), numerator=total, denominator=None, detail=detail, breakdown=breakdown
    )


def _grade_metric(grade: int) -> None:
    label = str(Grade(grade).label)

    @metric(f"majorhazards.count_grade_{grade}", f"{label}重大危险源数量", unit="处")
    def count(as_of: dt.date) -> MetricValue:
        n = HazardInstallation.objects.filter(
            is_major=True, status=InstallationStatus.IN_USE, grade=grade
        ).count()
        return MetricValue(
            value=Decimal(n), numerator=n, denominator=None, detail=f"在用{label}重大危险源 {n} 处"
        )


for _g in (1, 2, 3, 4):
    _grade_metric(_g)


@metric("majorhazards.baobao_complete_rate", "重大危险源包保责任落实率", unit="%")
def baobao_complete_rate(as_of: dt.date) -> MetricValue:
    """Installations with all three 包保 levels held by employed people and no open 包保 gap ÷ all in use."""
    base = HazardInstallation.objects.filter(is_major=True, status=InstallationStatus.IN_USE)
    denominator = base.count()
    qs = base
    for level in ResponsibilityLevel.values:
        qs = qs.filter(
            Exists(
                Responsibility.objects.filter(
                    installation_id=OuterRef("pk"), level=level, until__isnull=True, person__is_active=True
                )
            )
        )
    gaps = ResponsibilityGap.objects.filter(
        installation_id=OuterRef("pk"), resolved_at__isnull=True, kind__in=[str(k) for k in _BAOBAO_GAPS]
    )
    numerator = qs.exclude(Exists(gaps)).count()
    return MetricValue(
        value=rate(numerator, denominator),
        numerator=numerator,
        denominator=denominator,
        detail=f"在用重大危险源 {denominator} 处，三级包保责任人齐全且无包保缺口 {numerator} 处",
    )
