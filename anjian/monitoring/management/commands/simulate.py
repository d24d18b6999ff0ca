"""``anjian simulate``: realistic plants publishing telemetry (HTTP by default, ``--mqtt URL`` to publish)."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anjian.monitoring.plants import POINT_TEMPLATES, PointSim


class Command(BaseCommand):
    help = (
        "Telemetry simulator: drifting values, excursions, a flapping detector, one going offline（模拟网关）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="web address for the HTTP path")
        parser.add_argument("--mqtt", default="", help="publish to this broker instead (mqtt://host:port)")
        parser.add_argument("--topic-prefix", default="anjian/v1/telemetry")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between readings of a point")
        parser.add_argument("--duration", type=float, default=0, help="stop after this many seconds (0: run)")
        parser.add_argument(
            "--enterprises", type=int, default=0, help="only the first N enterprises with points"
        )
        parser.add_argument("--seed", type=int, default=12)

    def handle(self, *args: Any, **opts: Any) -> None:
        from anjian.monitoring.actions import do_issue_gateway_token, do_revoke_gateway_token
        from anjian.monitoring.models import GatewayToken, MonitoringPoint

        rng = random.Random(opts["seed"])
        points = list(
            MonitoringPoint.objects.filter(enabled=True).select_related("enterprise").order_by("id")
        )
        by_code: dict[str, list[PointSim]] = {}
        templates = {t["kind"]: t for t in POINT_TEMPLATES}
        for p in points:
            t = templates.get(p.kind, POINT_TEMPLATES[0])
            sim = PointSim(tag=p.tag, base=t["base"], noise=t["noise"], h=p.h, value=t["base"])
            by_code.setdefault(p.enterprise.uscc, []).append(sim)
        codes = sorted(by_code)
        if opts["enterprises"]:
            codes = codes[: opts["enterprises"]]
        if not codes:
            self.stderr.write("没有监测点：先运行 anjian demo 生成演示数据。")
            return
        # The story of the demo: one flapping gas detector, one detector that goes offline after two minutes.
        gas = [s for c in codes for s in by_code[c] if s.tag.startswith("GT")]
        if gas:
            gas[0].mode = "flapping"
        offline = gas[1] if len(gas) > 1 else None
        keys: dict[str, str] = {}
        client = None
        if opts["mqtt"]:
            import paho.mqtt.client as mqtt
            from paho.mqtt.enums import CallbackAPIVersion

            from anjian.monitoring.worker import parse_mqtt_url

            conn = parse_mqtt_url(opts["mqtt"])
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"anjian-simulate-{opts['seed']}")
            client.connect(conn["host"], conn["port"])
            client.loop_start()
        else:
            from anjian.enterprises.models import Enterprise

            for token in GatewayToken.objects.filter(name="模拟网关", revoked_at__isnull=True):
                do_revoke_gateway_token(token, acting_user=None, reason="模拟器重新启动")
            for ent in Enterprise.objects.filter(uscc__in=codes):
                _token, key = do_issue_gateway_token(ent, name="模拟网关", acting_user=None)
                keys[ent.uscc] = key
        if client is None:
            self._wait_for_server(opts["url"])
            self._backfill(opts["url"], codes, by_code, keys, offline, rng)
        started = time.time()
        tick = 0
        self.stdout.write(f"模拟 {len(codes)} 家企业、{sum(len(by_code[c]) for c in codes)} 个监测点 …")
        while not opts["duration"] or time.time() - started < opts["duration"]:
            now = int(time.time() * 1000)
            # Now and then a process excursion on a random point (it lasts about a minute).
            if rng.random() < 0.08:
                victim = rng.choice([s for c in codes for s in by_code[c] if s.mode == "normal"])
                victim.excursion_left = 12
            for code in codes:
                readings = []
                for sim in by_code[code]:
                    if sim is offline and time.time() - started > 120:
                        continue
                    readings.append({"tag": sim.tag, "v": sim.next(rng), "ts": now})
                body = json.dumps({"gateway": f"sim-{code[-6:]}", "ts": now, "readings": readings}).encode()
                if client is not None:
                    client.publish(f"{opts['topic_prefix']}/{code}", body, qos=1)
                else:
                    self._post(opts["url"], code, keys[code], body)
            tick += 1
            time.sleep(max(0.0, opts["interval"] - (time.time() * 1000 - now) / 1000))
        if client is not None:
            client.loop_stop()

    def _wait_for_server(self, base: str) -> None:
        """The demo starts the simulator together with the web server: wait until it answers (60 s at most)."""
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base.rstrip('/')}/login/", timeout=3) as resp:
                    resp.read()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(1)

    def _backfill(
        self,
        base: str,
        codes: list[str],
        by_code: dict[str, list[PointSim]],
        keys: dict[str, str],
        silent: Any,
        rng: Any,
    ) -> None:
        """Forward what a gateway buffered while the web server was down (store and forward), up to six hours."""
        from django.db.models import Max

        from anjian.monitoring.models import PointAlarmState

        now = int(time.time() * 1000)
        for code in codes:
            last = PointAlarmState.objects.filter(point__enterprise__uscc=code).aggregate(m=Max("last_ms"))[
                "m"
            ]
            if last is None or now - last > 6 * 3_600_000 or now - last < 30_000:
                continue
            sims = [s for s in by_code[code] if s is not silent]
            span = now - last
            step = max(60_000, span * len(sims) // 3000)
            readings = []
            ts = last + step
            while ts < now:
                readings += [{"tag": s.tag, "v": s.next(rng), "ts": ts} for s in sims]
                ts += step
            readings += [{"tag": s.tag, "v": s.next(rng), "ts": now} for s in sims]
            body = json.dumps({"gateway": f"sim-{code[-6:]}", "ts": now, "readings": readings}).encode()
            self._post(base, code, keys[code], body)
        self.stdout.write("已补传离线期间的缓存数据。")

    def _post(self, base: str, code: str, key: str, body: bytes) -> None:
        req = urllib.request.Request(
            f"{base.rstrip('/')}/api/v1/telemetry/{code}",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                resp.read()
        except (urllib.error.URLError, OSError) as exc:
            self.stderr.write(f"发送失败 {code}: {exc}")
