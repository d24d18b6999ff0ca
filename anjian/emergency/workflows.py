"""The emergency app's transition tables (``core.workflow``), issue 14.

* Incidents: 已接报 → 处置中 → 调查中 → 已结案, 重新调查 back from 已结案; closing and reopening need a reason.
  Every step also writes a line on the incident's command timeline (``actions.py``).
* Drill improvements: 整改中 → 已完成 (what was done), 退回整改 back (why).

Who may take a step: whoever may change the incident (the reporting side, its town, the zone-wide roles)
or the drill's improvement. ``actions.py`` has one action per edge calling ``core.workflow.apply``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from anjian.core.workflow import Edge, Workflow, register_workflow
from anjian.emergency.choices import EmergencyEvent, ImprovementStatus, IncidentStatus
from anjian.emergency.models import Improvement, Incident

__all__ = ["IMPROVEMENT_FLOW", "INCIDENT_FLOW"]

INCIDENT_FLOW = register_workflow(
    Workflow(
        key="emergency.incident",
        label="事故",
        model=Incident,
        states=IncidentStatus,
        edges=(
            Edge(
                IncidentStatus.REPORTED,
                IncidentStatus.RESPONDING,
                "respond",
                "启动响应",
                event=EmergencyEvent.INCIDENT_RESPONDED,
            ),
            Edge(
                IncidentStatus.RESPONDING,
                IncidentStatus.INVESTIGATING,
                "stand_down",
                "结束处置，转入调查",
                event=EmergencyEvent.INCIDENT_STOOD_DOWN,
            ),
            Edge(
                IncidentStatus.INVESTIGATING,
                IncidentStatus.CLOSED,
                "close",
                "结案",
                requires=("reason",),
                event=EmergencyEvent.INCIDENT_CLOSED,
            ),
            Edge(
                IncidentStatus.CLOSED,
                IncidentStatus.INVESTIGATING,
                "reopen",
                "重新调查",
                requires=("reason",),
                event=EmergencyEvent.INCIDENT_REOPENED,
                style="danger",
            ),
        ),
        refusal_format="{label}当前为“{state}”，不能执行该操作",
    )
)


def _complete(item: Any, data: Mapping[str, Any]) -> list[str]:
    item.done_on = data.get("done_on") or timezone.localdate()
    item.done_note = str(data["reason"]).strip()[:300]
    return ["done_on", "done_note"]


def _reopen(item: Any, data: Mapping[str, Any]) -> list[str]:
    item.done_on = None
    return ["done_on"]


IMPROVEMENT_FLOW = register_workflow(
    Workflow(
        key="emergency.improvement",
        label="整改项",
        model=Improvement,
        states=ImprovementStatus,
        edges=(
            Edge(
                ImprovementStatus.OPEN,
                ImprovementStatus.DONE,
                "complete",
                "完成整改",
                requires=("reason",),
                messages={"reason": "请填写完成情况"},
                effect=_complete,
                event=EmergencyEvent.IMPROVEMENT_COMPLETED,
            ),
            Edge(
                ImprovementStatus.DONE,
                ImprovementStatus.OPEN,
                "reopen",
                "退回整改",
                requires=("reason",),
                messages={"reason": "请填写退回原因"},
                effect=_reopen,
                event=EmergencyEvent.IMPROVEMENT_REOPENED,
                style="danger",
            ),
        ),
    )
)
