"""Inspection tasks and records: generating tasks from control measures, the phone checklist, completion rate.

Weak network (issue 10): the phone form keeps every entry in the browser's ``localStorage`` as it is typed
and sends it with a ``client_token`` made once per form; when the send fails it stays queued and is resent
when the connection returns. The server treats a resent token as the same record (idempotent), so a
record is never lost and never doubled. :func:`submit_inspection` is that guarantee's server half.

任务完成率 is computed by :func:`compute_completion` (a job; the command ``anjian dangers_jobs``),
never at page load: for every task and every period of its cycle that ended on the day, the period is
on time when a record was made in it and reached the server within ``LATE_GRACE`` of the period's end,
late when it arrived later, and missed when no record was made in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.access import restrict
from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, ValidationFailed
from anjian.dangers.actions import report_danger
from anjian.dangers.choices import DangerEvents, DangerSource, ItemResult
from anjian.dangers.models import InspectionItem, InspectionRecord, InspectionTask, TaskCompletionStat
from anjian.domain import danger_rules

__all__ = [
    "LATE_GRACE",
    "compute_completion",
    "create_tasks_for_measures",
    "due_tasks",
    "submit_inspection",
]

#: A record made in its period but received more than this after the period ended counts as late.
LATE_GRACE = dt.timedelta(hours=2)
#: A phone may send a record made offline up to this long ago.
MAX_OFFLINE_AGE = dt.timedelta(days=7)


def create_tasks_for_measures(
    measures: Any,
    *,
    cycle: str,
    assignee: Any,
    valid_from: dt.date,
    valid_until: dt.date | None,
    acting_user: Any,
) -> list[InspectionTask]:
    """One task per control measure (its 隐患排查内容 as the checklist), audited once each."""
    tasks: list[InspectionTask] = []
    with transaction.atomic():
        for measure in measures:
            task = InspectionTask.objects.create(
                enterprise_id=measure.enterprise_id,
                measure=measure,
                unit_id=measure.event.unit_id,
                title=f"{measure.event.unit.name}：{measure.description[:60]}",
                content=measure.check_content or measure.description,
                cycle=cycle,
                assignee=assignee,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            record(DangerEvents.TASK_SAVED, task, acting_user=acting_user, after=snapshot(task))
            tasks.append(task)
    return tasks


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


def submit_inspection(
    *,
    acting_user: Any,
    client_token: str,
    items: list[dict[str, Any]],
    task: InspectionTask | None = None,
    unit: Any = None,
    checked_at: dt.datetime | None = None,
    note: str = "",
    lat: Decimal | None = None,
    lon: Decimal | None = None,
) -> tuple[InspectionRecord, bool]:
    """Store one inspection item by item; a found danger is reported (source 隐患排查) and linked.

    Returns ``(record, created)``; a resent ``client_token`` returns the stored record with ``False``.
    """
    token = (client_token or "").strip()[:64]
    if not token:
        raise ValidationFailed(_("缺少提交令牌"), code="token_required", field="client_token")
    existing = InspectionRecord.objects.filter(client_token=token).first()
    if existing is not None:
        if existing.inspector_id != getattr(acting_user, "pk", None):
            raise ValidationFailed(_("提交令牌已被使用"), code="token_used", field="client_token")
        return existing, False
    if task is None and unit is None:
        raise ValidationFailed(_("请选择排查任务或风险分析单元"), code="target_required")
    enterprise = task.enterprise if task is not None else unit.enterprise
    from anjian.enterprises.models import Enterprise

    if not restrict(Enterprise.objects.filter(pk=enterprise.pk), acting_user).exists():
        raise PermissionDeniedError(_("无权排查该企业"), code="inspection_forbidden")
    if not items:
        raise ValidationFailed(_("请至少填写一项排查结果"), code="items_required", field="items")
    now = timezone.now()
    checked_at = checked_at or now
    if checked_at > now + dt.timedelta(minutes=5) or checked_at < now - MAX_OFFLINE_AGE:
        raise ValidationFailed(
            _("排查时间须在最近 7 天内且不晚于现在"), code="checked_at_invalid", field="checked_at"
        )
    for item in items:
        if item.get("result") not in ItemResult.values:
            raise ValidationFailed(_("排查结果无效"), code="result_invalid", field="items")
        if not str(item.get("content", "")).strip():
            raise ValidationFailed(_("排查项内容不能为空"), code="content_required", field="items")
        if item["result"] == ItemResult.DANGER and not str(item.get("note", "")).strip():
            raise ValidationFailed(
                _("“%(item)s”发现隐患，请写明隐患情况") % {"item": str(item["content"])[:40]},
                code="danger_note_required",
                field="items",
            )
    period_start = period_end = None
    if task is not None:
        period_start, period_end = current_period(task, checked_at)
    try:
        with transaction.atomic():
            rec = InspectionRecord.objects.create(
                enterprise=enterprise,
                task=task,
                unit=unit if unit is not None else (task.unit if task is not None else None),
                inspector=acting_user,
                checked_at=checked_at,
                period_start=period_start,
                on_time=period_end is None or now <= period_end + LATE_GRACE,
                note=(note or "").strip()[:500],
                lat=lat,
                lon=lon,
                client_token=token,
            )
            found = 0
            for item in items:
                line = InspectionItem(
                    record=rec,
                    measure_id=item.get("measure") or None,
                    content=str(item["content"]).strip()[:500],
                    result=item["result"],
                    note=str(item.get("note", "")).strip()[:500],
                )
                if line.result == ItemResult.DANGER:
                    found += 1
                    line.danger = report_danger(
                        enterprise=enterprise,
                        title=f"{line.content[:80]}：{line.note[:100]}",
                        description=line.note,
                        source=DangerSource.INSPECTION,
                        acting_user=acting_user,
                        found_at=checked_at,
                        risk_unit=rec.unit,
                        measure=line.measure,
                        record_obj=rec,
                    )
                line.save()
            if found:
                rec.dangers_found = found
                rec.save(update_fields=["dangers_found", "updated_at"])
            if task is not None and (task.last_checked_at is None or task.last_checked_at < checked_at):
                task.last_checked_at = checked_at
                task.save(update_fields=["last_checked_at", "updated_at"])
            record(
                DangerEvents.RECORD_SUBMITTED,
                rec,
                acting_user=acting_user,
                after={**snapshot(rec), "items": len(items), "dangers": found},
            )
    except IntegrityError:
        # Two sends of the same form raced: the other one stored it.
        stored = InspectionRecord.objects.filter(client_token=token).first()
        if stored is None:
            raise
        return stored, False
    return rec, True


def compute_completion(day: dt.date, *, acting_user: Any = None) -> dict[str, int]:
    """Count every task period that ended on ``day`` (due / on time / late / missed) per enterprise."""
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    day_end = day_start + dt.timedelta(days=1)
    tasks = InspectionTask.objects.filter(is_active=True, valid_from__lte=day).exclude(valid_until__lt=day)
    periods: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    cycle_periods = {c: danger_rules.periods_ending_on(c, day_start) for c in danger_rules.CYCLES}
    by_task_enterprise: dict[int, int] = {}
    for pk, enterprise_id, cycle in tasks.values_list("pk", "enterprise_id", "cycle"):
        if cycle_periods.get(cycle):
            periods[pk] = cycle_periods[cycle]
            by_task_enterprise[pk] = enterprise_id
    earliest = min((p[0] for ps in periods.values() for p in ps), default=day_start)
    done: dict[tuple[int, dt.datetime], bool] = {}
    task_ids = list(periods)
    for start in range(0, len(task_ids), 5000):
        chunk = task_ids[start : start + 5000]
        for task_id, period_start, ok in InspectionRecord.objects.filter(
            task_id__in=chunk, period_start__gte=earliest, period_start__lt=day_end
        ).values_list("task_id", "period_start", "on_time"):
            if task_id is None or period_start is None:
                continue
            key = (task_id, period_start)
            done[key] = done.get(key, False) or ok
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for task_id, task_periods in periods.items():
        row = counts[by_task_enterprise[task_id]]
        for period_start, _end in task_periods:
            row[0] += 1
            state = done.get((task_id, period_start))
            if state is True:
                row[1] += 1
            elif state is False:
                row[2] += 1
            else:
                row[3] += 1
    now = timezone.now()
    with transaction.atomic():
        TaskCompletionStat.objects.filter(day=day).exclude(enterprise_id__in=list(counts)).delete()
        existing = {s.enterprise_id: s for s in TaskCompletionStat.objects.filter(day=day)}
        new: list[TaskCompletionStat] = []
        changed: list[TaskCompletionStat] = []
        for enterprise_id, (due, on_time_n, late, missed) in counts.items():
            stat = existing.get(enterprise_id)
            if stat is None:
                new.append(
                    TaskCompletionStat(
                        enterprise_id=enterprise_id,
                        day=day,
                        due=due,
                        on_time=on_time_n,
                        late=late,
                        missed=missed,
                        computed_at=now,
                    )
                )
            else:
                stat.due, stat.on_time, stat.late, stat.missed, stat.computed_at = (
                    due,
                    on_time_n,
                    late,
                    missed,
                    now,
                )
                changed.append(stat)
        TaskCompletionStat.objects.bulk_create(new, batch_size=1000)
        TaskCompletionStat.objects.bulk_update(
            changed, ["due", "on_time", "late", "missed", "computed_at"], batch_size=1000
        )
    totals = {
        "enterprises": len(counts),
        "due": sum(r[0] for r in counts.values()),
        "on_time": sum(r[1] for r in counts.values()),
        "late": sum(r[2] for r in counts.values()),
        "missed": sum(r[3] for r in counts.values()),
    }
    return totals
