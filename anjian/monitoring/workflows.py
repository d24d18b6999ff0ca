"""Alarm handling as a transition table (``core.workflow``), issue 12.

待确认 → 已确认 → (已指派 →) 已处置 → 已关闭; 已指派 may be reassigned. A named person acknowledges (which stops
the escalation ladder), a disposal record (cause, measures, false alarm or not) is required to handle it,
and an alarm is closed (销警) only once its value has cleared. Who may take a step: whoever may change
the alarm (its enterprise's users, its supervising department, the zone-wide roles).

``actions.py`` has one action per edge (``do_acknowledge_alarm`` …) calling ``core.workflow.apply``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anjian.core.access import scope_of
from anjian.core.errors import ValidationFailed
from anjian.core.workflow import Edge, Refusal, Workflow, register_workflow
from anjian.monitoring.choices import AlarmStatus as S
from anjian.monitoring.choices import MonitoringEvent
from anjian.monitoring.models import Alarm

__all__ = ["ALARM_FLOW", "may_handle"]


def may_handle(alarm: Any, user: Any) -> bool:
    """``user`` may change (handle) ``alarm``: the assignee must be such a user."""
    q = Alarm.scope_q(scope_of(user), "change")
    return q is not None and Alarm.objects.filter(q, pk=alarm.pk).exists()


def _assign(alarm: Any, data: Mapping[str, Any]) -> list[str]:
    assignee = data["assignee"]
    if not may_handle(alarm, assignee):
        raise ValidationFailed("该用户无权处置这家企业的报警", field="assignee")
    alarm.assigned_to = assignee
    return ["assigned_to"]


def _handle(alarm: Any, data: Mapping[str, Any]) -> list[str]:
    alarm.cause = str(data["cause"]).strip()[:2000]
    alarm.measures = str(data["measures"]).strip()[:2000]
    alarm.false_alarm = bool(data.get("false_alarm"))
    return ["cause", "measures", "false_alarm"]


def value_cleared(alarm: Any, user: Any) -> str | None:
    """报警已消除（数值回到正常区间）"""
    if alarm.active:
        return Refusal("报警尚未消除（数值仍在报警区间），不能关闭", "alarm_still_active")
    return None


_ASSIGN: dict[str, Any] = {
    "requires": ("assignee",),
    "effect": _assign,
    "stamp_at": "assigned_at",
    "event": MonitoringEvent.ALARM_ASSIGNED,
}
_HANDLE: dict[str, Any] = {
    "requires": ("cause", "measures"),
    "effect": _handle,
    "stamp_at": "handled_at",
    "stamp_by": "handled_by",
    "event": MonitoringEvent.ALARM_HANDLED,
}

ALARM_FLOW = register_workflow(
    Workflow(
        key="monitoring.alarm",
        label="报警",
        model=Alarm,
        states=S,
        edges=(
            Edge(
                S.RAISED,
                S.ACKNOWLEDGED,
                "acknowledge",
                "确认",
                stamp_at="acknowledged_at",
                stamp_by="acknowledged_by",
                event=MonitoringEvent.ALARM_ACKNOWLEDGED,
            ),
            Edge(S.ACKNOWLEDGED, S.ASSIGNED, "assign", "指派", **_ASSIGN),
            Edge(S.ASSIGNED, S.ASSIGNED, "assign", "指派", **_ASSIGN),
            Edge(S.ACKNOWLEDGED, S.HANDLED, "handle", "处置", **_HANDLE),
            Edge(S.ASSIGNED, S.HANDLED, "handle", "处置", **_HANDLE),
            Edge(
                S.HANDLED,
                S.CLOSED,
                "close",
                "关闭",
                ready=value_cleared,
                stamp_at="closed_at",
                stamp_by="closed_by",
                event=MonitoringEvent.ALARM_CLOSED,
            ),
        ),
        required_messages={
            "assignee": "请选择处置人",
            "cause": "请填写报警原因",
            "measures": "请填写处置措施",
        },
    )
)
