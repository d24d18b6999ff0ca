"""``anjian gates replay|simulate``: the second gate on the command line.

* ``anjian gates replay --json < day.json`` decides a day of events with the pure rules
  (``anjian/domain/gate_rules.py``), no database: prints ``{"decisions": [...], "headcount": {...}}``;
  bad input is an error naming the event (exit status 1).
* ``anjian gates mqtt`` answers gate events arriving over MQTT (``anjian/gates/mqtt.py``);
* ``anjian gates simulate`` walks the demo plants' shifts in and out through the same action the HTTP
  endpoint uses (see ``anjian/demo/gates.py``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anjian.domain.gate_rules import ReplayError, replay_json

# A day of one plant is a few thousand events; refuse absurd inputs before parsing them.
MAX_REPLAY_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "智能化二道门：回放一天的通行事件（replay）、模拟班次进出（simulate）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        p_replay = sub.add_parser(
            "replay", help="从标准输入读取一天的事件 JSON，按规则逐条判定（不连数据库）"
        )
        p_replay.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")
        p_replay.add_argument("file", nargs="?", help="输入文件（默认标准输入）")

        p_mqtt = sub.add_parser(
            "mqtt", help="订阅 MQTT 门禁事件并回复判定（anjian/v1/gate/{企业代码}/{门编码}）"
        )
        p_mqtt.add_argument("--url", help="MQTT 地址（默认 ANJIAN_MQTT_URL 或 mqtt://127.0.0.1:1883）")

        p_sim = sub.add_parser("simulate", help="模拟演示企业各班次人员进出二道门")
        p_sim.add_argument("--minutes", type=float, default=0, help="运行分钟数（0 = 一直运行）")
        p_sim.add_argument("--speed", type=float, default=60.0, help="模拟时钟倍速（默认 60：1 秒 = 1 分钟）")
        p_sim.add_argument("--seed", type=int, default=13)
        p_sim.add_argument("--events", type=int, default=0, help="发送该数量的事件后退出（0 = 不限）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "replay":
            self._replay(options)
        elif options["action"] == "mqtt":
            from anjian.gates.mqtt import mqtt_url, run_subscriber

            self.stdout.write(f"订阅 {options.get('url') or mqtt_url()} anjian/v1/gate/+/+ …")
            run_subscriber(url=options.get("url"))
        else:
            from anjian.demo.gates import run_simulator

            count = run_simulator(
                minutes=options["minutes"],
                speed=options["speed"],
                seed=options["seed"],
                events=options["events"],
                log=self.stdout.write,
            )
            self.stdout.write(f"模拟结束：共 {count} 条通行事件")

    def _replay(self, options: dict[str, Any]) -> None:
        if options.get("file"):
            with open(options["file"], "rb") as fh:
                raw = fh.read(MAX_REPLAY_BYTES + 1)
        else:
            raw = sys.stdin.buffer.read(MAX_REPLAY_BYTES + 1)
        if len(raw) > MAX_REPLAY_BYTES:
            raise CommandError("输入超过 50 MB")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"输入不是合法的 JSON：{exc}") from exc
        try:
            result = replay_json(data)
        except ReplayError as exc:
            raise CommandError(str(exc)) from exc
        if options["as_json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for i, decision in enumerate(result["decisions"]):
            verdict = "允许" if decision["allow"] else f"拒绝（{decision['reason']}）"
            self.stdout.write(f"#{i} {verdict}")
        self.stdout.write("在场人数：" + "，".join(f"{k} {v}" for k, v in result["headcount"].items()))
