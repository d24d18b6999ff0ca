"""``anjian dangers_jobs``: run the jobs of 隐患排查治理 by hand (``anjian worker`` runs them on their schedule).

* ``--completion [--day YYYY-MM-DD]``: 任务完成率 for the periods that ended on the day (default: yesterday);
* ``--escalate [--now ISO]``: one rung of the overdue ladder where due (default: now).

Both are idempotent: running them twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "隐患排查治理作业：计算任务完成率（--completion）、逾期隐患逐级提醒（--escalate）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--completion", action="store_true", help="compute 任务完成率 for --day")
        parser.add_argument("--escalate", action="store_true", help="escalate overdue dangers")
        parser.add_argument("--day", help="day for --completion (default: yesterday)")
        parser.add_argument("--now", help="ISO time for --escalate (default: now)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from anjian.dangers.actions import compute_completion, run_escalation

        if not opts["completion"] and not opts["escalate"]:
            raise CommandError("请指定 --completion 或 --escalate")
        out: dict[str, Any] = {}
        if opts["completion"]:
            try:
                day = (
                    dt.date.fromisoformat(opts["day"])
                    if opts["day"]
                    else timezone.localdate() - dt.timedelta(days=1)
                )
            except ValueError as exc:
                raise CommandError("--day 应写作 2026-05-01") from exc
            out["completion"] = {"day": day.isoformat(), **compute_completion(day)}
            from anjian.dangers.metrics import invalidate_stats

            invalidate_stats()
        if opts["escalate"]:
            try:
                now = dt.datetime.fromisoformat(opts["now"]) if opts["now"] else timezone.now()
            except ValueError as exc:
                raise CommandError("--now 应为 ISO 时间") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
            out["escalated"] = run_escalation(now)
        self.stdout.write(json.dumps(out, ensure_ascii=False))
