"""Read-side computations: trend from rollups, alarm quality, 有效投用率, ingest counters, Prometheus text."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

from django.db.models import Count, F
from django.utils import timezone

from anjian.core.access import restrict
from anjian.domain.alarm_rules import STANDING_MS, chattering_bursts
from anjian.monitoring.choices import AlarmStatus, AlarmType, RejectReason
from anjian.monitoring.models import Alarm, AlarmLog, IngestCounter, MonitoringPoint, ReadingRollup

__all__ = ["availability", "availability_of", "ingest_counters", "prometheus_text", "quality", "trend"]

MINUTE_MS = 60_000


def _now_ms() -> int:
    return int(time.time() * 1000)


def trend(point: MonitoringPoint, *, hours: int = 24) -> dict[str, Any]:
    """The point's 1-minute rollups over the last ``hours`` (epoch ms, min, max, avg) and its thresholds."""
    since = _now_ms() - hours * 3600 * 1000
    rows = ReadingRollup.objects.filter(point=point, minute__gte=since).order_by("minute")
    return {
        "point": point.pk,
        "unit": point.unit,
        "thresholds": {"ll": point.ll, "l": point.l, "h": point.h, "hh": point.hh},
        "series": [[r.minute, r.vmin, r.vmax, r.vavg, r.n, r.n_bad] for r in rows.iterator()],
    }


def availability(user: Any, *, days: int = 7, now_ms: int | None = None) -> dict[str, Any]:
    """有效投用率 of the points ``user`` may see (see :func:`availability_of`)."""
    return availability_of(
        restrict(MonitoringPoint.objects.filter(enabled=True), user), days=days, now_ms=now_ms
    )


