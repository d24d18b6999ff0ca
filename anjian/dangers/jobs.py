"""The jobs of 隐患排查治理, run by ``anjian worker`` (``core.jobs``); ``anjian dangers_jobs`` runs them by hand.

* ``dangers.completion`` — daily at 02:30: 任务完成率 of the periods that ended yesterday (after the
  2-hour grace for records sent late from a phone), into ``TaskCompletionStat``; never at page load.
* ``dangers.escalation`` — hourly: one rung of the overdue ladder where due (principal → supervising
  department → 安委办); a rung is never taken twice, so running it often only makes it prompt.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

__all__ = ["COMPLETION_AT", "completion", "escalation", "register"]

#: After midnight plus ``inspections.LATE_GRACE``, so late-arriving phone records are counted as late.
COMPLETION_AT = dt.time(2, 30)


def completion(now: dt.datetime) -> str:
    """任务完成率 for yesterday (local) as of ``now``; a one-line summary for the job log."""
    from anjian.dangers.actions import compute_completion
    from anjian.dangers.metrics import invalidate_stats

    day = timezone.localdate(now) - dt.timedelta(days=1)
    t = compute_completion(day)
    invalidate_stats()
    return (
        f"{day:%Y-%m-%d} 排查任务 {t['due']} 个周期：按期 {t['on_time']}，逾期 {t['late']}，"
        f"未完成 {t['missed']}（{t['enterprises']} 家企业）"
    )


def escalation(now: dt.datetime) -> str:
    """Escalate overdue dangers one rung where due; a one-line summary."""
    from anjian.dangers.actions import run_escalation

    return f"逾期隐患升级提醒 {run_escalation(now)} 次"


def register() -> None:
    """Register both jobs with the core job runner (from ``DangersConfig.ready``)."""
    from anjian.core.jobs import register_job

    register_job("dangers.completion", completion, daily_at=COMPLETION_AT, label="隐患排查任务完成率")
    register_job("dangers.escalation", escalation, every=dt.timedelta(hours=1), label="逾期隐患逐级提醒")
