"""``anjian majorhazards refresh-gaps [--date YYYY-MM-DD]`` and ``anjian majorhazards regrade-all``.

``refresh-gaps`` is what the job runner calls (daily): it opens and closes 包保/filing gaps (see
``anjian.majorhazards.gaps``) and prints a one-line summary (``--json`` for a JSON object).
``regrade-all`` re-grades every installation from its stored inventory (after a change of the tables).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anjian.majorhazards.actions import refresh_gaps, regrade
from anjian.majorhazards.models import HazardInstallation


class Command(BaseCommand):
    help = "重大危险源：更新包保缺口（refresh-gaps）、全部重新辨识分级（regrade-all）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        gaps = sub.add_parser("refresh-gaps", help="open and close 包保/filing gaps (the daily job)")
        gaps.add_argument("--date", default=None, help="as of this day (YYYY-MM-DD), default today")
        gaps.add_argument("--json", action="store_true")
        sub.add_parser("regrade-all", help="re-grade every installation from its stored inventory")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "refresh-gaps":
            day = None
            if opts.get("date"):
                try:
                    day = dt.date.fromisoformat(opts["date"])
                except ValueError as exc:
                    raise CommandError(f"日期格式应为 YYYY-MM-DD：{opts['date']}") from exc
            summary = refresh_gaps(day)
            if opts.get("json"):
                self.stdout.write(json.dumps(summary.__dict__))
            else:
                self.stdout.write(
                    f"检查重大危险源 {summary.installations} 处：新发现缺口 {summary.opened} 项，"
                    f"消除 {summary.resolved} 项，当前未消除 {summary.open_now} 项"
                )
            return
        count = 0
        for installation in HazardInstallation.objects.order_by("pk"):
            regrade(installation, acting_user=None, reason="全部重新辨识分级")
            count += 1
        self.stdout.write(f"已重新辨识分级 {count} 处")
