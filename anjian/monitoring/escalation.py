"""Escalation of unacknowledged alarms on a configurable ladder (值班人员 → 企业主要负责人 → 监管部门).

Each step is recorded (``Escalation`` row + one audit row). The ladder is ``ANJIAN_MONITORING_ESCALATION`` in
settings: a list of ``(minutes after raise, target key, label)``. Notifications go through
``anjian.core.notifications.notify`` when that module is installed (core issue 6); until then the step is
recorded and logged — :func:`_notify` is the one integration point.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from anjian.monitoring.choices import AlarmStatus

__all__ = ["LADDER", "Step", "escalate_due", "ladder"]

log = logging.getLogger("anjian.monitoring.escalation")


@dataclass(frozen=True)
class Step:
    after_minutes: float
    target: str
    label: str


LADDER: tuple[Step, ...] = (
    Step(5, "duty", "企业值班人员"),
    Step(15, "principal", "企业主要负责人"),
    Step(30, "department", "行业监管部门"),
)


def ladder() -> tuple[Step, ...]:
    configured = getattr(settings, "ANJIAN_MONITORING_ESCALATION", None)
    if configured:
        return tuple(Step(float(a), str(t), str(label)) for a, t, label in configured)
    return LADDER


def _notify(alarm: Any, step: Step, unit: Any) -> None:
    """Send the escalation to its target through core notifications (the log when there is no target unit)."""
    from anjian.core import notifications

    if unit is not None:
        notifications.notify(
            [unit],
            title=f"报警未确认：{alarm}",
            body=f"{alarm.enterprise}的报警已超过{step.after_minutes:g}分钟未确认，已升级至{step.label}。",
            why="monitoring.escalation",
            target=alarm,
        )
        return
    log.warning("alarm %s escalated to %s", alarm.pk, step.label)


def escalate_due(now: dt.datetime | None = None) -> int:
    """Escalate every unacknowledged alarm whose next ladder step is due; return the number of steps taken."""
    from anjian.monitoring.actions import do_escalate_alarm
    from anjian.monitoring.models import Alarm

    now = now or timezone.now()
    steps = ladder()
    taken = 0
    first = min((s.after_minutes for s in steps), default=None)
    if first is None:
        return 0
    candidates = Alarm.objects.filter(
        status=AlarmStatus.RAISED,
        escalation_step__lt=len(steps),
        raised_at__lte=now - dt.timedelta(minutes=first),
    ).select_related("enterprise", "point")
    for alarm in candidates:
        taken += do_escalate_alarm(alarm, steps, now, notify=_notify)
    return taken
