"""The decision through the database: every reason, override, anti-passback, quota, duplicates, roll call."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from anjian.core.errors import TransitionNotAllowed, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.gates import actions
from anjian.gates.choices import GateEvent, RollCallEntryStatus, RollCallStatus
from anjian.gates.models import AccessEvent, Presence, RollCall, Zone

pytestmark = pytest.mark.django_db

_clock = itertools.count(1)


def ts() -> int:
    """A fresh event time: an hour ago plus a counter (never in the future, never repeated)."""
    base = int((timezone.now() - dt.timedelta(hours=1)).timestamp() * 1000)
    return base + next(_clock) * 1000


def go(site, code, direction="in", at=None, gate=None):
    return actions.do_decide_event(gate or site.gate, credential=code, direction=direction, ts=at or ts())


def reason(outcome):
    return outcome.event.reason or None


def headcount(zone):
    zone.refresh_from_db()
    assert zone.headcount == Presence.objects.filter(zone=zone).count()
    return zone.headcount


def test_an_employee_enters_and_leaves(gate_site):
    _person, code = gate_site.enrol()
    outcome = go(gate_site, code)
    assert outcome.as_dict() == {"allow": True, "reason": None, "message": "允许进入"}
    assert headcount(gate_site.zone) == 1
    assert go(gate_site, code, "out").as_dict()["message"] == "允许离开"
    assert headcount(gate_site.zone) == 0


def test_every_denial_reason_through_the_database(gate_site_factory):
    site = gate_site_factory(
        quota=1, trainings=["safety"], certificates=["special_operation:hazardous_chemicals"]
    )
    today = timezone.localdate()
    good = [("special_operation:hazardous_chemicals", today + dt.timedelta(days=30))]
    _p, blacklisted = site.enrol(certificates=good, blacklisted=True)
    _p, untrained = site.enrol(trainings=["special_topic"], certificates=good)
    _p, no_cert = site.enrol(certificates=[("special_operation:electrical", None)])
    _p, lapsed = site.enrol(
        certificates=[("special_operation:hazardous_chemicals", today - dt.timedelta(days=1))]
    )
    other_zone = Zone.objects.create(enterprise=site.enterprise, code="OTHER", name="罐区")
    _p, elsewhere = site.enrol(certificates=good, zones=[other_zone])
    _p, first = site.enrol(certificates=good)
    _p, second = site.enrol(certificates=good)
    assert reason(go(site, "NOBODY")) == "unknown_credential"
    assert reason(go(site, blacklisted)) == "blacklisted"
    assert reason(go(site, untrained)) == "training_missing"
    assert reason(go(site, no_cert)) == "certificate_missing"
    assert reason(go(site, lapsed)) == "certificate_expired"
    assert reason(go(site, elsewhere)) == "not_authorized"
    assert reason(go(site, first)) is None
    assert reason(go(site, second)) == "zone_full"
    assert reason(go(site, first)) == "zone_full"  # full is checked before anti-passback
    # every refusal carries its Chinese message
    for event in AccessEvent.objects.filter(allow=False):
        assert event.message and event.message != "允许进入"
    assert headcount(site.zone) == 1


def test_anti_passback_below_quota(gate_site):
    _p, code = gate_site.enrol()
    second_gate, _token = gate_site.add_gate()
    assert go(gate_site, code).event.allow
    assert reason(go(gate_site, code, gate=second_gate)) == "already_inside"
    assert headcount(gate_site.zone) == 1


def test_visitor_period_and_opening_hours(gate_site_factory):
    site = gate_site_factory(hours=(dt.time(0, 0), dt.time(0, 1)))
    _p, code = site.enrol()
    night = dt.datetime.combine(
        timezone.localdate() - dt.timedelta(days=1), dt.time(12, 0), tzinfo=timezone.get_current_timezone()
    )
    assert reason(go(site, code, at=int(night.timestamp() * 1000))) == "not_authorized"
    site2 = gate_site_factory()
    now = timezone.now()
    _p, visitor = site2.enrol(
        category="visitor", valid_from=now - dt.timedelta(hours=3), valid_until=now - dt.timedelta(hours=2)
    )
    assert reason(go(site2, visitor)) == "not_authorized"


def test_a_card_of_another_enterprise_is_unknown_here(gate_site_factory):
    a, b = gate_site_factory(), gate_site_factory()
    _p, code_of_b = b.enrol()
    assert reason(go(a, code_of_b)) == "unknown_credential"


def test_exit_always_allowed_even_unknown_and_count_never_negative(gate_site):
    assert go(gate_site, "NOBODY", "out").event.allow
    _p, code = gate_site.enrol(blacklisted=True)
    assert go(gate_site, code, "out").event.allow
    assert headcount(gate_site.zone) == 0
    assert AccessEvent.objects.filter(direction="out").count() == 2


def test_duplicates_count_once(gate_site):
    _p, code = gate_site.enrol()
    at = ts()
    first = go(gate_site, code, at=at)
    again = go(gate_site, code, at=at)
    assert first.created and not again.created
    assert again.event.pk == first.event.pk and again.as_dict() == first.as_dict()
    assert AccessEvent.objects.count() == 1
    assert headcount(gate_site.zone) == 1
    out_at = ts()
    go(gate_site, code, "out", at=out_at)
    go(gate_site, code, "out", at=out_at)
    assert AccessEvent.objects.count() == 2 and headcount(gate_site.zone) == 0


def test_bad_input_is_refused_with_a_chinese_message(gate_site):
    with pytest.raises(ValidationFailed, match="毫秒"):
        actions.do_decide_event(gate_site.gate, credential="X", direction="in", ts="noon")
    with pytest.raises(ValidationFailed, match="方向"):
        actions.do_decide_event(gate_site.gate, credential="X", direction="up", ts=ts())
    future = int((timezone.now() + dt.timedelta(hours=1)).timestamp() * 1000)
    with pytest.raises(ValidationFailed, match="晚于当前时间"):
        actions.do_decide_event(gate_site.gate, credential="X", direction="in", ts=future)
    assert AccessEvent.objects.count() == 0


def test_allowed_swipes_write_no_audit_rows(gate_site):
    _p, code = gate_site.enrol()
    before = AuditEntry.objects.count()
    go(gate_site, code)
    go(gate_site, code, "out")
    assert AuditEntry.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Override
# ---------------------------------------------------------------------------------------------


def test_override_lets_in_with_a_reason_and_one_audit_row(gate_site_factory):
    site = gate_site_factory(quota=1)
    _p, first = site.enrol()
    _p, second = site.enrol()
    go(site, first)
    refused = go(site, second).event
    assert refused.reason == "zone_full"
    with pytest.raises(ValidationFailed):
        actions.do_override_event(refused, acting_user=site.operator, reason="  ")
    before = AuditEntry.objects.count()
    event = actions.do_override_event(refused, acting_user=site.operator, reason="抢修带班，值班长同意")
    assert event.overridden_by == site.operator and event.override_reason == "抢修带班，值班长同意"
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.event_type == GateEvent.DENIAL_OVERRIDDEN and entry.reason == "抢修带班，值班长同意"
    assert headcount(site.zone) == 2
    site.zone.refresh_from_db()
    assert site.zone.level == "over"
    with pytest.raises(TransitionNotAllowed):
        actions.do_override_event(event, acting_user=site.operator, reason="再次")
    assert AuditEntry.objects.count() == before + 1


def test_override_refuses_unknown_credentials_and_exits(gate_site):
    unknown = go(gate_site, "NOBODY").event
    with pytest.raises(TransitionNotAllowed):
        actions.do_override_event(unknown, acting_user=gate_site.operator, reason="熟人")
    out = go(gate_site, "NOBODY", "out").event
    with pytest.raises(TransitionNotAllowed):
        actions.do_override_event(out, acting_user=gate_site.operator, reason="x")


# ---------------------------------------------------------------------------------------------
# Roll call
# ---------------------------------------------------------------------------------------------


def test_roll_call_follows_exits_and_muster_checks_then_closes(gate_site):
    people = [gate_site.enrol(phone=f"1390000000{i}") for i in range(3)]
    for _p, code in people:
        go(gate_site, code)
    rc = actions.do_start_roll_call(
        gate_site.enterprise, zone=None, acting_user=gate_site.operator, reason="罐区泄漏"
    )
    entries = {e.person_id: e for e in rc.entries.all()}
    assert len(entries) == 3 and {e.phone for e in entries.values()} == {
        "13900000000",
        "13900000001",
        "13900000002",
    }
    with pytest.raises(TransitionNotAllowed, match="3 人未确认"):
        actions.do_close_roll_call(rc, acting_user=gate_site.operator, reason="")
    go(gate_site, people[0][1], "out")
    assert (
        RollCall.objects.get(pk=rc.pk).entries.get(person=people[0][0]).status == RollCallEntryStatus.EXITED
    )
    actions.do_check_at_muster(entries[people[1][0].pk], acting_user=gate_site.operator)
    assert RollCall.objects.get(pk=rc.pk).status == RollCallStatus.OPEN
    actions.do_check_at_muster(entries[people[2][0].pk], acting_user=gate_site.operator)
    rc.refresh_from_db()
    assert rc.status == RollCallStatus.CLOSED and rc.closed_at is not None
    timeline = [text for _at, text in actions.roll_call_timeline(rc)]
    assert (
        timeline[0].startswith("启动点名")
        and timeline[-1] == "全部人员已确认，点名结束"
        and len(timeline) == 5
    )
    with pytest.raises(TransitionNotAllowed):
        actions.do_check_at_muster(entries[people[2][0].pk], acting_user=gate_site.operator)


def test_roll_call_of_an_empty_zone_closes_at_once(gate_site):
    rc = actions.do_start_roll_call(
        gate_site.enterprise, zone=gate_site.zone, acting_user=gate_site.operator, reason=""
    )
    assert rc.status == RollCallStatus.CLOSED


# ---------------------------------------------------------------------------------------------
# Visitors
# ---------------------------------------------------------------------------------------------


def test_visitor_registration_quiz_approval_then_the_gate_knows_them(gate_site, resident_id):
    from anjian.gates.models import Registration

    now = timezone.now()
    reg = Registration(
        enterprise=gate_site.enterprise,
        category="contractor",
        name="王五",
        id_number=resident_id(),
        phone="13812345678",
        company="某检修公司",
        purpose="检修",
        valid_from=now - dt.timedelta(hours=2),
        valid_until=now + dt.timedelta(hours=6),
    )
    actions.do_submit_registration(reg, [gate_site.zone], acting_user=gate_site.owner)
    with pytest.raises(TransitionNotAllowed):
        actions.do_approve_registration(reg, acting_user=gate_site.owner)
    wrong = actions.check_registration_quiz(reg, [0] * len(actions.INDUCTION_QUIZ))
    assert wrong.status == "submitted" and wrong.quiz_score < 100
    right = [r for _q, _o, r in actions.INDUCTION_QUIZ]
    assert actions.check_registration_quiz(reg, right).status == "trained"
    reg = actions.do_approve_registration(reg, acting_user=gate_site.owner, note="同意")
    assert reg.status == "approved" and reg.credential_code
    outcome = go(gate_site, reg.credential_code)
    assert outcome.event.allow and outcome.event.category == "contractor"
