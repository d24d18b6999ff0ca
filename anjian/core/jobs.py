"""Scheduled jobs, registered by apps and run by ``anjian worker`` (and by ``anjian demo`` beside the web UI).

A job is a function ``func(now) -> str | None`` (a one-line summary) registered from an app's
``AppConfig.ready``::

    register_job("plans.overdue_reports", overdue_reports, every=timedelta(hours=1), label="逾期报告提醒")
    register_job("people.expiring", expiring_certificates, daily_at=dt.time(8, 0), label="证书到期提醒")

Time is cut into slots (every hour; or one per day at 08:00 local time). Before running a job for a slot a
worker inserts a ``JobRun(job, slot)`` row in its own committed transaction; the pair is unique, so when
two workers (two nodes) reach the same slot, exactly one insert succeeds and the other skips the slot.
This needs nothing but the database — SQLite in the demo, PostgreSQL in production — and the table is
the run history (who ran what, when, how long, the summary or the error). See docs/DESIGN.md for why
this and not a task-queue library.

Jobs run as the system user (``core.system.system_user()``), so what they write is audited as such.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from anjian.core.models import JobRun

__all__ = ["Job", "claim", "due_slot", "jobs", "register_job", "run_due", "run_job", "run_worker"]

log = logging.getLogger("anjian.jobs")

_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Job:
    """A registered job: either every ``every`` (aligned to 2020-01-01 UTC) or daily at ``daily_at`` (local)."""

    name: str
    func: Callable[[dt.datetime], str | None]
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    label: str = ""

    def slot(self, now: dt.datetime) -> str | None:
        """The slot ``now`` falls in (``None`` before today's ``daily_at``)."""
        if self.daily_at is not None:
            local = timezone.localtime(now)
            if local.time() < self.daily_at:
                return None
            return local.date().isoformat()
        assert self.every is not None
        n = (now - _EPOCH) // self.every
        return (_EPOCH + n * self.every).strftime("%Y-%m-%dT%H:%M:%SZ")


_JOBS: dict[str, Job] = {}


def register_job(
    name: str,
    func: Callable[[dt.datetime], str | None],
    *,
    every: dt.timedelta | None = None,
    daily_at: dt.time | None = None,
    label: str = "",
) -> Job:
    """Register (or replace) job ``name``; give exactly one of ``every`` and ``daily_at``."""
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= and daily_at=")
    if every is not None and every < dt.timedelta(seconds=10):
        raise ValueError("a job runs at most every 10 seconds")
    job = Job(name, func, every, daily_at, label or name)
    _JOBS[name] = job
    return job


def jobs() -> list[Job]:
    """Every registered job, by name."""
    return [_JOBS[k] for k in sorted(_JOBS)]


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def claim(job: Job, slot: str, *, node: str | None = None) -> JobRun | None:
    """Claim ``(job, slot)`` for this worker; ``None`` when another worker already has it."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job.name, slot=slot, node=(node or node_name())[:100])
    except IntegrityError:
        return None


def due_slot(job: Job, now: dt.datetime) -> str | None:
    """The slot to run now, unless it has been claimed already."""
    slot = job.slot(now)
    if slot is None or JobRun.objects.filter(job=job.name, slot=slot).exists():
        return None
    return slot


def run_job(job: Job, run: JobRun, now: dt.datetime) -> JobRun:
    """Run a claimed job and record how it ended."""
    started = time.monotonic()
    try:
        summary = job.func(now) or ""
    except Exception as exc:
        log.exception("job %s failed", job.name)
        run.status, run.detail = JobRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        run.status, run.detail = JobRun.Status.DONE, summary[:2000]
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    JobRun.objects.filter(pk=run.pk).update(
        status=run.status, detail=run.detail, finished_at=run.finished_at, duration_ms=run.duration_ms
    )
    return run


def run_due(
    now: dt.datetime | None = None, *, only: str | None = None, node: str | None = None
) -> list[JobRun]:
    """Run every job whose current slot nobody has claimed; return the runs this worker made."""
    now = now or timezone.now()
    done = []
    for job in jobs():
        if only is not None and job.name != only:
            continue
        slot = due_slot(job, now)
        if slot is None:
            continue
        run = claim(job, slot, node=node)
        if run is not None:
            done.append(run_job(job, run, now))
    return done


def run_worker(
    *, tick: float = 15.0, stop: threading.Event | None = None, log_line: Callable[[str], None] = print
) -> None:
    """Run due jobs every ``tick`` seconds until ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        try:
            for run in run_due():
                log_line(f"[worker] {run.job} {run.slot}: {run.get_status_display()} {run.detail}".rstrip())
        except Exception:
            log.exception("worker tick failed")
        stop.wait(tick)
    close_old_connections()
