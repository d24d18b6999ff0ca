"""The MQTT ingest worker behind ``anjian ingest``.

paho-mqtt 2 client, MQTT 5 persistent session (``clean_start=False``, session never expires), QoS 1,
``manual_ack=True``: the network thread queues messages; the main thread drains them in batches and evaluates
them; a writer thread writes each batch in one transaction and only then acknowledges its messages (PUBACK).
Kill it at any moment: what was not acknowledged is redelivered, what was committed is not stored twice (see
``ingest.py``).
"""

from __future__ import annotations

import gc
import logging
import queue
import signal
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections, transaction
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from anjian.monitoring.ingest import Batch, Registry, Rejects, decode_into, now_ms, write_batch
from anjian.monitoring.maintenance import MINUTE_MS, DirtyMinutes, Maintainer, offline_sweep

__all__ = ["Pending", "Worker", "WorkerStats", "owner", "parse_mqtt_url", "parse_partition"]

log = logging.getLogger("anjian.monitoring.worker")

TOPIC = "anjian/v1/telemetry"
#: MQTT 5 Session Expiry Interval 0xFFFFFFFF: the session (subscription and unacknowledged messages) outlives any
#: disconnect, like MQTT 3.1.1's ``clean_session=False``.
SESSION_NEVER_EXPIRES = 0xFFFFFFFF


def owner(code: str | None, partition: tuple[int, int] | None) -> bool:
    """Whether the worker of ``partition`` (K, N) owns enterprise ``code`` (no partition: it owns all)."""
    if partition is None:
        return True
    k, n = partition
    if code is None:
        return k == 0
    return zlib.crc32(code.encode()) % n == k


def parse_partition(text: str) -> tuple[int, int] | None:
    """``"K/N"`` → (K, N) with 0 ≤ K < N; ``""`` → None."""
    if not text:
        return None
    k, _, n = text.partition("/")
    part = (int(k), int(n))
    if not 0 <= part[0] < part[1]:
        raise ValueError(f"分区应为 K/N 且 0 ≤ K < N：{text}")
    return part


def parse_mqtt_url(url: str) -> dict[str, Any]:
    """``mqtt://user:pass@host:1883`` → connection arguments (``mqtts://`` turns TLS on)."""
    u = urlparse(url or "mqtt://127.0.0.1:1883")
    if u.scheme not in {"mqtt", "mqtts", "tcp", "ssl"}:
        raise ValueError(f"MQTT 地址应以 mqtt:// 开头：{url}")
    tls = u.scheme in {"mqtts", "ssl"}
    return {
        "host": u.hostname or "127.0.0.1",
        "port": u.port or (8883 if tls else 1883),
        "username": u.username,
        "password": u.password,
        "tls": tls,
    }


@dataclass
class WorkerStats:
    messages: int = 0
    readings: int = 0
    stored: int = 0
    batches: int = 0
    alarm_events: int = 0
    rejected: int = 0
    #: Messages of enterprises another partition owns, acknowledged unread.
    skipped: int = 0
    started: float = field(default_factory=time.time)

    def as_metrics(self) -> dict[str, float]:
        return {
            "anjian_ingest_messages_total": self.messages,
            "anjian_ingest_readings_total": self.readings,
            "anjian_ingest_stored_total": self.stored,
            "anjian_ingest_batches_total": self.batches,
            "anjian_ingest_alarm_events_total": self.alarm_events,
            "anjian_ingest_rejected_total": self.rejected,
            "anjian_ingest_skipped_total": self.skipped,
            "anjian_ingest_uptime_seconds": round(time.time() - self.started, 1),
        }


@dataclass
class Pending:
    """An evaluated batch on its way to the writer thread, with the messages to acknowledge after its commit."""

    batch: Batch
    messages: list[tuple[int, mqtt.MQTTMessage]]
    received: int


