"""Live standardisation metrics bound to the plan's targets (chapter 二（三） and 八（五）).

Definitions used by all three:

* **Active enterprise**: status 在营 or 停产 (``ACTIVE_STATES``). 筹建 (not yet producing) and 关闭 are
  left out of both numerator and denominator. Status and scale are the enterprise's present values.
* **Valid grading on day D**: the enterprise's *current* grading (``is_current``) issued on or before D
  whose three-year re-review is not overdue on D (``review_due >= D``). A grading whose re-review date has
  passed no longer counts until a new grading is recorded.
* The plan's targets: 规模以上企业标准化达标率 100%, 小微企业规范化达标率 (80% in 二（三）, 60% in 八（五）),
  二级标准化企业增加 2 家, all by the end of 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from anjian.core.metrics import MetricValue, metric, rate
from anjian.enterprises.choices import ACTIVE_STATES, LEVEL2_OR_BETTER, STANDARD_GRADES, Scale
from anjian.enterprises.models import Enterprise, Standardization

__all__ = ["PLAN_START", "above_scale_rate", "level2_added", "small_rate"]

#: The plan period begins on this day; "added since the plan began" counts from here.
PLAN_START = dt.date(2021, 1, 1)


def _valid_gradings(as_of: dt.date, grades: frozenset[str] | None = None) -> QuerySet[Standardization]:
    qs = Standardization.objects.filter(
        enterprise_id=OuterRef("pk"),
        is_current=True,
        issued_on__lte=as_of,
        review_due__gte=as_of,
    )
    return qs.filter(grade__in=sorted(grades)) if grades is not None else qs


def _active(scale: str) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(scale=scale, status__in=sorted(ACTIVE_STATES))


@metric("standardization.above_scale_rate", "规模以上企业安全生产标准化达标率", unit="%")
def above_scale_rate(as_of: dt.date) -> MetricValue:
    """Active above-scale enterprises holding a valid 一级/二级/三级 grading ÷ active above-scale enterprises."""
    base = _active(Scale.ABOVE)
    denominator = base.count()
    numerator = base.filter(Exists(_valid_gradings(as_of, STANDARD_GRADES))).count()
    return MetricValue(
        value=rate(numerator, denominator),
        numerator=numerator,
        denominator=denominator,
        detail=f"规模以上在营/停产企业 {denominator} 家，持有效一、二、三级标准化证书 {numerator} 家",
    )


@metric("standardization.small_rate", "小微企业安全生产规范化达标率", unit="%")
def small_rate(as_of: dt.date) -> MetricValue:
    """Active small enterprises holding a valid 小微企业规范化 (or any higher) grading ÷ active small enterprises."""
    base = _active(Scale.SMALL)
    denominator = base.count()
    numerator = base.filter(Exists(_valid_gradings(as_of))).count()
    return MetricValue(
        value=rate(numerator, denominator),
        numerator=numerator,
        denominator=denominator,
        detail=f"小微在营/停产企业 {denominator} 家，规范化（或标准化）有效 {numerator} 家",
    )


@metric("standardization.level2_added", "新增二级安全生产标准化企业", unit="家")
def level2_added(as_of: dt.date) -> MetricValue:
    """Enterprises first graded 二级 or 一级 between the plan's start (2021-01-01) and ``as_of``.

    An enterprise that already held 二级 or better before 2021 does not count; a later lapse does not
    remove one that reached it (the target counts enterprises created, 创建).
    """
    level2 = Standardization.objects.filter(enterprise_id=OuterRef("pk"), grade__in=sorted(LEVEL2_OR_BETTER))
    qs = Enterprise.objects.filter(
        Exists(level2.filter(issued_on__gte=PLAN_START, issued_on__lte=as_of)),
    ).exclude(Exists(level2.filter(issued_on__lt=PLAN_START)))
    names = list(qs.order_by("name").values_list("name", flat=True))
    count = len(names)
    return MetricValue(
        value=Decimal(count),
        numerator=count,
        denominator=None,
        detail=f"2021年以来新创建二级及以上标准化企业 {count} 家"
        + (f"：{'、'.join(names)}" if names else ""),
        breakdown={"enterprises": names},
    )
