"""Telemetry: the alarm rules per reading (pure), and the end-to-end ingest against the bare baselines.

The end-to-end part needs Mosquitto (``ANJIAN_MQTT_URL``) and a PostgreSQL server (``ANJIAN_BENCH_POSTGRES_URL``,
default the local one); without them it reports why it was skipped. Sizes: ``ANJIAN_BENCH_INGEST_SECONDS``
(default 20), ``ANJIAN_BENCH_INGEST_POINTS`` (default 20,000) and ``ANJIAN_BENCH_INGEST_WORKERS`` (default 2
partitioned workers, one per core of this machine; 1 for a single worker).
"""

from __future__ import annotations

import os
import random
import socket
import time

from anjian.domain.alarm_rules import PointRules, PointState, step


def rules_per_reading(n: int = 300_000) -> dict[str, float]:
    """Nanoseconds per reading through ``step`` for a quiet point and for one hovering around its threshold."""
    rng = random.Random(1)
    rules = PointRules(h=25, hh=50, deadband=2, on_delay_s=10, offline_after_s=60)
    out: dict[str, float] = {}
    for name, mean in (("quiet_ns", 10.0), ("near_threshold_ns", 24.5)):
        values = [rng.gauss(mean, 2) for _ in range(n)]
        state = PointState()
        events: list[tuple[int, str, str | None]] = []
        started = time.perf_counter()
        for i, v in enumerate(values):
            step(rules, state, i * 1000, v, 0, events)
        out[name] = round((time.perf_counter() - started) / n * 1e9)
    return out


def run() -> dict[str, object]:
    summary: dict[str, object] = {"rules": rules_per_reading()}
    from anjian.monitoring.scratch import postgres_available
    from anjian.monitoring.worker import parse_mqtt_url

    conn = parse_mqtt_url(os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883"))
    try:
        socket.create_connection((conn["host"], conn["port"]), timeout=1).close()
        broker = True
    except OSError:
        broker = False
    if not broker or not postgres_available():
        summary["ingest"] = "skipped: needs an MQTT broker and PostgreSQL"
        return {"summary": summary}
    from anjian.monitoring.bench import run_ingest_bench

    result = run_ingest_bench(
        seconds=float(os.environ.get("ANJIAN_BENCH_INGEST_SECONDS", 20)),
        points=int(os.environ.get("ANJIAN_BENCH_INGEST_POINTS", 20_000)),
        workers=int(os.environ.get("ANJIAN_BENCH_INGEST_WORKERS", 2)),
        log=lambda _m: None,
    )
    summary["ingest"] = {
        k: result.get(k)
        for k in (
            "readings_per_s",
            "bare_subscriber_per_s",
            "bare_copy_per_s",
            "ratio",
            "alarm_p99_ms",
            "alarm_p50_ms",
            "worker_rss_mb",
            "worker_cpu_us_per_reading",
            "workers",
            "loadavg",
        )
    }
    return {"summary": summary, "ingest": result}
