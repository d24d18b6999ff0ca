"""Alarm handling: every (state, verb) pair, guards, one audit row per step, escalation ladder, metrics.

The edges are ``workflows.ALARM_FLOW`` on ``core.workflow`` (they were ``choices.ALARM_EDGES``): pinned by hand
with ``assert_edges``, every pair tried on the table (``assert_every_pair``) and through the actions.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from anjian.core.errors import AnjianError, TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair
from anjian.monitoring import actions
from anjian.monitoring.choices import AlarmStatus, MonitoringEvent
from anjian.monitoring.ingest import Batch, Registry, Rejects, decode_into, write_batch
from anjian.monitoring.models import Alarm
from anjian.monitoring.workflows import ALARM_FLOW

pytestmark = pytest.mark.django_db


def feed(enterprise, readings):
    registry = Registry.load()
    batch = Batch()
    decode_into(
        batch,
        enterprise.uscc,
        json.dumps({"ts": int(time.time() * 1000), "readings": readings}).encode(),
        registry,
        Rejects(),
    )
    with transaction.atomic():
        write_batch(batch, registry, Rejects())


@pytest.fixture
def alarm_setup(enterprise_factory, enterprise_user_factory, point_factory):
    ent = enterprise_factory()
    point_factory(ent, tag="GT-1")
    now = int(time.time() * 1000)
    feed(ent, [{"tag": "GT-1", "v": 30, "ts": now - 5000}])
    return {"ent": ent, "user": enterprise_user_factory(ent), "alarm": Alarm.objects.get(), "now": now}


def run(verb, alarm, user):
    if verb == "acknowledge":
        return actions.do_acknowledge_alarm(alarm, acting_user=user)
    if verb == "assign":
        return actions.do_assign_alarm(alarm, acting_user=user, assignee=user)
    if verb == "handle":
        return actions.do_handle_alarm(
            alarm, acting_user=user, cause="探头受潮", measures="更换探头", false_alarm=True
        )
    return actions.do_close_alarm(alarm, acting_user=user)


@pytest.mark.parametrize("state", [s.value for s in AlarmStatus])
@pytest.mark.parametrize("verb", ["acknowledge", "assign", "handle", "close"])
def test_every_state_verb_pair(alarm_setup, state, verb):
    alarm = alarm_setup["alarm"]
    Alarm.objects.filter(pk=alarm.pk).update(status=state, active=False)
    alarm.refresh_from_db()
    audits = AuditEntry.objects.count()
    edge = ALARM_FLOW.edge(state, verb)
    target = edge.target if edge is not None else None
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            run(verb, alarm, alarm_setup["user"])
        assert AuditEntry.objects.count() == audits
        alarm.refresh_from_db()
        assert alarm.status == state
    else:
        result = run(verb, alarm, alarm_setup["user"])
        assert result.status == target
        assert AuditEntry.objects.count() == audits + 1


def test_edge_table_is_pinned():
    assert_edges(
        ALARM_FLOW,
        {
            ("raised", "acknowledge", "acknowledged"),
            ("acknowledged", "assign", "assigned"),
            ("assigned", "assign", "assigned"),
            ("acknowledged", "handle", "handled"),
            ("assigned", "handle", "handled"),
            ("handled", "close", "closed"),
        },
    )


def test_every_pair_of_the_table(alarm_setup):
    alarm, user = alarm_setup["alarm"], alarm_setup["user"]

    def make(state):
        Alarm.objects.filter(pk=alarm.pk).update(status=state, active=False)
        alarm.refresh_from_db()
        return alarm

    data = {"assign": {"assignee": user}, "handle": {"cause": "探头受潮", "measures": "更换探头"}}
    tried = assert_every_pair(ALARM_FLOW, make, actor=lambda edge, obj: user, data=lambda v: data.get(v, {}))
    assert tried == len(AlarmStatus.values) * 4


def test_full_lifecycle_with_guard_on_close(alarm_setup):
    alarm, user, ent = alarm_setup["alarm"], alarm_setup["user"], alarm_setup["ent"]
    alarm = actions.do_acknowledge_alarm(alarm, acting_user=user, reason="值班确认")
    assert alarm.acknowledged_by == user
    with pytest.raises(ValidationFailed, match="请填写处置措施"):
        actions.do_handle_alarm(alarm, acting_user=user, cause="泄漏", measures=" ", false_alarm=False)
    alarm = actions.do_handle_alarm(
        alarm, acting_user=user, cause="阀门填料泄漏", measures="紧固并更换填料", false_alarm=False
    )
    with pytest.raises(TransitionNotAllowed, match="报警尚未消除"):
        actions.do_close_alarm(alarm, acting_user=user)
    feed(ent, [{"tag": "GT-1", "v": 1, "ts": alarm_setup["now"] - 1000}])
    alarm.refresh_from_db()
    assert not alarm.active
    alarm = actions.do_close_alarm(alarm, acting_user=user)
    assert alarm.status == AlarmStatus.CLOSED and alarm.closed_by == user
    events = list(
        AuditEntry.objects.filter(object_id=str(alarm.pk), object_type__model="alarm")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert events == [
        MonitoringEvent.ALARM_ACKNOWLEDGED,
        MonitoringEvent.ALARM_HANDLED,
        MonitoringEvent.ALARM_CLOSED,
    ]


def test_another_enterprise_cannot_handle(alarm_setup, enterprise_factory, enterprise_user_factory):
    other = enterprise_user_factory(enterprise_factory())
    with pytest.raises(AnjianError):
        actions.do_acknowledge_alarm(alarm_setup["alarm"], acting_user=other)
    with pytest.raises(ValidationFailed):
        actions.do_assign_alarm(
            actions.do_acknowledge_alarm(alarm_setup["alarm"], acting_user=alarm_setup["user"]),
            acting_user=alarm_setup["user"],
            assignee=other,
        )


def test_escalation_ladder_steps_are_recorded_once_and_stop_on_acknowledge(alarm_setup):
    from anjian.monitoring.escalation import escalate_due

    alarm = alarm_setup["alarm"]
    t0 = alarm.raised_at
    assert escalate_due(t0 + dt.timedelta(minutes=4)) == 0
    assert escalate_due(t0 + dt.timedelta(minutes=6)) == 1
    assert escalate_due(t0 + dt.timedelta(minutes=7)) == 0
    assert escalate_due(t0 + dt.timedelta(minutes=31)) == 2
    assert list(alarm.escalations.values_list("step", "target")) == [
        (1, "企业值班人员"),
        (2, "企业主要负责人"),
        (3, "行业监管部门"),
    ]
    assert alarm.escalations.get(step=3).org_unit == alarm_setup["ent"].supervising_unit
    assert (
        AuditEntry.objects.filter(object_id=str(alarm.pk), event_type=MonitoringEvent.ALARM_ESCALATED).count()
        == 3
    )
    assert escalate_due(t0 + dt.timedelta(hours=5)) == 0


def test_acknowledged_alarm_does_not_escalate(alarm_setup):
    from anjian.monitoring.escalation import escalate_due

    actions.do_acknowledge_alarm(alarm_setup["alarm"], acting_user=alarm_setup["user"])
    assert escalate_due(timezone.now() + dt.timedelta(hours=1)) == 0


def test_turning_into_a_danger_says_when_the_module_is_missing(alarm_setup):
    import importlib.util

    if importlib.util.find_spec("anjian.dangers.actions") is not None:
        pytest.skip("the dangers module is installed; its own integration test applies")
    with pytest.raises(TransitionNotAllowed, match="隐患排查治理模块尚未上线"):
        actions.do_turn_alarm_into_danger(alarm_setup["alarm"], acting_user=alarm_setup["user"])


def test_availability_and_metrics_move_with_data(alarm_setup, point_factory):
    from anjian.core.metrics import compute
    from anjian.monitoring.maintenance import rollup

    now = alarm_setup["now"]
    rollup(now - 3_600_000, now + 60_000)
    value = compute("monitoring.effective_use_rate")
    assert value is not None and value.value is not None and value.value > 0
    eq = compute("monitoring.equipment_rate")
    assert eq is not None and eq.denominator is not None


def test_turning_into_a_danger_reports_it_and_keeps_the_link(alarm_setup):
    from anjian.dangers.models import HiddenDanger

    alarm = actions.do_turn_alarm_into_danger(
        alarm_setup["alarm"], acting_user=alarm_setup["user"], reason="现场核实"
    )
    danger = HiddenDanger.objects.get(pk=alarm.danger_id)
    assert danger.source == "alarm" and danger.source_id == str(alarm.pk) and danger.status == "reported"
    assert (
        AuditEntry.objects.filter(object_id=str(alarm.pk), event_type=MonitoringEvent.ALARM_TO_DANGER).count()
        == 1
    )
    with pytest.raises(TransitionNotAllowed, match="已转为隐患"):
        actions.do_turn_alarm_into_danger(alarm, acting_user=alarm_setup["user"])
