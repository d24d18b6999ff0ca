"""``anjian worker``: run the scheduled jobs that apps register (``core.jobs``) until stopped.

Run one per node; any number of workers may run at once — each job's time slot runs exactly once.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anjian.core.jobs import jobs, run_due, run_worker


class Command(BaseCommand):
    help = "Run scheduled jobs (定时任务): overdue reports, expiring certificates and licences, … 按 Ctrl+C 停止。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now once and exit")
        parser.add_argument("--tick", type=float, default=15.0, help="seconds between checks (default 15)")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and exit")
        parser.add_argument("--job", help="with --once: only this job")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            for job in jobs():
                when = f"每 {job.every}" if job.every else f"每天 {job.daily_at:%H:%M}"
                self.stdout.write(f"{job.name:<45} {when:<16} {job.label}")
            return
        if opts["once"]:
            for run in run_due(only=opts["job"]):
                self.stdout.write(f"{run.job} {run.slot}: {run.get_status_display()} {run.detail}")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"定时任务进程已启动（{len(jobs())} 个任务），按 Ctrl+C 停止。")
        try:
            run_worker(tick=opts["tick"], stop=stop, log_line=self.stdout.write)
        except KeyboardInterrupt:
            stop.set()
        self.stdout.write("定时任务进程已停止。")
