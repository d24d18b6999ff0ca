"""Home-page to-dos of 隐患排查治理: due inspections, dangers to verify, rectify, accept, and 重大 to list."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from anjian.core.access import restrict, scope_of
from anjian.core.todos import TodoItem
from anjian.dangers.models import HiddenDanger


def dangers_todos(user: Any) -> list[TodoItem]:
    from anjian.dangers.inspections import due_tasks

    items: list[TodoItem] = []
    scope = scope_of(user)
    url = reverse("dangers:danger_list")
    due = due_tasks(user)
    if due:
        items.append(
            TodoItem(
                "dangers",
                "待排查任务",
                f"本周期还有 {len(due)} 项排查任务未完成",
                reverse("dangers:task_list"),
                "warning",
                len(due),
            )
        )
    mine = HiddenDanger.objects.filter(rectifier=user, status="rectifying").count()
    if mine:
        items.append(
            TodoItem(
                "dangers",
                "待整改隐患",
                f"{mine} 项隐患由您负责整改",
                f"{url}?status=rectifying",
                "warning",
                mine,
            )
        )
    changeable = restrict(HiddenDanger.objects.all(), user, "change")
    if scope.is_enterprise:
        to_verify = changeable.filter(status="reported").count()
        if to_verify:
            items.append(
                TodoItem(
                    "dangers",
                    "待核实隐患",
                    f"{to_verify} 项隐患待核实定级",
                    f"{url}?status=reported",
                    "info",
                    to_verify,
                )
            )
        to_accept = (
            changeable.filter(status="awaiting_acceptance", grade="general")
            .exclude(Q(rectifier=user) | Q(submitted_by=user))
            .count()
        )
    else:
        supervised = (
            changeable.filter(supervising_unit_id__in=sorted(scope.unit_ids))
            if not scope.sees_all
            else changeable
        )
        to_accept = supervised.filter(status="awaiting_acceptance", grade="major").count()
        unlisted = supervised.filter(
            grade="major",
            status__in=["reported", "verified", "rectifying", "awaiting_acceptance"],
            listing__isnull=True,
        ).count()
        if unlisted and (scope.is_department or scope.sees_all):
            items.append(
                TodoItem(
                    "dangers",
                    "重大隐患待挂牌督办",
                    f"{unlisted} 项重大隐患尚未挂牌督办",
                    f"{url}?grade=major&status=open",
                    "danger",
                    unlisted,
                )
            )
    if to_accept:
        items.append(
            TodoItem(
                "dangers",
                "待验收隐患",
                f"{to_accept} 项隐患待验收销号",
                f"{url}?status=awaiting_acceptance",
                "warning",
                to_accept,
            )
        )
    return items
