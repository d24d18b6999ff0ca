"""``anjian bench ingest --seconds N --points P --json``: the telemetry throughput measurement (see ``monitoring.bench``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Benchmarks: ingest --seconds N --points P [--json]（性能测试）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        ing = sub.add_parser(
            "ingest", help="MQTT → ingest → PostgreSQL, against bare subscriber and bare COPY"
        )
        ing.add_argument("--seconds", type=float, default=20)
        ing.add_argument("--points", type=int, default=20_000)
        ing.add_argument(
            "--rss-points",
            type=int,
            default=0,
            help="afterwards, add points up to this many and report a fresh worker's RSS with all of them",
        )
        ing.add_argument(
            "--workers",
            type=int,
            default=2,
            help="N partitioned worker processes (anjian ingest --partition K/N); 2 = one per core here",
        )
        ing.add_argument("--json", action="store_true", help="print only the JSON result")

    def handle(self, *args: Any, **opts: Any) -> None:
        from anjian.monitoring.bench import run_ingest_bench

        quiet = opts["json"]
        result = run_ingest_bench(
            seconds=opts["seconds"],
            points=opts["points"],
            rss_points=opts["rss_points"],
            workers=opts["workers"],
            log=(lambda _m: None) if quiet else self.stderr.write,
        )
        keys = [
            "readings_per_s",
            "bare_subscriber_per_s",
            "bare_copy_per_s",
            "ratio",
            "alarm_p99_ms",
            "worker_rss_mb",
        ]
        if quiet:
            self.stdout.write(
                json.dumps({**{k: result.get(k) for k in keys}, "details": result}, ensure_ascii=False)
            )
            return
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        self.stdout.write(
            f"ingest: {result['readings_per_s']:,} readings/s end to end; bare subscriber "
            f"{result['bare_subscriber_per_s']:,}/s, bare COPY {result['bare_copy_per_s']:,}/s, ratio {result['ratio']}; "
            f"alarm p99 {result['alarm_p99_ms']} ms; worker RSS {result['worker_rss_mb']} MB; "
            f"load average {result['loadavg']['end_to_end'][0]}"
        )
