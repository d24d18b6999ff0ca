"""The second gate's transition tables: edges pinned by hand, every (state, verb) pair tried on each table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair, assert_refused
from anjian.core.workflow import allowed_verbs
from anjian.gates.models import Registration, RollCall, RollCallEntry
from anjian.gates.workflows import REGISTRATION_FLOW, ROLL_CALL_ENTRY_FLOW, ROLL_CALL_FLOW

pytestmark = pytest.mark.django_db


def test_edge_tables_are_pinned():
    assert_edges(
        REGISTRATION_FLOW,
        {
            ("submitted", "pass_induction", "trained"),
            ("trained", "approve", "approved"),
            ("submitted", "reject", "rejected"),
            ("trained", "reject", "rejected"),
        },
    )
    assert_edges(ROLL_CALL_FLOW, {("open", "close", "closed")})
    assert_edges(ROLL_CALL_ENTRY_FLOW, {("missing", "muster", "mustered"), ("missing", "exit", "exited")})


def _registration(site, resident_id, state):
    now = timezone.now()
    return Registration.objects.create(
        enterprise=site.enterprise,
        category="visitor",
        name="访客",
        id_number=resident_id(),
        purpose="参观",
        valid_from=now,
        valid_until=now + dt.timedelta(hours=4),
        status=state,
    )


def test_every_pair_of_the_registration_table(gate_site, resident_id):
    data = {
        "pass_induction": {"score": 100},
        "approve": {"access_pass": None, "credential_code": "V0000000001"},
        "reject": {"note": "资料不全"},
    }
    assert_every_pair(
        REGISTRATION_FLOW,
        lambda state: _registration(gate_site, resident_id, state),
        actor=lambda edge, obj: None if edge and edge.verb == "pass_induction" else gate_site.operator,
        data=lambda verb: data[verb],
    )


def test_a_user_never_takes_the_visitors_quiz_step_and_a_wrong_quiz_is_refused(gate_site, resident_id):
    reg = _registration(gate_site, resident_id, "submitted")
    assert_refused(
        REGISTRATION_FLOW, reg, "pass_induction", acting_user=gate_site.operator, code="not_permitted"
    )
    assert_refused(REGISTRATION_FLOW, reg, "pass_induction", acting_user=None, data={"score": 80})
    assert [e.verb for e in REGISTRATION_FLOW.edges if e.source == "submitted"] == [
        "pass_induction",
        "reject",
    ]


def _roll_call(site, state, *, missing=0):
    roll_call = RollCall.objects.create(
        enterprise=site.enterprise, zone=site.zone, reason="演练", started_at=timezone.now(), status=state
    )
    for n in range(missing):
        person, _code = site.enrol(phone=f"1390000{n:04d}")
        RollCallEntry.objects.create(
            roll_call=roll_call,
            person=person,
            zone=site.zone,
            name=person.name,
            category="employee",
            since=timezone.now(),
        )
    return roll_call


def test_every_pair_of_the_roll_call_tables(gate_site):
    assert_every_pair(
        ROLL_CALL_FLOW, lambda state: _roll_call(gate_site, state), actor=lambda e, o: gate_site.operator
    )
    # nobody may close while someone is missing: not offered, and refused with the count
    open_call = _roll_call(gate_site, "open", missing=2)
    assert allowed_verbs(ROLL_CALL_FLOW, open_call, gate_site.operator) == []
    assert_refused(ROLL_CALL_FLOW, open_call, "close", acting_user=gate_site.operator, code="people_missing")

    def entry(state):
        roll_call = _roll_call(gate_site, "open", missing=1)
        item = roll_call.entries.get()
        RollCallEntry.objects.filter(pk=item.pk).update(status=state)
        item.refresh_from_db()
        return item

    assert_every_pair(
        ROLL_CALL_ENTRY_FLOW,
        entry,
        actor=lambda edge, obj: None if edge and edge.verb == "exit" else gate_site.operator,
    )
