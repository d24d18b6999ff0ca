"""The MQTT path against the real broker: ``anjian ingest`` as a separate process on a scratch PostgreSQL database.

* end to end: published readings are stored, an alarm is raised once, every bad-input class is counted and the
  worker keeps running;
* crash: ``kill -9`` of the worker mid-stream, restart → every published reading stored exactly once and the
  alarms are exactly those the pure rules give for the whole stream (none lost, none repeated).

They need Mosquitto (``ANJIAN_MQTT_URL``) and PostgreSQL; they run in the PostgreSQL pass of the suite, skip
with a reason when a service is missing and fail when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from anjian.domain.alarm_rules import PointRules, replay
from anjian.monitoring.scratch import anjian_command, postgres_available, scratch_database
from anjian.monitoring.tests.fixtures import broker_address

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs in the PostgreSQL pass of the suite (make test-postgres)",
)


def _require_services() -> tuple[str, int]:
    host, port = broker_address()
    missing = []
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        missing.append(f"MQTT broker {host}:{port}")
    if not postgres_available():
        missing.append("PostgreSQL")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"required in CI: {', '.join(missing)}")
        pytest.skip(f"not available: {', '.join(missing)}")
    return host, port


@pytest.fixture(scope="module")
def scratch():
    host, port = _require_services()
    with scratch_database("anjian_montest") as url:
        env = {**os.environ, "ANJIAN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "anjian.settings"}
        env.pop("ANJIAN_TEST_DATABASE_URL", None)
        out = subprocess.run(
            [*anjian_command(), "monitoring", "setup-points", "--enterprises", "3", "--points", "30"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        yield {"url": url, "env": env, "codes": json.loads(out), "host": host, "port": port}


def sql(url: str, query: str, *args):
    import psycopg

    with psycopg.connect(url) as conn:
        cur = conn.execute(query, args or None)
        return cur.fetchall() if cur.description is not None else []


class WorkerProcess:
    """``anjian ingest`` in its own process, with its own client id and topic prefix."""

    def __init__(self, scratch: dict, prefix: str, client_id: str, log: Path) -> None:
        self.scratch, self.prefix, self.client_id, self.log = scratch, prefix, client_id, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.write_text("")
        fh = self.log.open("a")
        self.proc = subprocess.Popen(
            [
                *anjian_command(),
                "ingest",
                "--url",
                f"mqtt://{self.scratch['host']}:{self.scratch['port']}",
                "--client-id",
                self.client_id,
                "--topic-prefix",
                self.prefix,
                "--no-maintenance",
                "--batch",
                "20",
                # Long enough for kill -9 and restart; then the shared broker forgets the test's session.
                "--session-expiry",
                "600",
            ],
            env=self.scratch["env"],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while "subscribed" not in self.log.read_text():
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "worker did not subscribe: " + self.log.read_text()
            time.sleep(0.2)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.terminate()
            self.proc.wait(timeout=30)


def publisher(scratch: dict, client_id: str):
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
    client.connect(scratch["host"], scratch["port"])
    client.loop_start()
    return client


def wait_for(predicate, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return predicate()


def point_rules(url: str) -> dict[tuple[str, str], tuple[int, PointRules, float, float]]:
    rows = sql(
        url,
        "SELECT e.uscc, p.tag, p.id, p.h, p.hh, p.l, p.ll, p.deadband, p.on_delay_s, p.off_delay_s, "
        "p.offline_after_s, p.roc_per_s, p.range_low FROM monitoring_monitoringpoint p "
        "JOIN enterprises_enterprise e ON e.id = p.enterprise_id",
    )
    out = {}
    for code, tag, pid, h, hh, lo, llo, db, on, off, offline, roc, low in rows:
        rules = PointRules(h, hh, lo, llo, db, on, off, float(offline), roc)
        normal = ((max(x for x in (lo, llo, low) if x is not None)) + h) / 2
        out[(code, tag)] = (pid, rules, normal, (hh or h) * 1.2 + 1)
    return out


def test_mqtt_end_to_end_with_bad_input(scratch, tmp_path):
    run = uuid.uuid4().hex[:8]
    prefix = f"test-monitoring-{run}/anjian/v1/telemetry"
    worker = WorkerProcess(scratch, prefix, f"test-monitoring-e2e-{run}", tmp_path / "worker.log")
    worker.start()
    pub = publisher(scratch, f"test-monitoring-pub-{run}")
    try:
        code = sorted(scratch["codes"])[0]
        tag = next(t for t in scratch["codes"][code] if t.startswith("GT"))
        t0 = int(time.time() * 1000) - 120_000
        topic = f"{prefix}/{code}"
        before = sql(scratch["url"], "SELECT count(*) FROM monitoring_reading")[0][0]
        for i, v in enumerate([5, 30, 30, 5]):
            body = {"gateway": "t", "ts": t0 + i * 1000, "readings": [{"tag": tag, "v": v}]}
            pub.publish(topic, json.dumps(body), qos=1).wait_for_publish()
        bad = [
            b"{not json",
            b"x" * (300 * 1024),
            b'{"readings": 5}',
            json.dumps({"ts": t0, "readings": [{"tag": tag, "v": "1"}]}).encode(),
            b'{"ts": %d, "readings": [{"tag": "%s", "v": NaN}]}' % (t0, tag.encode()),
            json.dumps({"ts": t0, "readings": [{"tag": "NOPE", "v": 1}]}).encode(),
            json.dumps({"ts": t0 + 10**9, "readings": [{"tag": tag, "v": 1}]}).encode(),
            json.dumps({"ts": 1000, "readings": [{"tag": tag, "v": 1}]}).encode(),
        ]
        for payload in bad:
            pub.publish(topic, payload, qos=1).wait_for_publish()
        pub.publish(
            f"{prefix}/915000000000000000", json.dumps({"ts": t0, "readings": []}), qos=1
        ).wait_for_publish()
        for i, v in enumerate([6, 7]):
            body = {"gateway": "t", "ts": t0 + 10_000 + i * 1000, "readings": [{"tag": tag, "v": v}]}
            pub.publish(topic, json.dumps(body), qos=1).wait_for_publish()
        assert wait_for(
            lambda: sql(scratch["url"], "SELECT count(*) FROM monitoring_reading")[0][0] == before + 6
        )
        counters = dict(
            wait_for(
                lambda: sum(
                    r[1] for r in sql(scratch["url"], "SELECT reason, count FROM monitoring_ingestcounter")
                )
                >= 9
            )
            and sql(scratch["url"], "SELECT reason, count FROM monitoring_ingestcounter")
        )
        assert counters == {
            "malformed_json": 1,
            "too_large": 1,
            "bad_shape": 2,
            "not_finite": 1,
            "unknown_tag": 1,
            "future_ts": 1,
            "too_old": 1,
            "unknown_enterprise": 1,
        }
        alarms = sql(
            scratch["url"],
            "SELECT a.level, a.active FROM monitoring_alarm a JOIN monitoring_monitoringpoint p ON p.id = a.point_id "
            "WHERE p.tag = %s AND a.enterprise_id = p.enterprise_id AND p.enterprise_id = "
            "(SELECT id FROM enterprises_enterprise WHERE uscc = %s)",
            tag,
            code,
        )
        assert alarms == [("H", False)]
        assert worker.alive()
    finally:
        pub.loop_stop()
        worker.stop()


def test_kill_9_mid_stream_then_restart_stores_every_reading_once_and_repeats_no_alarm(scratch, tmp_path):
    # given: a worker with its own persistent session, and a stream that raises and clears alarms
    run = uuid.uuid4().hex[:8]
    prefix = f"test-monitoring-{run}/anjian/v1/telemetry"
    worker = WorkerProcess(scratch, prefix, f"test-monitoring-crash-{run}", tmp_path / "worker.log")
    url = scratch["url"]
    sql(url, "DELETE FROM monitoring_alarmlog")
    sql(url, "DELETE FROM monitoring_alarm")
    sql(url, "DELETE FROM monitoring_pointalarmstate")
    sql(url, "DELETE FROM monitoring_reading")
    rules = point_rules(url)
    messages = 240
    t0 = int(time.time() * 1000) - 20 * 60_000
    stream: list[tuple[str, dict]] = []
    expected: dict[int, list[tuple[int, float, int]]] = {}
    for i in range(messages):
        code = sorted(scratch["codes"])[i % 3]
        ts = t0 + (i // 3) * 1000
        readings = []
        for tag in scratch["codes"][code]:
            pid, _r, normal, high = rules[(code, tag)]
            v = high if (i // 3) // 15 % 2 else normal
            readings.append({"tag": tag, "v": v})
            expected.setdefault(pid, []).append((ts, v, 0))
        stream.append((code, {"gateway": "t", "ts": ts, "readings": readings}))
    total = sum(len(m["readings"]) for _c, m in stream)
    worker.start()
    pub = publisher(scratch, f"test-monitoring-pub-{run}")
    try:
        # when: the worker is killed with -9 part-way, the stream goes on, and the worker restarts
        killed = False
        for n, (code, msg) in enumerate(stream):
            pub.publish(f"{prefix}/{code}", json.dumps(msg), qos=1).wait_for_publish()
            if not killed and n > messages // 3:
                wait_for(lambda: sql(url, "SELECT count(*) FROM monitoring_reading")[0][0] > 0, 60)
                worker.kill9()
                killed = True
        assert killed
        worker.start()
        wait_for(lambda: sql(url, "SELECT count(*) FROM monitoring_reading")[0][0] >= total, 180)
        time.sleep(1.0)  # anything still arriving would be a duplicate; give it the chance to show
        # then: every reading once
        count, distinct = sql(url, "SELECT count(*), count(DISTINCT (point_id, ts)) FROM monitoring_reading")[
            0
        ]
        assert (count, distinct) == (total, total)
        # and exactly the alarms the pure rules give for the whole stream, each event once
        by_point: dict[int, list[tuple[str, str]]] = {}
        for pid, event, level in sql(
            url,
            "SELECT a.point_id, l.event, l.level FROM monitoring_alarmlog l JOIN monitoring_alarm a ON a.id = l.alarm_id "
            "ORDER BY a.point_id, l.ts, l.id",
        ):
            by_point.setdefault(pid, []).append((event, level or None))
        want = {}
        for (_code, _tag), (pid, r, _n, _h) in rules.items():
            events = [(e, lvl) for _ts, e, lvl in replay(r, expected[pid])]
            if events:
                want[pid] = events
        assert by_point == want
        raised = sql(url, "SELECT count(*) FROM monitoring_alarm")[0][0]
        assert raised == sum(1 for evs in want.values() for e, _l in evs if e == "raised")
        assert raised > 0
    finally:
        pub.loop_stop()
        worker.stop()
