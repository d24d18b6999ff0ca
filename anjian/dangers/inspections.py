"""Inspection tasks and records: generating tasks from control measures, the phone checklist, completion rate.

Weak network (issue 10): the phone form keeps every entry in the browser's ``localStorage`` as it is typed
and sends it with a ``client_token`` made once per form; when the send fails it stays queued and is resent
when the connection returns. The server treats a resent token as the same record (idempotent), so a
record is never lost and never doubled. ``actions.submit_inspection`` is that guarantee's server half.

任务完成率 is computed by ``actions.compute_completion`` (a job; the command ``anjian dangers_jobs``),
never at page load: for every task and every period of its cycle that ended on the day, the period is
on time when a record was made in it and reached the server within ``LATE_GRACE`` of the period's end,
late when it arrived later, and missed when no record was made in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from anjian.dangers.models import InspectionRecord, InspectionTask
from anjian.domain import danger_rules

__all__ = ["LATE_GRACE", "MAX_OFFLINE_AGE", "current_period", "due_tasks"]

#: A record made in its period but received more than this after the period ended counts as late.
LATE_GRACE = dt.timedelta(hours=2)
#: A phone may send a record made offline up to this long ago.
MAX_OFFLINE_AGE = dt.timedelta(days=7)


def current_period(task: InspectionTask, at: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The period of ``task``'s cycle containing ``at`` (now), in local time."""
    return danger_rules.cycle_period(task.cycle, timezone.localtime(at or timezone.now()))


def due_tasks(user: Any, now: dt.datetime | None = None) -> list[InspectionTask]:
    """The user's active tasks with no record yet in their current period (the phone's to-do list)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tasks = [
        t
        for t in InspectionTask.objects.filter(assignee=user, is_active=True).select_related(
            "unit", "enterprise"
        )
        if t.is_valid_on(today)
    ]
    if not tasks:
        return []
    starts = {t.pk: current_period(t, now)[0] for t in tasks}
    done = set(
        InspectionRecord.objects.filter(
            task_id__in=list(starts), checked_at__gte=min(starts.values())
        ).values_list("task_id", "period_start")
    )
    return [t for t in tasks if (t.pk, starts[t.pk]) not in done]
