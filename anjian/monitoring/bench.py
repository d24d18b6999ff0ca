"""``anjian bench ingest``: end-to-end telemetry throughput against two bare baselines, measured in one run.

1. A scratch PostgreSQL database is created and migrated (dropped at the end); ``P`` points on ``P/100``
   enterprises (one gateway message = 100 readings of one enterprise, as gateways send them).
2. **Bare subscriber**: a paho client that only drains QoS 1 messages — readings/s it receives.
3. **Bare COPY**: binary COPY of the same rows into the same indexed, partitioned readings table.
4. **End to end**: ``anjian ingest`` in its own process (decode, rules, COPY, state, alarms, ack after commit)
   while the bench publishes for ``N`` seconds; readings/s = readings stored / time until the last is stored.
5. **Alarm latency** at half that load: some readings cross a threshold; latency = alarm row inserted − the
   reading's timestamp (stamped at publish); p99.
6. **Worker memory**: RSS of the worker process (VmRSS) with its points loaded, after the run.

Readings that the publisher cannot push fast enough limit every figure alike; the ratio compares the
pipeline with the slower of the two bare baselines, as the issue asks.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

__all__ = ["run_ingest_bench"]

READINGS_PER_MESSAGE = 100


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def quiet_values(url: str) -> dict[str, float]:
    """Each point's normal operating value (its template's ``base``, inside the alarm band), by tag."""
    import psycopg

    from anjian.monitoring.plants import POINT_TEMPLATES

    base = {t["kind"]: float(t["base"]) for t in POINT_TEMPLATES}
    with psycopg.connect(url) as c:
        return {
            tag: base.get(kind, 0.0)
            for tag, kind in c.execute("SELECT tag, kind FROM monitoring_monitoringpoint")
        }


class _Messages:
    """Gateway messages cycling over the enterprises, encoded lazily (only the timestamp changes).

    Values are each point's normal value (quiet plants: alarms are the exception, as the issue's national
    figures cut them by 80 %); the alarm-latency phase sends the excursions.
    """

    def __init__(
        self, codes: dict[str, list[str]], start_ms: int, values: dict[str, float] | None = None
    ) -> None:
        self.items = []
        values = values or {}
        for code, tags in sorted(codes.items()):
            readings = json.dumps(
                [
                    {"tag": t, "v": round(values.get(t, 1.0) * (1 + (k % 7) * 0.002), 4)}
                    for k, t in enumerate(tags[:READINGS_PER_MESSAGE])
                ]
            )
            self.items.append((code, readings.encode()))
        self.start_ms = start_ms

    def __getitem__(self, i: int) -> tuple[str, bytes]:
        code, readings = self.items[i % len(self.items)]
        ts = self.start_ms + (i // len(self.items)) * 1000
        return code, b'{"gateway": "bench", "ts": %d, "readings": %s}' % (ts, readings)


class _Publisher:
    def __init__(self, host: str, port: int, client_id: str) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.connect(host, port)
        self.client.loop_start()

    def publish_for(
        self,
        topic_prefix: str,
        messages: _Messages,
        seconds: float,
        progress: Any,
        *,
        window: int = 600,
    ) -> tuple[int, float]:
        """Publish for ``seconds``, never more than ``window`` messages ahead of what the consumer drained
        (``progress()``, in messages) so the broker's per-client queue (Mosquitto: 1000) never drops any; then
        wait until everything is drained. Return (messages, seconds from first publish to last drained)."""
        sent = 0
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            while sent - progress() >= window:
                time.sleep(0.002)
                if time.monotonic() - started > seconds + 60:
                    break
            code, body = messages[sent]
            self.client.publish(f"{topic_prefix}/{code}", body, qos=1)
            sent += 1
        deadline = time.monotonic() + 120
        while progress() < sent and time.monotonic() < deadline:
            time.sleep(0.01)
        return sent, time.monotonic() - started

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _bare_subscriber(host: str, port: int, prefix: str, codes: dict[str, list[str]], seconds: float) -> float:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    count = [0]
    ready = threading.Event()

    def on_message(client: Any, userdata: Any, msg: Any) -> None:
        count[0] += 1

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-bare-{uuid.uuid4().hex[:6]}")
    sub.on_message = on_message
    sub.on_subscribe = lambda *a: ready.set()
    sub.connect(host, port)
    sub.subscribe(f"{prefix}/+", qos=1)
    sub.loop_start()
    ready.wait(10)
    pub = _Publisher(host, port, f"bench-pub-bare-{uuid.uuid4().hex[:6]}")
    _sent, elapsed = pub.publish_for(
        prefix, _Messages(codes, int(time.time() * 1000)), seconds, lambda: count[0]
    )
    pub.close()
    sub.loop_stop()
    sub.disconnect()
    return count[0] * READINGS_PER_MESSAGE / elapsed if elapsed > 0 else 0.0


class _WorkerProgress:
    """Messages the worker has committed, from its ``/progress`` (no database), polled in a background thread
    so the publisher never waits on it."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/progress"
        self.value = 0
        self._stop = threading.Event()
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        import urllib.request

        while not self._stop.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    self.value = int(r.read().decode() or 0)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()

    def __call__(self) -> int:
        return self.value


