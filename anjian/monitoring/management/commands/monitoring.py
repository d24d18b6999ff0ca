"""``anjian monitoring replay --json < in.json``: run readings through one point's alarm rules (no database)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anjian.monitoring.replay import ReplayInputError, run_replay

MAX_INPUT_BYTES = 64 * 1024 * 1024


class Command(BaseCommand):
    help = "Monitoring tools: replay --json < in.json（报警规则测试器）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        rp = sub.add_parser("replay", help="run readings from stdin through one point's rules")
        rp.add_argument("--json", action="store_true", help="read and print JSON (the only format)")
        sp = sub.add_parser(
            "setup-points", help="create enterprises and points for a scratch database (bench)"
        )
        sp.add_argument("--enterprises", type=int, default=10)
        sp.add_argument("--points", type=int, default=100)
        sp.add_argument("--first", type=int, default=0, help="number the new enterprises from here")
        sub.add_parser("tick", help="run due maintenance now: offline sweep, escalation, rollups, retention")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["subcommand"] == "setup-points":
            from anjian.demo.scratch import setup_scratch_points

            self.stdout.write(
                json.dumps(setup_scratch_points(opts["enterprises"], opts["points"], opts["first"]))
            )
            return
        if opts["subcommand"] == "tick":
            from anjian.monitoring.maintenance import tick

            self.stdout.write(json.dumps(tick(force=True)))
            return
        if opts["subcommand"] == "replay":
            raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            if len(raw) > MAX_INPUT_BYTES:
                raise CommandError("输入超过 64 MB 上限")
            try:
                doc = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise CommandError(f"输入不是合法的 JSON：{exc}") from exc
            try:
                result = run_replay(doc)
            except ReplayInputError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result, ensure_ascii=False))
