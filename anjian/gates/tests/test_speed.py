"""The gate's speed, as load-independent facts: queries per decision (pinned) and the per-process facts cache,
which every change reaches before the next decision (database triggers, so bulk and raw writes too).

Wall-clock time is never asserted: ``bench/bench_gates.py`` measures it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from anjian.gates import actions, facts
from anjian.gates.models import AccessPass, Credential, Gate, Zone
from anjian.people.models import Certificate, Person, TrainingRecord

pytestmark = pytest.mark.django_db

_clock = itertools.count(1)

#: Statements per decision once the gate and the credential are known to the process. PostgreSQL: the zone
#: lock (with the gate's row), one read (duplicate, presence, facts version), one write (event + presence +
#: counter in a single WITH). SQLite (no data-modifying WITH): the writes one by one.
QUERIES = {
    "postgresql": {"entry": 3, "denied": 3, "exit": 3, "exit_outside": 3},
    "sqlite": {"entry": 5, "denied": 3, "exit": 6, "exit_outside": 3},
}


def ts() -> int:
    base = int((timezone.now() - dt.timedelta(hours=1)).timestamp() * 1000)
    return base + next(_clock) * 1000


def post(site, code, direction="in", token=None):
    return APIClient().post(
        f"/api/v1/gates/{site.gate.code}/events",
        {"credential": code, "direction": direction, "ts": ts()},
        format="json",
        HTTP_AUTHORIZATION=f"Gate {token or site.token}",
    )


def reason(site, code, direction="in"):
    response = post(site, code, direction)
    assert response.status_code == 200, response.content
    return response.json()["reason"]


@contextlib.contextmanager
def statements(expected: int) -> Iterator[None]:
    """Exactly ``expected`` statements, not counting the savepoint around the decision (a test runs inside a
    transaction; a web request's ``BEGIN``/``COMMIT`` are not counted either)."""
    with CaptureQueriesContext(connection) as ctx:
        yield
    done = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(done) == expected, "\n".join(done)


@pytest.fixture(autouse=True)
def empty_cache():
    facts.clear()
    yield
    facts.clear()


# ---------------------------------------------------------------------------------------------
# Queries per decision: a test that fails if they grow
# ---------------------------------------------------------------------------------------------


def test_queries_per_decision_through_http_are_pinned(gate_site):
    expected = QUERIES[connection.vendor]
    _p, code = gate_site.enrol()
    _q, refused = gate_site.enrol(trainings=())
    # the first sight of the gate and of each credential reads them (5 queries); these are not pinned
    assert reason(gate_site, code, "out") is None
    assert reason(gate_site, refused, "out") is None
    with statements(expected["entry"]):
        assert reason(gate_site, code) is None
    with statements(expected["denied"]):
        assert reason(gate_site, refused) == "training_missing"
    with statements(expected["exit"]):
        assert reason(gate_site, code, "out") is None
    with statements(expected["exit_outside"]):
        assert reason(gate_site, refused, "out") is None


def test_an_unknown_credential_costs_one_lookup_more(gate_site):
    _p, code = gate_site.enrol()
    assert reason(gate_site, code, "out") is None
    with statements(QUERIES[connection.vendor]["denied"] + 1):
        assert reason(gate_site, "NOBODY") == "unknown_credential"


# ---------------------------------------------------------------------------------------------
# The cache never outlives a change (each change is followed by the very next decision)
# ---------------------------------------------------------------------------------------------


def test_a_removed_training_is_seen_by_the_next_decision(gate_site):
    person, code = gate_site.enrol()
    assert reason(gate_site, code) is None
    assert reason(gate_site, code, "out") is None
    TrainingRecord.objects.filter(person=person).delete()
    assert reason(gate_site, code) == "training_missing"


def test_a_new_or_changed_certificate_is_seen(gate_site_factory, certificate_factory):
    site = gate_site_factory(certificates=["safety_manager"])
    person, code = site.enrol()
    assert reason(site, code) == "certificate_missing"
    cert = certificate_factory(
        person, kind="safety_manager", expires_on=timezone.localdate() + dt.timedelta(1)
    )
    assert reason(site, code) is None
    assert reason(site, code, "out") is None
    Certificate.objects.filter(pk=cert.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert reason(site, code) == "certificate_expired"


def test_credential_pass_person_and_zone_changes_are_seen(gate_site):
    person, code = gate_site.enrol()
    assert reason(gate_site, code) is None
    assert reason(gate_site, code, "out") is None
    # bulk updates: no model save, no signal — the database triggers replace the facts version anyway
    AccessPass.objects.filter(person=person).update(blacklisted=True, blacklist_reason="测试")
    assert reason(gate_site, code) == "blacklisted"
    AccessPass.objects.filter(person=person).update(blacklisted=False)
    assert reason(gate_site, code) is None
    assert reason(gate_site, code, "out") is None
    AccessPass.objects.get(person=person).zones.clear()
    assert reason(gate_site, code) == "not_authorized"
    AccessPass.objects.get(person=person).zones.add(gate_site.zone)
    Credential.objects.filter(code=code).update(is_active=False)
    assert reason(gate_site, code) == "unknown_credential"
    Credential.objects.filter(code=code).update(is_active=True)
    Person.objects.filter(pk=person.pk).update(is_active=False)
    assert reason(gate_site, code) == "unknown_credential"
    Person.objects.filter(pk=person.pk).update(is_active=True)
    assert reason(gate_site, code) is None
    # the zone itself is read under its lock at every decision
    Zone.objects.filter(pk=gate_site.zone.pk).update(quota=0)
    assert reason(gate_site, code, "out") is None
    assert reason(gate_site, code) == "zone_full"
    Zone.objects.filter(pk=gate_site.zone.pk).update(quota=None, required_trainings=["special_topic"])
    assert reason(gate_site, code) == "training_missing"


def test_a_credential_moved_to_another_pass_decides_for_its_new_holder(gate_site):
    _a, code = gate_site.enrol()
    b, _code_b = gate_site.enrol(trainings=())
    assert reason(gate_site, code) is None
    assert reason(gate_site, code, "out") is None
    Credential.objects.filter(code=code).update(access_pass=AccessPass.objects.get(person=b))
    assert reason(gate_site, code) == "training_missing"


def test_a_raw_sql_change_from_outside_django_is_seen(gate_site):
    person, code = gate_site.enrol()
    assert reason(gate_site, code) is None
    assert reason(gate_site, code, "out") is None
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TrainingRecord._meta.db_table} WHERE person_id = %s", [person.pk])
    assert reason(gate_site, code) == "training_missing"


def test_gate_token_and_activity_are_checked_at_every_decision(gate_site):
    _p, code = gate_site.enrol()
    assert reason(gate_site, code, "out") is None
    # a new token written without the action (e.g. by another process): the kept gate is not trusted
    gate = Gate.objects.get(pk=gate_site.gate.pk)
    new = gate.issue_token()
    Gate.objects.filter(pk=gate.pk).update(token_hash=gate.token_hash, token_hint=gate.token_hint)
    assert post(gate_site, code, "out").status_code == 403
    assert post(gate_site, code, "out", token=new).status_code == 200
    Gate.objects.filter(pk=gate.pk).update(is_active=False)
    assert post(gate_site, code, "out", token=new).status_code == 403
    Gate.objects.filter(pk=gate.pk).update(is_active=True)
    Zone.objects.filter(pk=gate_site.zone.pk).update(is_active=False)
    assert post(gate_site, code, "out", token=new).status_code == 403


def test_a_gate_moved_to_another_zone_locks_and_counts_the_new_zone(gate_site):
    _p, code = gate_site.enrol()
    assert reason(gate_site, code, "out") is None  # the gate is now kept with its old zone
    other = Zone.objects.create(
        enterprise=gate_site.enterprise, code="ZX", name="储罐区", quota=5, required_trainings=["safety"]
    )
    AccessPass.objects.get(credentials__code=code).zones.add(other)
    Gate.objects.filter(pk=gate_site.gate.pk).update(zone=other)
    assert reason(gate_site, code) is None
    other.refresh_from_db()
    gate_site.zone.refresh_from_db()
    assert (other.headcount, gate_site.zone.headcount) == (1, 0)


def test_facts_cached_and_reloaded_match_the_database_reading(gate_site):
    _p, code = gate_site.enrol(certificates=[("special_operation:hazchem", None)])
    kept = facts.pass_info(gate_site.enterprise.pk, code)
    assert kept is not None and facts.pass_info(gate_site.enterprise.pk, code) is kept
    reloaded = facts.load_pass(gate_site.enterprise.pk, code)
    assert reloaded == kept
    assert "safety" in kept.trainings
    assert {c.kind for c in kept.certificates} == {"special_operation", "special_operation:hazchem"}
    assert actions.do_decide_event(gate_site.gate, credential=code, direction="in", ts=ts()).event.allow


BODIES_CONTROLLERS_SEND = [
    {"credential": "C1", "direction": "in", "ts": 1},
    {"credential": "  C1 ", "direction": "out", "ts": 2**53},
    {"credential": "卡号一", "direction": "in", "ts": 0},
]


@pytest.mark.parametrize(
    "body",
    [
        *BODIES_CONTROLLERS_SEND,
        {"credential": "C1", "direction": "in", "ts": 2**53 + 1},
        {"credential": "C1", "direction": "in", "ts": -1},
        {"credential": "C1", "direction": "in", "ts": True},
        {"credential": "C1", "direction": "in", "ts": "123"},
        {"credential": "C1", "direction": "up", "ts": 1},
        {"credential": "   ", "direction": "in", "ts": 1},
        {"credential": "x" * 65, "direction": "in", "ts": 1},
        {"credential": "C\x001", "direction": "in", "ts": 1},
        {"credential": "C\ud8001", "direction": "in", "ts": 1},
        {"credential": 12, "direction": "in", "ts": 1},
        {"direction": "in", "ts": 1},
        ["C1", "in", 1],
    ],
)
def test_the_plain_body_shortcut_accepts_only_what_the_serializer_accepts(body):
    from anjian.gates.api.serializers import ControllerEventSerializer
    from anjian.gates.api.views import _plain_event

    plain = _plain_event(body)
    if any(body is sent for sent in BODIES_CONTROLLERS_SEND):  # (True == 1: compare identities)
        assert plain is not None  # the shapes controllers send take the shortcut
    if plain is not None:
        serializer = ControllerEventSerializer(data=body)
        assert serializer.is_valid(), serializer.errors
        assert dict(serializer.validated_data) == plain


def test_the_shortcut_answers_exactly_as_the_drf_view(gate_site, monkeypatch):
    """The plain request is answered without DRF's dispatch; the same request through the DRF view (the
    shortcut switched off) gets the same status, body and headers. Anything unusual is DRF's from the start."""
    from anjian.gates.api import views

    people = [gate_site.enrol()[1] for _ in range(2)]
    fast_calls: list[bool] = []
    original = views._fast

    def spy(request, gate_code):
        answer = original(request, gate_code)
        fast_calls.append(answer is not None)
        return answer

    monkeypatch.setattr(views, "_fast", spy)
    fast = post(gate_site, people[0])
    monkeypatch.setattr(views, "_fast", lambda request, gate_code: None)
    drf = post(gate_site, people[1])
    assert fast_calls == [True]
    assert (
        (fast.status_code, fast.json())
        == (drf.status_code, drf.json())
        == (200, {"allow": True, "reason": None, "message": "允许进入"})
    )
    for header in ("Content-Type", "Allow", "Vary", "X-Request-ID"):
        assert (header in fast) == (header in drf) and (
            header == "X-Request-ID" or fast[header] == drf[header]
        )
    monkeypatch.setattr(views, "_fast", spy)
    # a bad token, a form body, a NaN, an HTML Accept: all left to the DRF view
    assert post(gate_site, people[0], "out", token="wrong").status_code == 403
    client = APIClient()
    auth = {"HTTP_AUTHORIZATION": f"Gate {gate_site.token}"}
    url = f"/api/v1/gates/{gate_site.gate.code}/events"
    form = client.post(url, {"credential": people[0], "direction": "out", "ts": ts()}, **auth)
    assert form.status_code == 200 and form.json()["allow"] is True
    nan = client.post(
        url,
        '{"credential": "X", "direction": "in", "ts": 1, "x": NaN}',
        content_type="application/json",
        **auth,
    )
    assert nan.status_code == 400 and nan.json()["code"]
    assert fast_calls[1:] == [False, False, False]
