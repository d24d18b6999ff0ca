"""Scoped fetches of plan objects: absent and out of scope give the same ``ObjectNotFound`` (404)."""

from __future__ import annotations

from typing import Any

from anjian.core.access import access_by_id
from anjian.plans.models import PlanTask, ProgressReport, SupervisionNotice, Target

__all__ = ["access_notice_by_id", "access_report_by_id", "access_target_by_id", "access_task_by_id"]


def access_task_by_id(user: Any, pk: Any) -> PlanTask:
    """A task the user takes part in (or any task for zone-wide roles)."""
    return access_by_id(PlanTask.objects.select_related("plan"), user, pk)


def access_target_by_id(user: Any, pk: Any) -> Target:
    """A target of a visible task."""
    return access_by_id(Target.objects.select_related("task"), user, pk)


def access_report_by_id(user: Any, pk: Any) -> ProgressReport:
    """A progress report: only the filing unit, the task's lead units and zone-wide roles."""
    return access_by_id(ProgressReport.objects.select_related("task", "unit", "submitted_by"), user, pk)


def access_notice_by_id(user: Any, pk: Any) -> SupervisionNotice:
    """A 督办 notice addressed to the user's unit (or any, for the committee office)."""
    return access_by_id(SupervisionNotice.objects.select_related("task", "unit"), user, pk)