def _bare_copy(url: str, point_ids: list[int], rows_total: int) -> float:
    import psycopg

    start = int(time.time() * 1000) - 3_600_000
    rows = [
        (point_ids[i % len(point_ids)], start + (i // len(point_ids)) * 1000, 1.5, 0)
        for i in range(rows_total)
    ]
    with psycopg.connect(url) as conn:
        day = start // 86_400_000
        for d in (day, day + 1):
            name = f"monitoring_reading_pbench{d}"
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF monitoring_reading "
                f"FOR VALUES FROM ({d * 86_400_000}) TO ({(d + 1) * 86_400_000})"
            )
        conn.commit()
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for i in range(0, len(rows), 20_000):
                with cur.copy(
                    "COPY monitoring_reading (point_id, ts, v, q) FROM STDIN (FORMAT BINARY)"
                ) as cp:
                    cp.set_types(["int8", "int8", "float8", "int2"])
                    for row in rows[i : i + 20_000]:
                        cp.write_row(row)
                conn.commit()
        elapsed = time.perf_counter() - t0
        for d in (day, day + 1):
            conn.execute(f"DROP TABLE IF EXISTS monitoring_reading_pbench{d}")
        conn.commit()
    return rows_total / elapsed


def _count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM monitoring_reading").fetchone()
        return int(row[0]) if row else 0


def run_ingest_bench(*, seconds: float, points: int, log: Any = print) -> dict[str, Any]:
    """Run the whole measurement; return the issue's JSON fields (plus details)."""
    from anjian.monitoring.scratch import anjian_command, scratch_database
    from anjian.monitoring.worker import parse_mqtt_url

    conn = parse_mqtt_url(os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883"))
    host, port = conn["host"], conn["port"]
    run = uuid.uuid4().hex[:8]
    enterprises = max(1, (points + READINGS_PER_MESSAGE - 1) // READINGS_PER_MESSAGE)
    result: dict[str, Any] = {
        "points": points,
        "seconds": seconds,
        "readings_per_message": READINGS_PER_MESSAGE,
    }
    with scratch_database("anjian_bench") as url:
        env = {**os.environ, "ANJIAN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "anjian.settings"}
        env.pop("ANJIAN_TEST_DATABASE_URL", None)
        log(f"scratch database ready; creating {points} points on {enterprises} enterprises …")
        out = subprocess.run(
            [
                *anjian_command(),
                "monitoring",
                "setup-points",
                "--enterprises",
                str(enterprises),
                "--points",
                str(points),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        codes: dict[str, list[str]] = json.loads(out)
        import psycopg

        with psycopg.connect(url) as c:
            point_ids = [
                r[0] for r in c.execute("SELECT id FROM monitoring_monitoringpoint ORDER BY id").fetchall()
            ]

        log("bare subscriber …")
        result["bare_subscriber_per_s"] = round(
            _bare_subscriber(host, port, f"bench-{run}-bare/anjian/v1/telemetry", codes, seconds)
        )
        log("bare COPY …")
        result["bare_copy_per_s"] = round(_bare_copy(url, point_ids, max(200_000, int(seconds * 50_000))))

        prefix = f"bench-{run}/anjian/v1/telemetry"
        logfile = Path(f"/tmp/anjian-bench-worker-{run}.log")
        metrics_port = _free_port()
        worker = subprocess.Popen(
            [
                *anjian_command(),
                "ingest",
                "--url",
                f"mqtt://{host}:{port}",
                "--client-id",
                f"bench-worker-{run}",
                "--topic-prefix",
                prefix,
                "--no-maintenance",
                "--metrics-port",
                str(metrics_port),
            ],
            env=env,
            stdout=logfile.open("w"),
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            while "subscribed" not in logfile.read_text():
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("worker did not start: " + logfile.read_text()[-2000:])
                time.sleep(0.2)
            # End to end, as fast as the publisher can go.
            log("end to end …")
            start_ms = int(time.time() * 1000) - 600_000
            messages = _Messages(codes, start_ms)
            pub = _Publisher(host, port, f"bench-pub-{run}")
            progress = _WorkerProgress(metrics_port)
            sent, elapsed = pub.publish_for(prefix, messages, seconds, progress)
            progress.stop()
            stored = _count(url)
            result["published_readings"] = sent * READINGS_PER_MESSAGE
            result["stored_readings"] = stored
            result["readings_per_s"] = round(stored / elapsed) if elapsed > 0 else 0
            result["worker_rss_mb"] = _rss_mb(worker.pid)

            # Alarm latency at half that load: every 10th message carries one reading above its H threshold.
            log("alarm latency at half load …")
            rate = max(1.0, result["readings_per_s"] / 2 / READINGS_PER_MESSAGE)
            latencies = _alarm_latency(url, pub, prefix, codes, rate, min(seconds, 20.0), metrics_port)
            result["alarms_measured"] = len(latencies)
            result["alarm_p99_ms"] = round(_p99(latencies)) if latencies else None
            result["alarm_p50_ms"] = round(statistics.median(latencies)) if latencies else None
            pub.close()
        finally:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    base = min(result["bare_subscriber_per_s"], result["bare_copy_per_s"])
    result["ratio"] = round(result["readings_per_s"] / base, 3) if base else None
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _alarm_latency(
    url: str,
    pub: _Publisher,
    prefix: str,
    codes: dict[str, list[str]],
    rate: float,
    seconds: float,
    port: int,
) -> list[float]:
    import psycopg

    with psycopg.connect(url) as c:
        thresholds = {
            (code, tag): h
            for code, tag, h in c.execute(
                "SELECT e.uscc, p.tag, p.h FROM monitoring_monitoringpoint p JOIN enterprises_enterprise e "
                "ON e.id = p.enterprise_id WHERE p.h IS NOT NULL AND p.on_delay_s = 0"
            ).fetchall()
        }
        before = c.execute("SELECT coalesce(max(id), 0) FROM monitoring_alarm").fetchone()
    first_id = int(before[0]) if before else 0
    items = sorted(codes.items())
    hot_tags = {code: next((t for t in tags if (code, t) in thresholds), None) for code, tags in items}
    sent = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        code, tags = items[sent % len(items)]
        now = int(time.time() * 1000)
        hot = hot_tags[code]
        readings = []
        for t in tags[:READINGS_PER_MESSAGE]:
            if t == hot:
                # Alternate far above and far below: raise, then clear, so each hot message is a new alarm.
                high = (sent // len(items)) % 2 == 0
                readings.append({"tag": t, "v": thresholds[(code, t)] * (3 if high else 0.01)})
            else:
                readings.append({"tag": t, "v": 1.0})
        pub.client.publish(f"{prefix}/{code}", json.dumps({"ts": now, "readings": readings}), qos=1)
        sent += 1
        ahead = sent / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    # Wait until the worker has committed everything that was published (at most a minute).
    progress = _WorkerProgress(port)
    time.sleep(0.3)
    deadline = time.monotonic() + 60
    last, still = -1, 0
    while time.monotonic() < deadline and still < 10:
        now_value = progress()
        still = still + 1 if now_value == last else 0
        last = now_value
        time.sleep(0.1)
    progress.stop()
    with psycopg.connect(url) as c:
        rows = c.execute(
            "SELECT extract(epoch from created_at) * 1000 - raised_ms FROM monitoring_alarm WHERE id > %s AND type = 'process'",
            [first_id],
        ).fetchall()
    return [float(r[0]) for r in rows]
