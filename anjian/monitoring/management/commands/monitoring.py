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

    def handle(self, *args: Any, **opts: Any) -> None:
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