class Worker:
    """Consume telemetry from the broker and write it; ``run()`` returns after ``stop()`` or a signal.

    Three threads: paho's network thread queues the messages (``inbox``); the main thread drains them in
    batches (``max_batch_messages`` or ``max_wait_s`` after the first), decodes them and runs the alarm rules;
    the writer thread writes each evaluated batch in one transaction and only then acknowledges its messages.
    At most ``pipeline`` evaluated batches wait for the writer, so evaluation of batch N+1 overlaps the COPY
    and commit of batch N without running far ahead.
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str = "anjian-ingest",
        topic_prefix: str = TOPIC,
        share_group: str = "",
        max_batch_messages: int = 500,
        max_wait_s: float = 0.05,
        receive_maximum: int = 1000,
        session_expiry_s: int = SESSION_NEVER_EXPIRES,
        pipeline: int = 2,
        partition: tuple[int, int] | None = None,
        maintenance: bool = True,
    ) -> None:
        self.conn = parse_mqtt_url(url)
        self.client_id = client_id
        self.topic_prefix = topic_prefix.rstrip("/")
        self.share_group = share_group
        self.max_batch_messages = max_batch_messages
        self.max_wait_s = max_wait_s
        self.receive_maximum = max(1, min(65535, receive_maximum))
        self.session_expiry_s = max(0, min(SESSION_NEVER_EXPIRES, session_expiry_s))
        self.maintenance = maintenance
        self.partition = partition
        # (connection generation, message): a message is acknowledged only on the connection that delivered it.
        # queue.Queue, not SimpleQueue: SimpleQueue.get(timeout=…) was seen to block for good after a signal
        # arrived during the wait (CPython 3.11), which kept SIGTERM from stopping the worker.
        self.inbox: queue.Queue[tuple[int, mqtt.MQTTMessage]] = queue.Queue()
        self.outbox: queue.Queue[Pending | None] = queue.Queue(maxsize=max(1, pipeline))
        self.stats = WorkerStats()
        self.rejects = Rejects()
        self._stop = threading.Event()
        self._failed = threading.Event()
        self.connected = threading.Event()
        self.generation = 0
        self.client: mqtt.Client | None = None
        self.writer: threading.Thread | None = None
        #: Acknowledge callback (tests replace it to watch the order of commits and acknowledgements).
        self.ack: Any = None
        #: Minutes with committed readings not yet rolled up (the maintenance thread's work list).
        self.dirty = DirtyMinutes()
        self.maintainer: Maintainer | None = None

    @property
    def subscription(self) -> str:
        topic = f"{self.topic_prefix}/+"
        return f"$share/{self.share_group}/{topic}" if self.share_group else topic

    # -- MQTT callbacks (network thread) -------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        self.generation += 1
        client.subscribe(self.subscription, qos=1)
        self.connected.set()
        log.info(
            "subscribed to %s (session present: %s, receive maximum %d)",
            self.subscription,
            getattr(flags, "session_present", "?"),
            self.receive_maximum,
        )

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        if self.partition is not None and not self.owns(self._topic_code(msg.topic)):
            # Another partition's worker owns this enterprise and gets its own copy (its own session).
            client.ack(msg.mid, msg.qos)
            self.stats.skipped += 1
            return
        self.inbox.put((self.generation, msg))

    def owns(self, code: str | None) -> bool:
        """Whether this worker evaluates enterprise ``code`` (``--partition K/N``: CRC-32 of the code mod N = K).

        Every worker of a partitioned set subscribes to all telemetry with its own session; each evaluates
        and stores only its enterprises and acknowledges the rest at once, so a point's state has one owner
        on any broker (EMQX's ``hash_topic`` shared subscriptions do the same routing in the broker).
        Messages with no enterprise in the topic are partition 0's, which counts them as rejects.
        """
        return owner(code, self.partition)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("MQTT disconnected (%s); paho reconnects", reason)

    # -- main loop ---------------------------------------------------------------------------------

    def start_client(self) -> mqtt.Client:
        """Connect with MQTT 5: a persistent session (never expires) and our Receive Maximum.

        The broker sends at most ``receive_maximum`` unacknowledged QoS 1 messages (MQTT 5 §3.1.2.11.3); since
        nothing is acknowledged before its commit, that window bounds a transaction. Mosquitto honours a
        client's Receive Maximum above its own ``max_inflight_messages`` (20 by default, which with MQTT 3.1.1
        capped each transaction at 20 messages); EMQX takes the smaller of the two (raise ``max_inflight``).
        """
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        if self.conn["username"]:
            client.username_pw_set(self.conn["username"], self.conn["password"])
        if self.conn["tls"]:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        client.reconnect_delay_set(1, 10)
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.session_expiry_s
        props.ReceiveMaximum = self.receive_maximum
        client.connect(
            self.conn["host"], self.conn["port"], keepalive=30, clean_start=False, properties=props
        )
        client.loop_start()
        self.client = client
        if self.ack is None:
            self.ack = lambda generation, msg: (
                client.ack(msg.mid, msg.qos) if generation == self.generation else None
            )
        return client

    def stop(self) -> None:
        self._stop.set()

    def _topic_code(self, topic: str) -> str | None:
        prefix = self.topic_prefix + "/"
        if not topic.startswith(prefix):
            return None
        code = topic[len(prefix) :]
        return code if code and "/" not in code else None

    def evaluate(self, messages: list[tuple[int, mqtt.MQTTMessage]], registry: Registry) -> Pending:
        """Decode the messages and run the alarm rules (updates the in-memory state); no database access."""
        from anjian.monitoring.choices import RejectReason

        batch = Batch()
        now = now_ms()
        for _generation, msg in messages:
            code = self._topic_code(msg.topic)
            if code is None:
                self.rejects.add(RejectReason.BAD_TOPIC, msg.topic[:100])
                continue
            decode_into(batch, code, msg.payload, registry, self.rejects, now)
        batch.freeze(self.rejects)
        return Pending(batch, messages, sum(batch.reject_counts[0].values()))

    def write(self, pending: Pending, registry: Registry) -> dict[str, int]:
        """Write one evaluated batch in one transaction, then acknowledge its messages (in order)."""
        t0 = time.perf_counter()
        with transaction.atomic():
            result = write_batch(pending.batch, registry, self.rejects)
        rows = pending.batch.rows
        if rows and self.maintenance:
            stamps = [r[1] for r in rows]
            self.dirty.mark(min(stamps), max(stamps))
        log.debug(
            "wrote %d messages, %d readings in %.1f ms (waiting: %d messages, %d batches)",
            len(pending.messages),
            len(pending.batch.rows),
            (time.perf_counter() - t0) * 1000,
            self.inbox.qsize(),
            self.outbox.qsize(),
        )
        ack = self.ack
        for generation, msg in pending.messages:
            ack(generation, msg)
        st = self.stats
        st.readings += len(pending.batch.rows)
        st.stored += result["new"]
        st.alarm_events += result["events"]
        st.rejected += pending.received
        st.batches += 1
        st.messages += len(pending.messages)
        return result

    def process(self, messages: list[mqtt.MQTTMessage], registry: Registry) -> dict[str, int]:
        """Evaluate and write one batch in the calling thread (tests; the worker pipelines the two)."""
        return self.write(self.evaluate([(self.generation, m) for m in messages], registry), registry)

    def _write_loop(self, registry_box: list[Registry]) -> None:
        """Writer thread: write what the main thread evaluated, in order; after a failure, drop until reset."""
        try:
            while True:
                pending = self.outbox.get()
                try:
                    if pending is None:
                        return
                    if not self._failed.is_set():
                        self.write(pending, registry_box[0])
                except Exception:
                    # The batch rolled back: its messages (and those evaluated after it) stay unacknowledged
                    # and come back after a reconnect; the main thread reloads the state.
                    log.exception("batch failed; reloading state and reconnecting for redelivery")
                    self._failed.set()
                finally:
                    self.outbox.task_done()
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()

    def run(self, *, install_signals: bool = True) -> WorkerStats:
        """Load the points and their state, connect, and consume until stopped."""
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop())
        registry = Registry.load(owns=self.owns if self.partition else None)
        log.info("loaded %d points (partition %s)", len(registry.by_id), self.partition or "all")
        _freeze_heap()
        registry_box = [registry]
        self.writer = threading.Thread(target=self._write_loop, args=(registry_box,), name="ingest-writer")
        self.writer.start()
        if self.maintenance:
            # What a previous worker may have committed and not yet rolled up (it rolls up every 10 s).
            wall = now_ms()
            self.dirty.mark(wall - 3 * MINUTE_MS, wall)
            self.maintainer = Maintainer(
                self.dirty, lambda: sorted(registry_box[0].by_id) if self.partition else None
            )
            self.maintainer.start()
        client = self.start_client()
        last_refresh = last_sweep = time.monotonic()
        try:
            while not self._stop.is_set():
                if self._failed.is_set():
                    registry = self._recover(client)
                    registry_box[0] = registry
                    continue
                messages = self._drain()
                if messages:
                    self.outbox.put(self.evaluate(messages, registry))
                now = time.monotonic()
                if self.maintenance and now - last_sweep >= 5.0:
                    last_sweep = now
                    # The sweep changes and writes point states itself: let the writer finish first. (Rollups,
                    # escalation and retention run on the maintenance thread, off this path.)
                    self.outbox.join()
                    if not self._failed.is_set():
                        try:
                            offline_sweep(registry)
                        except Exception:
                            log.exception("offline sweep failed")
                if now - last_refresh > 30:
                    # Between batches; one aggregate query unless the points changed (then a reload).
                    self.outbox.join()
                    if registry.refresh():
                        _freeze_heap()
                        log.info(
                            "points changed: %d reloaded in %.0f ms",
                            len(registry.by_id),
                            (time.monotonic() - now) * 1000,
                        )
                    last_refresh = time.monotonic()
        finally:
            self.outbox.put(None)
            self.writer.join()
            if self.maintainer is not None:
                self.maintainer.stop()
                self.maintainer.join(timeout=30)
            client.disconnect()
            client.loop_stop()
        return self.stats

    def _recover(self, client: mqtt.Client) -> Registry:
        """After a failed batch: wait for the writer, reload the state (the in-memory one ran ahead), reconnect."""
        self.outbox.join()
        close_old_connections()
        registry = Registry.load(owns=self.owns if self.partition else None)
        _freeze_heap()
        self._failed.clear()
        client.reconnect()
        return registry

    def _drain(self) -> list[tuple[int, mqtt.MQTTMessage]]:
        """The next batch: what is waiting (up to ``max_batch_messages``), else what arrives within ``max_wait_s``
        of the first message."""
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        messages = [first]
        limit = self.max_batch_messages
        get, get_nowait = self.inbox.get, self.inbox.get_nowait
        deadline = time.monotonic() + self.max_wait_s
        while len(messages) < limit:
            try:
                # What is already queued costs no timed wait.
                messages.append(get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                messages.append(get(timeout=left))
            except queue.Empty:
                break
        return messages


def _freeze_heap() -> None:
    """Move what is alive now (Django, the points and their state: ~a million objects) out of the collector's
    reach: a full collection would otherwise walk all of them, pausing the worker for up to a second under
    load, every few thousand batches' worth of short-lived tuples."""
    gc.collect()
    gc.freeze()


def serve_metrics(worker: Worker, port: int) -> ThreadingHTTPServer:
    """Serve ``/metrics`` (Prometheus text) for this worker on 127.0.0.1:``port`` in a thread."""
    from anjian.monitoring.reports import prometheus_text

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/progress":
                # Cheap (no database): messages committed (or skipped as another partition's), for load generators.
                body = str(worker.stats.messages + worker.stats.skipped).encode()
            elif path == "/metrics":
                close_old_connections()
                body = prometheus_text(worker.stats.as_metrics()).encode()
                close_old_connections()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
