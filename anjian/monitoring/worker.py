"""The MQTT ingest worker behind ``anjian ingest``.

paho-mqtt 2 client, MQTT 3.1.1 persistent session (``clean_session=False``), QoS 1, ``manual_ack=True``: the
network thread queues messages; the main thread drains them in batches, evaluates and writes each batch in
one transaction and only then acknowledges its messages (PUBACK). Kill it at any moment: what was not
acknowledged is redelivered, what was committed is not stored twice (see ``ingest.py``).
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections, transaction
from paho.mqtt.enums import CallbackAPIVersion

from anjian.monitoring.ingest import Batch, Registry, Rejects, decode_into, now_ms, write_batch
from anjian.monitoring.maintenance import tick

__all__ = ["Worker", "WorkerStats", "parse_mqtt_url"]

log = logging.getLogger("anjian.monitoring.worker")

TOPIC = "anjian/v1/telemetry"


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
    started: float = field(default_factory=time.time)

    def as_metrics(self) -> dict[str, float]:
        return {
            "anjian_ingest_messages_total": self.messages,
            "anjian_ingest_readings_total": self.readings,
            "anjian_ingest_stored_total": self.stored,
            "anjian_ingest_batches_total": self.batches,
            "anjian_ingest_alarm_events_total": self.alarm_events,
            "anjian_ingest_rejected_total": self.rejected,
            "anjian_ingest_uptime_seconds": round(time.time() - self.started, 1),
        }


class Worker:
    """Consume telemetry from the broker and write it; ``run()`` returns after ``stop()`` or a signal."""

    def __init__(
        self,
        url: str,
        *,
        client_id: str = "anjian-ingest",
        topic_prefix: str = TOPIC,
        share_group: str = "",
        max_batch_messages: int = 200,
        max_wait_s: float = 0.05,
        maintenance: bool = True,
    ) -> None:
        self.conn = parse_mqtt_url(url)
        self.client_id = client_id
        self.topic_prefix = topic_prefix.rstrip("/")
        self.share_group = share_group
        self.max_batch_messages = max_batch_messages
        self.max_wait_s = max_wait_s
        self.maintenance = maintenance
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.stats = WorkerStats()
        self.rejects = Rejects()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.client: mqtt.Client | None = None

    @property
    def subscription(self) -> str:
        topic = f"{self.topic_prefix}/+"
        return f"$share/{self.share_group}/{topic}" if self.share_group else topic

    # -- MQTT callbacks (network thread) -------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(self.subscription, qos=1)
        self.connected.set()
        log.info(
            "subscribed to %s (session present: %s)",
            self.subscription,
            getattr(flags, "session_present", "?"),
        )

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.inbox.put(msg)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("MQTT disconnected (%s); paho reconnects", reason)

    # -- main loop ---------------------------------------------------------------------------------

    def start_client(self) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
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
        client.connect(self.conn["host"], self.conn["port"], keepalive=30)
        client.loop_start()
        self.client = client
        return client

    def stop(self) -> None:
        self._stop.set()

    def _topic_code(self, topic: str) -> str | None:
        prefix = self.topic_prefix + "/"
        if not topic.startswith(prefix):
            return None
        code = topic[len(prefix) :]
        return code if code and "/" not in code else None

    def process(self, messages: list[mqtt.MQTTMessage], registry: Registry) -> dict[str, int]:
        """Evaluate and write one batch of messages (one transaction); the caller acknowledges after."""
        from anjian.monitoring.choices import RejectReason

        batch = Batch()
        now = now_ms()
        for msg in messages:
            code = self._topic_code(msg.topic)
            if code is None:
                self.rejects.add(RejectReason.BAD_TOPIC, msg.topic[:100])
                continue
            decode_into(batch, code, msg.payload, registry, self.rejects, now)
        rejected = sum(self.rejects.counts.values())
        with transaction.atomic():
            result = write_batch(batch, registry, self.rejects)
        self.stats.messages += len(messages)
        self.stats.readings += len(batch.rows)
        self.stats.stored += result["new"]
        self.stats.alarm_events += result["events"]
        self.stats.rejected += rejected
        self.stats.batches += 1
        return result

    def run(self, *, install_signals: bool = True) -> WorkerStats:
        """Load the points and their state, connect, and consume until stopped."""
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop())
        registry = Registry.load()
        log.info("loaded %d points", len(registry.by_id))
        client = self.start_client()
        last_refresh = time.monotonic()
        try:
            while not self._stop.is_set():
                messages = self._drain()
                if messages:
                    try:
                        self.process(messages, registry)
                    except Exception:
                        # The batch rolled back: its messages stay unacknowledged and come back after a
                        # reconnect. Reload state from the database (the in-memory one ran ahead).
                        log.exception("batch failed; reloading state and reconnecting for redelivery")
                        close_old_connections()
                        registry = Registry.load()
                        client.reconnect()
                        continue
                    for msg in messages:
                        client.ack(msg.mid, msg.qos)
                if self.maintenance:
                    try:
                        tick(registry=registry)
                    except Exception:
                        log.exception("maintenance failed")
                if time.monotonic() - last_refresh > 30:
                    registry.refresh()
                    last_refresh = time.monotonic()
        finally:
            client.disconnect()
            client.loop_stop()
        return self.stats

    def _drain(self) -> list[mqtt.MQTTMessage]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        messages = [first]
        deadline = time.monotonic() + self.max_wait_s
        while len(messages) < self.max_batch_messages:
            try:
                messages.append(self.inbox.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return messages


def serve_metrics(worker: Worker, port: int) -> ThreadingHTTPServer:
    """Serve ``/metrics`` (Prometheus text) for this worker on 127.0.0.1:``port`` in a thread."""
    from anjian.monitoring.reports import prometheus_text

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/progress":
                # Cheap (no database): messages committed so far, for load generators.
                body = str(worker.stats.messages).encode()
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