def availability_of(points_qs: Any, *, days: int = 7, now_ms: int | None = None) -> dict[str, Any]:
    """有效投用率: per point, the share of minutes in the period with at least one good reading (a point with a
    longer collection interval is credited for its interval); per enterprise the mean over its enabled points;
    overall the same. The plan's target is 100 %."""
    now = _now_ms() if now_ms is None else now_ms
    # The current (partial) minute counts: a point that reported in it is in use now.
    end = (now // MINUTE_MS + 1) * MINUTE_MS
    start = end - days * 86_400_000
    # Plain rows, not model instances: a province has tens of thousands of points (issue 8).
    points = list(
        points_qs.order_by("enterprise_id", "tag").values_list(
            "pk", "tag", "name", "enterprise_id", "enterprise__name", "created_at", "expected_interval_s"
        )
    )
    good = dict(
        ReadingRollup.objects.filter(
            point__in=points_qs.order_by().values("pk"), minute__gte=start, minute__lt=end, n__gt=0
        )
        .filter(n__gt=F("n_bad"))
        .values("point_id")
        .annotate(c=Count("minute"))
        .values_list("point_id", "c")
    )
    per_point = []
    by_ent: dict[int, list[float]] = defaultdict(list)
    names: dict[int, str] = {}
    for pk, tag, name, enterprise_id, enterprise_name, created_at, interval_s in points:
        created = int(created_at.timestamp() * 1000)
        p_start = max(start, created // MINUTE_MS * MINUTE_MS)
        minutes = max(1, (end - p_start) // MINUTE_MS)
        covered = good.get(pk, 0) * max(1, interval_s // 60)
        rate = min(1.0, covered / minutes)
        per_point.append(
            {
                "point": pk,
                "tag": tag,
                "name": name,
                "enterprise": enterprise_id,
                "rate": round(rate * 100, 1),
            }
        )
        by_ent[enterprise_id].append(rate)
        names[enterprise_id] = enterprise_name
    enterprises = [
        {"enterprise": eid, "name": names[eid], "points": len(r), "rate": round(sum(r) / len(r) * 100, 1)}
        for eid, r in by_ent.items()
    ]
    rates = [x for r in by_ent.values() for x in r]
    overall = round(sum(rates) / len(rates) * 100, 1) if rates else None
    return {"days": days, "target": 100, "overall": overall, "enterprises": enterprises, "points": per_point}


def quality(user: Any, *, days: int = 7, now: dt.datetime | None = None) -> dict[str, Any]:
    """Alarm quality over the last ``days`` (ISA-18.2 / EEMUA 191 measures)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    alarms = restrict(Alarm.objects.all(), user).filter(raised_at__gte=since)
    total = alarms.count()
    raised_by_point: dict[int, list[int]] = defaultdict(list)
    for point_id, ms in alarms.order_by("raised_ms").values_list("point_id", "raised_ms"):
        raised_by_point[point_id].append(ms)
    chattering = {pid: chattering_bursts(ms) for pid, ms in raised_by_point.items()}
    points = {
        p.pk: p
        for p in MonitoringPoint.objects.filter(pk__in=list(raised_by_point)).select_related("enterprise")
    }
    nuisance = sorted(raised_by_point.items(), key=lambda kv: -len(kv[1]))[:10]
    now_ms = int(now.timestamp() * 1000)
    standing = restrict(Alarm.objects.filter(active=True, raised_ms__lte=now_ms - STANDING_MS), user).count()
    acked = alarms.filter(acknowledged_at__isnull=False).values_list("raised_at", "acknowledged_at")
    closed = alarms.filter(closed_at__isnull=False).values_list("raised_at", "closed_at")

    def mean_minutes(pairs: Any) -> float | None:
        values = [(b - a).total_seconds() / 60 for a, b in pairs]
        return round(sum(values) / len(values), 1) if values else None

    flap_count = AlarmLog.objects.filter(
        alarm__in=alarms, event__in=["raised", "cleared"], alarm__type=AlarmType.PROCESS
    ).count()
    per_day = round(total / days, 1)
    return {
        "days": days,
        "alarms": total,
        "alarms_per_day": per_day,
        "open": alarms.exclude(status=AlarmStatus.CLOSED).count(),
        "unacknowledged": alarms.filter(status=AlarmStatus.RAISED).count(),
        "false_alarms": alarms.filter(false_alarm=True).count(),
        "standing": standing,
        "chattering_points": sum(1 for b in chattering.values() if b),
        "raise_clear_events": flap_count,
        "mean_minutes_to_acknowledge": mean_minutes(acked),
        "mean_minutes_to_close": mean_minutes(closed),
        "nuisance": [
            {
                "point": pid,
                "tag": points[pid].tag,
                "name": points[pid].name,
                "enterprise": points[pid].enterprise.name,
                "alarms": len(ms),
                "chattering_bursts": chattering[pid],
            }
            for pid, ms in nuisance
            if pid in points
        ],
    }


def ingest_counters() -> dict[str, Any]:
    """Rejected telemetry by reason (every reason listed, zero when never seen)."""
    stored = {c.reason: c for c in IngestCounter.objects.all()}
    rows = []
    for reason in RejectReason:
        c = stored.get(reason.value)
        rows.append(
            {
                "reason": reason.value,
                "label": str(reason.label),
                "count": c.count if c else 0,
                "last_at": c.last_at.isoformat() if c and c.last_at else None,
                "last_detail": c.last_detail if c else "",
            }
        )
    return {"reasons": rows, "total": sum(r["count"] for r in rows)}


def prometheus_text(extra: dict[str, float] | None = None) -> str:
    """The counters in the Prometheus text exposition format (version 0.0.4)."""
    lines = [
        "# HELP anjian_telemetry_rejected_total Telemetry inputs rejected by the ingest path, by reason.",
        "# TYPE anjian_telemetry_rejected_total counter",
    ]
    for row in ingest_counters()["reasons"]:
        lines.append(f'anjian_telemetry_rejected_total{{reason="{row["reason"]}"}} {row["count"]}')
    open_by_type = dict(
        Alarm.objects.exclude(status=AlarmStatus.CLOSED)
        .values("type")
        .annotate(c=Count("id"))
        .values_list("type", "c")
    )
    lines += [
        "# HELP anjian_alarms_open Alarms not yet closed, by type.",
        "# TYPE anjian_alarms_open gauge",
    ]
    for t in AlarmType:
        lines.append(f'anjian_alarms_open{{type="{t.value}"}} {open_by_type.get(t.value, 0)}')
    for name, value in (extra or {}).items():
        lines += [
            f"# TYPE {name} gauge" if not name.endswith("_total") else f"# TYPE {name} counter",
            f"{name} {value}",
        ]
    return "\n".join(lines) + "\n"
