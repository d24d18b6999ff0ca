"""Gate events over MQTT: ``anjian/v1/gate/{enterprise_code}/{gate_code}`` (paho-mqtt 2.2).

Payload: the HTTP body plus the gate's controller token, ``{"credential": "…", "direction": "in",
"ts": <epoch ms>, "token": "…"}``. The answer ``{"allow", "reason", "message"}`` (or ``{"error": …}``) is
published on the same topic + ``/decision`` (QoS 1), for controllers that wait for it. The enterprise
code in the topic must be the gate's enterprise's 统一社会信用代码, and the token must be the gate's:
a controller cannot act for another enterprise's gate over MQTT either. A repeated message (QoS 1
redelivery) is a duplicate event and counts once.

Run it with ``anjian gates mqtt`` (one subscriber per broker is enough: the decision is exact under the
zone lock whichever process takes it).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django.db import close_old_connections

from anjian.core.errors import AnjianError
from anjian.gates.choices import EventSource

__all__ = ["DEFAULT_PREFIX", "MAX_PAYLOAD", "handle_message", "mqtt_url", "run_subscriber"]

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "anjian/v1/gate"
MAX_PAYLOAD = 4096


def mqtt_url() -> str:
    """The broker: ``ANJIAN_MQTT_URL`` (default ``mqtt://127.0.0.1:1883``)."""
    return os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883")


def handle_message(topic: str, payload: bytes, *, prefix: str = DEFAULT_PREFIX) -> dict[str, Any] | None:
    """Decide one MQTT gate event; return the answer to publish, or ``None`` for a topic that is not ours."""
    from anjian.gates import actions, facts

    rest = topic[len(prefix) + 1 :] if topic.startswith(prefix + "/") else ""
    parts = rest.split("/")
    if len(parts) != 2 or not all(parts):
        return None
    enterprise_code, gate_code = parts
    if len(payload) > MAX_PAYLOAD:
        return {"error": "payload_too_large", "message": "消息过大"}
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"error": "invalid", "message": "消息不是合法的 JSON"}
    if not isinstance(body, dict):
        return {"error": "invalid", "message": "消息应为 JSON 对象"}
    invalid = {"error": "invalid_token", "message": "控制器令牌无效或无权代表该门上报"}
    found = facts.gate_for_token(gate_code, str(body.get("token") or ""))
    if found is None or found[0].enterprise_code != enterprise_code:
        return invalid
    gate, token_hash = found
    try:
        outcome = actions.do_decide_event(
            gate,
            credential=str(body.get("credential") or ""),
            direction=str(body.get("direction") or ""),
            ts=body.get("ts"),
            source=EventSource.MQTT,
            token_hash=token_hash,
            enterprise_code=enterprise_code,
        )
    except actions.InvalidGateToken:
        return invalid
    except AnjianError as exc:
        return {"error": exc.code, "message": exc.message}
    return outcome.as_dict()


def run_subscriber(
    *,
    url: str | None = None,
    prefix: str = DEFAULT_PREFIX,
    stop: Callable[[], bool] = lambda: False,
    ready: Callable[[], None] | None = None,
) -> None:
    """Subscribe to ``{prefix}/+/+`` and answer every event until ``stop()`` is true."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    parsed = urlparse(url or mqtt_url())
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="", clean_session=True)
    if parsed.username:
        client.username_pw_set(parsed.username, parsed.password)

    def on_connect(c: Any, _userdata: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        c.subscribe(f"{prefix}/+/+", qos=1)

    def on_subscribe(*_args: Any) -> None:
        if ready is not None:
            ready()

    def on_message(c: Any, _userdata: Any, message: Any) -> None:
        close_old_connections()
        try:
            answer = handle_message(message.topic, message.payload, prefix=prefix)
        except Exception:  # a bad message must not stop the gate for everyone
            log.exception("gate event on %s failed", message.topic)
            answer = {"error": "internal", "message": "服务器处理失败"}
        if answer is not None:
            c.publish(f"{message.topic}/decision", json.dumps(answer, ensure_ascii=False), qos=1)

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883, keepalive=30)
    try:
        while not stop():
            client.loop(timeout=0.5)
    finally:
        client.disconnect()
