"""Live metrics of monitoring bound to the plan's target (chapter 五（三）): 重点危化品生产企业可燃和有毒气体检测报警、
紧急切断、自动化系统装备率和有效投用率达到 100%.

* ``monitoring.effective_use_rate`` — 有效投用率: over the 7 days ending on the day, the share of minutes in
  which each enabled point delivered at least one good-quality reading (a point with a longer collection
  interval is credited for its interval), averaged over the points of enterprises that produce hazardous
  chemicals. Computed from the 1-minute rollups (``reports.availability``).
* ``monitoring.equipment_rate`` — 装备率: share of active hazardous-chemical production enterprises with a major
  hazard (or key process) that have at least one enabled gas detector *and* at least one process point
  (temperature, pressure or level). Refined per installation when the major-hazards module lands.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from anjian.core.metrics import MetricValue, metric, rate
from anjian.enterprises.choices import ACTIVE_STATES
from anjian.enterprises.models import Enterprise
from anjian.monitoring.choices import PointKind
from anjian.monitoring.models import MonitoringPoint

__all__ = ["effective_use_rate", "equipment_rate"]

HAZCHEM = "hazchem_production"


@metric("monitoring.effective_use_rate", "可燃和有毒气体检测报警等监测点有效投用率", unit="%")
def effective_use_rate(as_of: dt.date) -> MetricValue:
    from anjian.monitoring.reports import availability_of

    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    end_ms = min(int(end.timestamp() * 1000), int(time.time() * 1000))
    points = MonitoringPoint.objects.filter(enabled=True, enterprise__industry=HAZCHEM)
    result = availability_of(points, days=7, now_ms=end_ms)
    if result["overall"] is None:
        return MetricValue(value=None, detail="尚无监测点")
    return MetricValue(
        value=Decimal(str(result["overall"])),
        numerator=None,
        denominator=len(result["points"]),
        detail=f"{len(result['points'])} 个监测点近7天平均",
        breakdown={e["name"]: e["rate"] for e in result["enterprises"]},
    )


@metric("monitoring.equipment_rate", "重点危化品生产企业监测预警装备率", unit="%")
def equipment_rate(as_of: dt.date) -> MetricValue:
    gas = MonitoringPoint.objects.filter(
        enterprise_id=OuterRef("pk"), enabled=True, kind__in=[PointKind.COMBUSTIBLE, PointKind.TOXIC]
    )
    process = MonitoringPoint.objects.filter(
        enterprise_id=OuterRef("pk"),
        enabled=True,
        kind__in=[PointKind.TEMPERATURE, PointKind.PRESSURE, PointKind.LEVEL],
    )
    base = Enterprise.objects.filter(status__in=sorted(ACTIVE_STATES), industry=HAZCHEM).filter(
        Q(major_hazard=True) | Q(key_process=True)
    )
    total = base.count()
    equipped = base.filter(Exists(gas), Exists(process)).count()
    return MetricValue(
        value=rate(equipped, total), numerator=equipped, denominator=total, detail=f"{equipped}/{total} 家"
    )
