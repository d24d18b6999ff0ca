"""``anjian ingest``: consume telemetry from MQTT (``ANJIAN_MQTT_URL``), evaluate alarms, store readings."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anjian.monitoring.worker import SESSION_NEVER_EXPIRES, TOPIC, Worker, parse_partition, serve_metrics


class Command(BaseCommand):
    help = "Telemetry ingest worker: subscribe to anjian/v1/telemetry/+ (QoS 1, MQTT 5 persistent session)（监测数据接入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883"))
        parser.add_argument(
            "--client-id", default="anjian-ingest", help="MQTT client id (the persistent session)"
        )
        parser.add_argument("--topic-prefix", default=TOPIC)
        parser.add_argument(
            "--share", default="", help="shared-subscription group ($share/GROUP/…), e.g. on EMQX"
        )
        parser.add_argument("--metrics-port", type=int, default=0, help="serve /metrics on 127.0.0.1:PORT")
        parser.add_argument("--batch", type=int, default=500, help="max messages per transaction")
        parser.add_argument(
            "--inflight",
            type=int,
            default=1000,
            help="MQTT 5 Receive Maximum: unacknowledged messages the broker may send (bounds a transaction)",
        )
        parser.add_argument(
            "--session-expiry",
            type=int,
            default=SESSION_NEVER_EXPIRES,
            help="seconds the broker keeps the session after a disconnect (default: never expires)",
        )
        parser.add_argument(
            "--partition",
            default="",
            help="K/N: evaluate only the enterprises whose CRC-32 mod N is K (N workers, each its own client id)",
        )
        parser.add_argument(
            "--max-wait-ms", type=int, default=50, help="close a batch this long after its first message"
        )
        parser.add_argument(
            "--no-maintenance", action="store_true", help="no offline sweep/rollups/escalation"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        logger = logging.getLogger("anjian.monitoring")
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if os.environ.get("ANJIAN_INGEST_DEBUG") else logging.INFO)
        logger.propagate = False
        worker = Worker(
            opts["url"],
            client_id=opts["client_id"],
            topic_prefix=opts["topic_prefix"],
            share_group=opts["share"],
            max_batch_messages=opts["batch"],
            receive_maximum=opts["inflight"],
            max_wait_s=opts["max_wait_ms"] / 1000,
            partition=parse_partition(opts["partition"]),
            session_expiry_s=opts["session_expiry"],
            maintenance=not opts["no_maintenance"],
        )
        if opts["metrics_port"]:
            serve_metrics(worker, opts["metrics_port"])
        stats = worker.run()
        self.stdout.write(
            f"stopped: {stats.messages} messages, {stats.readings} readings, {stats.stored} stored, "
            f"{stats.rejected} rejected"
        )
