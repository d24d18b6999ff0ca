"""The controller endpoint and the API: tokens, answers, 400s, override, roll call, headcount; replay equality."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anjian.domain.gate_rules import replay_json
from anjian.gates.models import AccessEvent, Presence

pytestmark = pytest.mark.django_db

_clock = itertools.count(1)


def ts() -> int:
    return int((timezone.now() - dt.timedelta(hours=1)).timestamp() * 1000) + next(_clock) * 1000


def post(site, body, *, token=None, gate=None, header="Authorization"):
    client = APIClient()
    value = token if token is not None else site.token
    headers = (
        {"HTTP_AUTHORIZATION": f"Gate {value}"} if header == "Authorization" else {"HTTP_X_GATE_TOKEN": value}
    )
    code = gate.code if gate is not None else site.gate.code
    return client.post(f"/api/v1/gates/{code}/events", body, format="json", **headers)


def test_controller_gets_allow_reason_and_message(gate_site):
    _p, code = gate_site.enrol()
    response = post(gate_site, {"credential": code, "direction": "in", "ts": ts()})
    assert response.status_code == 200
    assert response.json() == {"allow": True, "reason": None, "message": "允许进入"}
    response = post(
        gate_site, {"credential": "UNKNOWN", "direction": "in", "ts": ts()}, header="X-Gate-Token"
    )
    assert response.json() == {
        "allow": False,
        "reason": "unknown_credential",
        "message": "卡/人脸未登记或已停用，请到门岗登记",
    }


def test_certificate_expired_answer(gate_site_factory):
    site = gate_site_factory(certificates=["safety_manager"])
    _p, code = site.enrol(certificates=[("safety_manager", timezone.localdate() - dt.timedelta(days=1))])
    body = post(site, {"credential": code, "direction": "in", "ts": ts()}).json()
    assert body["allow"] is False and body["reason"] == "certificate_expired" and "过期" in body["message"]


def test_a_token_of_another_enterprises_gate_cannot_act(gate_site_factory):
    a, b = gate_site_factory(), gate_site_factory()
    _p, code = a.enrol()
    body = {"credential": code, "direction": "in", "ts": ts()}
    # b's controller token posting for a's gate, a missing token, a wrong token, an unknown gate
    assert post(a, body, token=b.token).status_code == 403
    assert post(a, body, token="").status_code == 403
    assert post(a, body, token=a.token + "x").status_code == 403
    assert post(a, body, gate=type(a.gate)(code="NOPE")).status_code == 403
    assert AccessEvent.objects.count() == 0
    # a token of the same enterprise's other gate cannot act either: a token stands for one gate
    other_gate, other_token = a.add_gate()
    assert post(a, body, token=other_token).status_code == 403
    assert post(a, body, token=other_token, gate=other_gate).status_code == 200


def test_a_reissued_token_replaces_the_old_one(gate_site):
    from anjian.gates.actions import do_issue_gate_token

    new = do_issue_gate_token(gate_site.gate, acting_user=gate_site.owner)
    body = {"credential": "X", "direction": "out", "ts": ts()}
    assert post(gate_site, body).status_code == 403
    assert post(gate_site, body, token=new).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"credential": "C", "direction": "in"},
        {"credential": "C", "direction": "in", "ts": "12:00"},
        {"credential": "C", "direction": "sideways", "ts": 1},
        {"credential": "", "direction": "in", "ts": 1},
        {"credential": "C" * 65, "direction": "in", "ts": 1},
        {"credential": "C", "direction": "in", "ts": -5},
        {"credential": "C", "direction": "in", "ts": 10**17},
        "not an object",
    ],
)
def test_bad_bodies_are_400_not_500(gate_site, body):
    response = post(gate_site, body)
    assert response.status_code == 400
    assert AccessEvent.objects.count() == 0


def test_duplicate_posts_count_once(gate_site):
    _p, code = gate_site.enrol()
    body = {"credential": code, "direction": "in", "ts": ts()}
    first, second = post(gate_site, body).json(), post(gate_site, body).json()
    assert first == second == {"allow": True, "reason": None, "message": "允许进入"}
    assert AccessEvent.objects.count() == 1 and Presence.objects.count() == 1


def test_override_and_roll_call_over_the_api(gate_site_factory, api_client_for, user_factory):
    site = gate_site_factory(quota=1)
    _p, first = site.enrol(phone="13900001111")
    _p, second = site.enrol()
    post(site, {"credential": first, "direction": "in", "ts": ts()})
    post(site, {"credential": second, "direction": "in", "ts": ts()})
    refused = AccessEvent.objects.get(credential=second)
    operator = api_client_for(site.operator)
    # a supervising department sees it but does not operate another's gate
    dept = api_client_for(user_factory(role="committee", org=None))
    assert dept.get(f"/api/v1/gates/events/{refused.pk}/").status_code == 200
    assert operator.post(f"/api/v1/gates/events/{refused.pk}/override/", {}, format="json").status_code == 400
    response = operator.post(
        f"/api/v1/gates/events/{refused.pk}/override/", {"reason": "抢修"}, format="json"
    )
    assert response.status_code == 200 and response.json()["override_reason"] == "抢修"
    counts = operator.get("/api/v1/gates/headcount/").json()
    assert counts["total"] == 2
    assert counts["enterprises"][0]["zones"][0]["level"] == "over"
    # roll call: start for the zone, phones listed, check both, closed
    rc = operator.post(
        "/api/v1/gates/roll-calls/start/", {"zone": site.zone.pk, "reason": "演练"}, format="json"
    ).json()
    assert rc["status"] == "open" and {e["phone"] for e in rc["entries"]} >= {"13900001111"}
    for entry in rc["entries"]:
        r = operator.post(f"/api/v1/gates/roll-calls/{rc['id']}/entries/{entry['id']}/check/", format="json")
        assert r.status_code == 200
    assert r.json()["status"] == "closed"


# ---------------------------------------------------------------------------------------------
# The HTTP path equals the pure replay, at every moment
# ---------------------------------------------------------------------------------------------


def test_a_random_day_through_http_equals_the_pure_replay(gate_site_factory):
    rng = random.Random(20261129)
    site = gate_site_factory(quota=4, certificates=["special_operation:hazardous_chemicals"])
    gate2, token2 = site.add_gate()
    today = timezone.localdate()
    spec = []
    for i in range(10):
        kind = rng.choice(["ok", "ok", "ok", "lapsed", "untrained", "black"])
        expires = today - dt.timedelta(days=3) if kind == "lapsed" else today + dt.timedelta(days=100)
        _p, code = site.enrol(
            trainings=["special_topic"] if kind == "untrained" else ["three_level"],
            certificates=[("special_operation:hazardous_chemicals", expires)],
            blacklisted=kind == "black",
            credential=f"R{i:03d}",
        )
        spec.append(
            {
                "credential": code,
                "trainings": ["special_topic"] if kind == "untrained" else ["safety"],
                "certificates": [
                    {
                        "kind": "special_operation:hazardous_chemicals",
                        "expires": expires.isoformat(),
                        "issued": "2023-01-01",
                    }
                ],
                "zones": [site.zone.code],
                "blacklisted": kind == "black",
            }
        )
    creds = [s["credential"] for s in spec] + ["GHOST"]
    start = ts()
    events = []
    for n in range(300):
        gate_code = rng.choice([site.gate.code, gate2.code])
        event = {
            "ts": start + n * 997,
            "credential": rng.choice(creds),
            "gate": gate_code,
            "direction": rng.choice(["in", "in", "out"]),
        }
        events.append(event)
        if rng.random() < 0.05:
            events.append(dict(event))  # a repeated event
    tokens = {site.gate.code: site.token, gate2.code: token2}
    doc = {
        "zones": [
            {
                "code": site.zone.code,
                "quota": 4,
                "requires": ["safety"],
                "requires_certificates": ["special_operation:hazardous_chemicals"],
            }
        ],
        "gates": [
            {"code": site.gate.code, "zone": site.zone.code},
            {"code": gate2.code, "zone": site.zone.code},
        ],
        "people": spec,
        "events": [],
    }
    client = APIClient()
    for i, event in enumerate(events):
        response = client.post(
            f"/api/v1/gates/{event['gate']}/events",
            {k: event[k] for k in ("credential", "direction", "ts")},
            format="json",
            HTTP_AUTHORIZATION=f"Gate {tokens[event['gate']]}",
        )
        doc["events"] = events[: i + 1]
        expected = replay_json(doc)
        assert {"allow": response.json()["allow"], "reason": response.json()["reason"]} == expected[
            "decisions"
        ][i], i
        site.zone.refresh_from_db()
        assert site.zone.headcount == expected["headcount"][site.zone.code] == Presence.objects.count(), i
    reasons = {d["reason"] for d in replay_json(doc)["decisions"]}
    # the day exercised the interesting paths
    assert {None, "zone_full", "already_inside", "unknown_credential"} <= reasons
