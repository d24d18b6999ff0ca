"""Gate events over MQTT against the real broker (Mosquitto at 127.0.0.1:1883), on a private topic prefix."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from anjian.gates.models import AccessEvent, Zone
from anjian.gates.mqtt import handle_message, run_subscriber

BROKER = ("127.0.0.1", 1883)


def _broker_up() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


def _ts(n: int = 0) -> int:
    return int((timezone.now() - dt.timedelta(minutes=30)).timestamp() * 1000) + n


@pytest.mark.django_db
def test_handle_message_checks_topic_enterprise_and_token(gate_site_factory):
    a, b = gate_site_factory(), gate_site_factory()
    _p, code = a.enrol()
    body = {"credential": code, "direction": "in", "ts": _ts(), "token": a.token}
    topic = f"anjian/v1/gate/{a.enterprise.uscc}/{a.gate.code}"
    assert handle_message("other/topic", b"{}") is None
    assert (
        handle_message(f"anjian/v1/gate/{b.enterprise.uscc}/{a.gate.code}", json.dumps(body).encode())[
            "error"
        ]
        == "invalid_token"
    )
    assert handle_message(topic, json.dumps({**body, "token": b.token}).encode())["error"] == "invalid_token"
    assert handle_message(topic, b"not json")["error"] == "invalid"
    assert handle_message(topic, json.dumps({**body, "ts": "x"}).encode())["error"] == "invalid"
    assert handle_message(topic, json.dumps(body).encode()) == {
        "allow": True,
        "reason": None,
        "message": "允许进入",
    }
    # QoS 1 redelivers: the same message counts once
    assert handle_message(topic, json.dumps(body).encode())["allow"] is True
    assert AccessEvent.objects.filter(source="mqtt").count() == 1


@pytest.fixture
def seeded_units(transactional_db: Any) -> None:
    from anjian.enterprises import seed as enterprise_seed
    from anjian.enterprises.models import SupervisionRule
    from anjian.orgs import seed
    from anjian.orgs.models import OrgAlias, OrgUnit

    seed.load(OrgUnit, OrgAlias)
    enterprise_seed.load(OrgUnit, SupervisionRule)


@pytest.mark.django_db(transaction=True)
def test_events_over_the_real_broker(seeded_units, gate_site_factory):
    if not _broker_up():
        if os.environ.get("CI") == "true":
            pytest.fail("Mosquitto is required in CI at 127.0.0.1:1883")
        pytest.skip("no MQTT broker at 127.0.0.1:1883")
    import paho.mqtt.client as mqtt

    site = gate_site_factory(quota=1)
    _p, first = site.enrol()
    _p, second = site.enrol()
    prefix = f"test-{uuid.uuid4().hex[:8]}/anjian/v1/gate"
    topic = f"{prefix}/{site.enterprise.uscc}/{site.gate.code}"
    stop = threading.Event()
    subscribed = threading.Event()

    def serve() -> None:
        try:
            run_subscriber(prefix=prefix, stop=stop.is_set, ready=subscribed.set)
        finally:
            connections.close_all()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    answers: list[dict[str, Any]] = []
    got = threading.Condition()

    def on_message(_c: Any, _u: Any, message: Any) -> None:
        with got:
            answers.append(json.loads(message.payload))
            got.notify_all()

    controller = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    controller.on_message = on_message
    controller.connect(*BROKER)
    controller.subscribe(f"{topic}/decision", qos=1)
    controller.loop_start()
    try:
        assert subscribed.wait(10), "subscriber did not subscribe"
        time.sleep(0.3)
        t0 = _ts()
        events = [
            {"credential": first, "direction": "in", "ts": t0, "token": site.token},
            {"credential": first, "direction": "in", "ts": t0, "token": site.token},  # duplicate
            {"credential": second, "direction": "in", "ts": t0 + 1000, "token": site.token},
            {"credential": first, "direction": "out", "ts": t0 + 2000, "token": site.token},
        ]
        for event in events:
            controller.publish(topic, json.dumps(event), qos=1).wait_for_publish(5)
            time.sleep(0.05)
        deadline = time.monotonic() + 15
        with got:
            while len(answers) < len(events) and time.monotonic() < deadline:
                got.wait(0.5)
    finally:
        controller.loop_stop()
        controller.disconnect()
        stop.set()
        server.join(10)
    assert [a.get("reason") for a in answers] == [None, None, "zone_full", None]
    assert AccessEvent.objects.filter(source="mqtt").count() == 3
    assert Zone.objects.get(pk=site.zone.pk).headcount == 0
