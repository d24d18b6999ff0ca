"""The daily 包保 gap job, registered with ``anjian.core.jobs`` when that module is installed.

Until then (and always, for cron or a manual run) ``anjian majorhazards refresh-gaps`` does the same.
"""

from __future__ import annotations

import datetime as dt
import importlib

from django.utils import timezone

from anjian.majorhazards.actions import refresh_gaps

__all__ = ["JOB_NAME", "register", "run"]

JOB_NAME = "majorhazards.refresh_gaps"
#: When the job runs each day (local time): early, so the day's to-dos are ready when people log in.
DAILY_AT = dt.time(2, 30)


def run(now: dt.datetime) -> str:
    """Refresh the gaps as of ``now``'s local day; return a one-line summary for the job log."""
    summary = refresh_gaps(timezone.localdate(now))
    return (
        f"检查重大危险源 {summary.installations} 处：新发现缺口 {summary.opened} 项，"
        f"消除 {summary.resolved} 项，当前未消除 {summary.open_now} 项"
    )


def register() -> bool:
    """Register with the core job runner if it is installed; return whether it was."""
    try:
        jobs = importlib.import_module("anjian.core.jobs")
    except ImportError:
        return False
    jobs.register_job(JOB_NAME, run, daily_at=DAILY_AT, label="重大危险源包保缺口核查")
    return True
