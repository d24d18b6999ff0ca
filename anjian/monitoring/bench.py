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

    def __init__(self, codes: dict[str, list[str]], values: dict[str, float] | None = None) -> None:
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
        self.cycle = -1
        self.ts = 0

    def __getitem__(self, i: int) -> tuple[str, bytes]:
        code, readings = self.items[i % len(self.items)]
        cycle = i // len(self.items)
        if cycle != self.cycle:
            # Each pass over the enterprises is stamped with the clock (strictly increasing per point), so the
            # readings are as fresh as a gateway's and the alarm-latency phase continues without a gap.
            self.cycle, self.ts = cycle, max(int(time.time() * 1000), self.ts + 1)
        return code, b'{"gateway": "bench", "ts": %d, "readings": %s}' % (self.ts, readings)


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
        window: int = 1500,
    ) -> tuple[int, float]:
        """Publish for ``seconds``, never more than ``window`` messages ahead of what the consumer drained
        (``progress()``, in messages) so the broker never drops any (the worker's Receive Maximum of 1,000 in
        flight + at most 500 in Mosquitto's 1,000-message session queue); then wait until everything is drained.
        Return (messages, seconds from first publish to last drained)."""
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


def _bare_subscriber(
    host: str, port: int, prefix: str, codes: dict[str, list[str]], values: dict[str, float], seconds: float
) -> float:
    """A paho client that only drains: the worker's protocol and window (MQTT 5, Receive Maximum 1,000), QoS 1,
    acknowledged on receipt."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    count = [0]
    ready = threading.Event()

    def on_message(client: Any, userdata: Any, msg: Any) -> None:
        count[0] += 1

    sub = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-bare-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5
    )
    sub.on_message = on_message
    sub.on_subscribe = lambda *a: ready.set()
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.ReceiveMaximum = 1000
    sub.connect(host, port, properties=props)
    sub.subscribe(f"{prefix}/+", qos=1)
    sub.loop_start()
    ready.wait(10)
    pub = _Publisher(host, port, f"bench-pub-bare-{uuid.uuid4().hex[:6]}")
    _sent, elapsed = pub.publish_for(prefix, _Messages(codes, values), seconds, lambda: count[0])
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
            except Exception:
                pass
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()

    def __call__(self) -> int:
        return self.value


def _bare_copy(url: str, point_ids: list[int], rows_total: int) -> float:
    import psycopg

    from anjian.monitoring.ingest import copy_bytes

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
            # The worker's own encoder (one struct.pack per row), 50,000 rows (its largest batch) per commit.
            for i in range(0, len(rows), 50_000):
                with cur.copy(
                    "COPY monitoring_reading (point_id, ts, v, q) FROM STDIN (FORMAT BINARY)"
                ) as cp:
                    cp.write(copy_bytes(rows[i : i + 50_000]))
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


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _setup_points(env: dict[str, str], enterprises: int, points: int, first: int = 0) -> dict[str, list[str]]:
    from anjian.monitoring.scratch import anjian_command

    out = subprocess.run(
        [
            *anjian_command(),
            "monitoring",
            "setup-points",
            "--enterprises",
            str(enterprises),
            "--points",
            str(points),
            "--first",
            str(first),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    codes: dict[str, list[str]] = json.loads(out)
    return codes


class _WorkerProcess:
    """``anjian ingest`` in its own process on the scratch database, with ``/progress`` on a free port."""

    def __init__(
        self, env: dict[str, str], host: str, port: int, prefix: str, client_id: str, partition: str = ""
    ) -> None:
        from anjian.monitoring.scratch import anjian_command

        self.log = Path(f"/tmp/anjian-bench-{client_id}.log")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                *anjian_command(),
                "ingest",
                "--url",
                f"mqtt://{host}:{port}",
                "--client-id",
                client_id,
                "--topic-prefix",
                prefix,
                # ANJIAN_BENCH_MAINTENANCE=1: as in production, with the maintenance thread (rollups of the
                # committed minutes, escalation) and the offline sweep running beside ingest.
                *([] if os.environ.get("ANJIAN_BENCH_MAINTENANCE") == "1" else ["--no-maintenance"]),
                "--metrics-port",
                str(self.port),
                # Each run uses new client ids: let the shared broker forget their sessions afterwards.
                "--session-expiry",
                "600",
                *(["--partition", partition] if partition else []),
            ],
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 300
        while "subscribed" not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("worker did not start: " + self.log.read_text()[-2000:])
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_ingest_bench(
    *, seconds: float, points: int, rss_points: int = 0, workers: int = 2, log: Any = print
) -> dict[str, Any]:
    """Run the whole measurement; return the issue's JSON fields (plus details)."""
    from anjian.monitoring.scratch import scratch_database
    from anjian.monitoring.worker import parse_mqtt_url

    conn = parse_mqtt_url(os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883"))
    host, port = conn["host"], conn["port"]
    run = uuid.uuid4().hex[:8]
    enterprises = max(1, (points + READINGS_PER_MESSAGE - 1) // READINGS_PER_MESSAGE)
    result: dict[str, Any] = {
        "points": points,
        "seconds": seconds,
        "readings_per_message": READINGS_PER_MESSAGE,
        "workers": workers,
        "loadavg": {"start": _loadavg()},
    }
    with scratch_database("anjian_bench") as url:
        env = {**os.environ, "ANJIAN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "anjian.settings"}
        env.pop("ANJIAN_TEST_DATABASE_URL", None)
        log(f"scratch database ready; creating {points} points on {enterprises} enterprises …")
        codes = _setup_points(env, enterprises, points)
        values = quiet_values(url)
        import psycopg

        with psycopg.connect(url) as c:
            point_ids = [
                r[0] for r in c.execute("SELECT id FROM monitoring_monitoringpoint ORDER BY id").fetchall()
            ]
            buffers = c.execute(
                "SELECT setting::bigint * 8192 / 1048576 FROM pg_settings WHERE name = 'shared_buffers'"
            ).fetchone()
        # Each point's newest readings sit on a leaf page of the (point_id, ts) index of its own: the writer
        # touches about one 8 KB page per point, which must stay in PostgreSQL's buffer cache or every batch reads
        # and evicts pages (docs/monitoring.md). With the 128 MB default and 20,000 points it does not: the writer
        # slows as the day's partition grows, and the alarm latency climbs through its phase (p99 1.1–1.5 s here,
        # 0.5–0.9 s with 1 GB).
        result["postgres_shared_buffers_mb"] = int(buffers[0]) if buffers else None
        result["index_hot_edge_mb"] = round(points * 8192 / 1048576)
        if buffers and int(buffers[0]) < 2 * result["index_hot_edge_mb"]:
            log(
                f"note: shared_buffers is {buffers[0]} MB, under twice the index's hot edge "
                f"(~{result['index_hot_edge_mb']} MB for {points} points): writes slow as the table grows"
            )

        log("bare subscriber …")
        result["bare_subscriber_per_s"] = round(
            _bare_subscriber(host, port, f"bench-{run}-bare/anjian/v1/telemetry", codes, values, seconds)
        )
        result["loadavg"]["bare_subscriber"] = _loadavg()
        log("bare COPY …")
        result["bare_copy_per_s"] = round(_bare_copy(url, point_ids, max(200_000, int(seconds * 50_000))))
        result["loadavg"]["bare_copy"] = _loadavg()

        prefix = f"bench-{run}/anjian/v1/telemetry"
        # One worker, or N partitioned ones (each its own session, owning the enterprises whose CRC-32 mod N is K).
        procs: list[_WorkerProcess] = []
        try:
            for k in range(workers):
                procs.append(
                    _WorkerProcess(
                        env,
                        host,
                        port,
                        prefix,
                        f"bench-worker-{run}-{k}",
                        f"{k}/{workers}" if workers > 1 else "",
                    )
                )
            # End to end, as fast as the publisher can go.
            log("end to end …")
            messages = _Messages(codes, values)
            pub = _Publisher(host, port, f"bench-pub-{run}")
            progresses = [_WorkerProgress(w.port) for w in procs]

            def progress() -> int:
                return min(p() for p in progresses)

            cpu0 = sum(_cpu_s(w.proc.pid) for w in procs)
            sent, elapsed = pub.publish_for(prefix, messages, seconds, progress)
            cpu = sum(_cpu_s(w.proc.pid) for w in procs) - cpu0
            result["loadavg"]["end_to_end"] = _loadavg()
            stored = _count(url)
            result["published_readings"] = sent * READINGS_PER_MESSAGE
            result["stored_readings"] = stored
            result["readings_per_s"] = round(stored / elapsed) if elapsed > 0 else 0
            result["elapsed_s"] = round(elapsed, 2)
            result["worker_cpu_s"] = round(cpu, 2)
            result["worker_cpu_us_per_reading"] = round(cpu / stored * 1e6, 2) if stored else None
            result["worker_rss_mb"] = round(sum(_rss_mb(w.proc.pid) for w in procs), 1)

            # Alarm latency at half that load: every 10th message carries one gas reading far above its H
            # threshold (on-delay 0), a different point each time, so each makes one new alarm.
            log("alarm latency at half load …")
            rate = max(1.0, result["readings_per_s"] / 2 / READINGS_PER_MESSAGE)
            timeline: dict[int, int] = {}
            latencies = _alarm_latency(
                url,
                pub,
                prefix,
                codes,
                values,
                rate,
                min(seconds, 20.0),
                progress,
                committed=sent,
                timeline=timeline,
            )
            result["alarm_max_ms_by_second"] = [timeline[k] for k in sorted(timeline)]
            with psycopg.connect(url) as c:
                result["autovacuum_after_start"] = [
                    [name, str(vac), str(ana)]
                    for name, vac, ana in c.execute(
                        "SELECT relname, last_autovacuum, last_autoanalyze FROM pg_stat_user_tables "
                        "WHERE relname LIKE 'monitoring_%%' AND (last_autovacuum IS NOT NULL "
                        "OR last_autoanalyze IS NOT NULL)"
                    ).fetchall()
                ]
            for p in progresses:
                p.stop()
            result["loadavg"]["alarm_latency"] = _loadavg()
            result["alarms_measured"] = len(latencies)
            result["alarm_p99_ms"] = round(_p99(latencies)) if latencies else None
            result["alarm_p50_ms"] = round(statistics.median(latencies)) if latencies else None
            pub.close()
        finally:
            for w in procs:
                w.stop()
        if rss_points > points:
            log(f"worker memory with {rss_points} points …")
            result["rss_points"] = rss_points
            result["worker_rss_mb_at_rss_points"] = _rss_with_points(
                env, host, port, f"{run}-rss", codes, rss_points - points, enterprises
            )
    base = min(result["bare_subscriber_per_s"], result["bare_copy_per_s"])
    result["ratio"] = round(result["readings_per_s"] / base, 3) if base else None
    return result


def _rss_with_points(
    env: dict[str, str], host: str, port: int, run: str, codes: dict[str, list[str]], more: int, first: int
) -> float:
    """Add ``more`` points, start a worker on all of them, send one reading to each, return its RSS (MB)."""
    codes = {
        **codes,
        **_setup_points(env, (more + READINGS_PER_MESSAGE - 1) // READINGS_PER_MESSAGE, more, first),
    }
    prefix = f"bench-{run}/anjian/v1/telemetry"
    worker = _WorkerProcess(env, host, port, prefix, f"bench-worker-{run}")
    try:
        pub = _Publisher(host, port, f"bench-pub-{run}")
        progress = _WorkerProgress(worker.port)
        messages = _Messages(codes)
        for i in range(len(codes)):
            while i - progress() >= 1000:
                time.sleep(0.01)
            code, body = messages[i]
            pub.client.publish(f"{prefix}/{code}", body, qos=1)
        deadline = time.monotonic() + 300
        while progress() < len(codes) and time.monotonic() < deadline:
            time.sleep(0.1)
        progress.stop()
        pub.close()
        return _rss_mb(worker.proc.pid)
    finally:
        worker.stop()


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
    values: dict[str, float],
    rate: float,
    seconds: float,
    progress: Any,
    *,
    committed: int,
    timeline: dict[int, int] | None = None,
) -> list[float]:
    """Publish at ``rate`` messages/s for ``seconds``; return publish → stored alarm latencies (ms).

    A reading is stamped with the clock when its message is published; the alarm row's ``created_at`` is set
    by the worker's writer in the transaction that stores it. ``committed``: messages the worker had committed
    before (its progress counter is cumulative).
    """
    import psycopg

    with psycopg.connect(url) as c:
        hot_tags: dict[str, list[tuple[str, float]]] = {}
        for code, tag, h in c.execute(
            "SELECT e.uscc, p.tag, p.h FROM monitoring_monitoringpoint p JOIN enterprises_enterprise e "
            "ON e.id = p.enterprise_id WHERE p.h IS NOT NULL AND p.on_delay_s = 0 ORDER BY p.id"
        ).fetchall():
            hot_tags.setdefault(code, []).append((tag, float(h)))
        before = c.execute("SELECT coalesce(max(id), 0) FROM monitoring_alarm").fetchone()
    first_id = int(before[0]) if before else 0
    items = sorted(codes.items())
    quiet = {
        code: [{"tag": t, "v": values.get(t, 1.0)} for t in tags[:READINGS_PER_MESSAGE]]
        for code, tags in items
    }
    turn: dict[str, int] = {}
    sent = 0
    # Per enterprise (its points' readings must be strictly newer than the last): one counter for all messages ran
    # ahead of the clock by a millisecond a message whenever more than 1,000 messages went out in a second, which
    # made latencies look shorter, even negative.
    last_ts: dict[str, int] = {}
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        code, _tags = items[sent % len(items)]
        ts = max(int(time.time() * 1000), last_ts.get(code, 0) + 1)
        last_ts[code] = ts
        readings = quiet[code]
        if sent % 10 == 0 and hot_tags.get(code):
            # A different detector each time: far above H (and HH), no on-delay → one new alarm.
            k = turn.get(code, 0)
            turn[code] = k + 1
            tag, h = hot_tags[code][k % len(hot_tags[code])]
            readings = [dict(r, v=h * 3) if r["tag"] == tag else r for r in readings]
        pub.client.publish(f"{prefix}/{code}", json.dumps({"ts": ts, "readings": readings}), qos=1)
        sent += 1
        ahead = sent / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    # Wait until the worker has committed everything that was published (at most two minutes).
    deadline = time.monotonic() + 120
    while progress() < committed + sent and time.monotonic() < deadline:
        time.sleep(0.05)
    with psycopg.connect(url) as c:
        rows = c.execute(
            "SELECT raised_ms, extract(epoch from created_at) * 1000 - raised_ms FROM monitoring_alarm "
            "WHERE id > %s AND type = 'process' ORDER BY raised_ms",
            [first_id],
        ).fetchall()
    if timeline is not None and rows:
        # The worst latency of each second of the phase: a backlog shows as a ramp, a pause as a spike.
        t0 = int(rows[0][0])
        for raised, latency in rows:
            second = (int(raised) - t0) // 1000
            timeline[second] = max(timeline.get(second, 0), round(float(latency)))
    return [float(r[1]) for r in rows]
