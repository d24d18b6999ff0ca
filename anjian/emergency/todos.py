"""Home-page to-dos of the emergency app: reports past their deadline, plan reviews overdue, drill
improvements past due (each for the rows the user may change)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anjian.core.access import restrict, scope_of
from anjian.core.todos import TodoItem
from anjian.emergency.choices import OPEN_INCIDENT_STATES, ImprovementStatus
from anjian.emergency.models import EmergencyPlan, Improvement, Incident
from anjian.orgs.choices import REGISTER_ROLES

__all__ = ["emergency_todos"]


def emergency_todos(user: Any) -> list[TodoItem]:
    scope = scope_of(user)
    if scope.role not in REGISTER_ROLES:
        return []
    now, today = timezone.now(), timezone.localdate()
    items: list[TodoItem] = []
    overdue = 0
    incidents = restrict(
        Incident.objects.filter(status__in=OPEN_INCIDENT_STATES).prefetch_related("revisions"), user, "change"
    )
    for incident in incidents[:200]:
        overdue += sum(1 for item in incident.checklist() if item.state(now) == "overdue")
    if overdue:
        items.append(
            TodoItem(
                module="应急管理",
                title="事故报告已超时限",
                level="danger",
                count=overdue,
                detail=f"{overdue} 项事故报告已超过国务院令第493号规定的时限，请立即报告",
                url=reverse("emergency:incident_list"),
            )
        )
    plans = restrict(EmergencyPlan.objects.filter(review_due__lt=today), user, "change").count()
    if plans:
        items.append(
            TodoItem(
                module="应急管理",
                title="应急预案评估逾期",
                count=plans,
                detail=f"{plans} 个应急预案已超过三年评估期限",
                url=reverse("emergency:plan_list") + "?overdue=1",
            )
        )
    late = restrict(
        Improvement.objects.filter(Q(status=ImprovementStatus.OPEN) & Q(due_on__lt=today)), user, "change"
    ).count()
    if late:
        items.append(
            TodoItem(
                module="应急管理",
                title="演练整改项逾期",
                count=late,
                detail=f"{late} 项演练发现的问题逾期未整改",
                url=reverse("emergency:drill_list"),
            )
        )
    return items
