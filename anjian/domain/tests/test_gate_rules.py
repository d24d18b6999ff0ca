"""The second gate's decision, in the published order, and the replay of a day."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from anjian.domain.gate_rules import (
    CHECK_ORDER,
    MESSAGES,
    SHANGHAI,
    CertificateFact,
    Decision,
    Direction,
    PersonFacts,
    Reason,
    ReplayError,
    ZoneRule,
    decide,
    local_day,
    parse_day,
    replay_json,
)

AT = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
ZONE = ZoneRule(
    code="Z1",
    quota=2,
    requires=frozenset({"安全教育"}),
    requires_certificates=frozenset({"hazardous_chemicals"}),
)
GOOD = PersonFacts(
    credential="C1",
    trainings=frozenset({"安全教育"}),
    certificates=(CertificateFact("hazardous_chemicals", dt.date(2026, 12, 31)),),
    zones=frozenset({"Z1"}),
)


def _decide(person=GOOD, *, zone=ZONE, direction=Direction.IN, at=AT, inside=False, headcount=0) -> Decision:
    return decide(person=person, zone=zone, direction=direction, at=at, inside=inside, headcount=headcount)


def _broken(reason: Reason) -> dict[str, object]:
    """Arguments that make exactly the check ``reason`` fail (and every later one too)."""
    return {
        Reason.UNKNOWN_CREDENTIAL: {"person": None},
        Reason.BLACKLISTED: {"person": PersonFacts("C1", blacklisted=True)},
        Reason.TRAINING_MISSING: {"person": PersonFacts("C1", trainings=frozenset({"其他"}))},
        Reason.CERTIFICATE_MISSING: {
            "person": PersonFacts("C1", trainings=frozenset({"安全教育"}), zones=frozenset({"Z1"}))
        },
        Reason.CERTIFICATE_EXPIRED: {
            "person": PersonFacts(
                "C1",
                trainings=frozenset({"安全教育"}),
                certificates=(CertificateFact("hazardous_chemicals", dt.date(2026, 5, 31)),),
            )
        },
        Reason.NOT_AUTHORIZED: {
            "person": PersonFacts(
                "C1",
                trainings=frozenset({"安全教育"}),
                certificates=(CertificateFact("hazardous_chemicals", None),),
                zones=frozenset({"Z2"}),
            )
        },
        Reason.ZONE_FULL: {"headcount": 2, "inside": True},
        Reason.ALREADY_INSIDE: {"inside": True, "headcount": 1},
    }[reason]


# ---------------------------------------------------------------------------------------------
# Each reason, and the order
# ---------------------------------------------------------------------------------------------


def test_a_trained_certified_authorised_person_enters():
    decision = _decide()
    assert decision == Decision(True, None)
    assert decision.message == "允许进入"
    assert decision.as_dict() == {"allow": True, "reason": None}


def test_the_published_order_of_checks():
    assert [r.value for r in CHECK_ORDER] == [
        "unknown_credential",
        "blacklisted",
        "training_missing",
        "certificate_missing",
        "certificate_expired",
        "not_authorized",
        "zone_full",
        "already_inside",
    ]


@pytest.mark.parametrize("reason", list(Reason))
def test_every_denial_reason_with_its_chinese_message(reason):
    decision = _decide(**_broken(reason))
    assert decision.allow is False
    assert decision.reason is reason
    assert decision.message == MESSAGES[reason]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in decision.message)
    assert decision.as_dict() == {"allow": False, "reason": reason.value}


def test_the_first_failing_check_is_the_reason():
    # A blacklisted person without training, certificates or authorisation in a full zone, already inside:
    # the blacklist is reported.
    bad = PersonFacts("C1", blacklisted=True)
    assert _decide(bad, inside=True, headcount=5).reason is Reason.BLACKLISTED
    # Untrained and unauthorised in a full zone: training first.
    untrained = PersonFacts("C1", certificates=GOOD.certificates)
    assert _decide(untrained, headcount=5).reason is Reason.TRAINING_MISSING
    # Certificate lapsed and zone not in the list: the certificate.
    lapsed = PersonFacts(
        "C1",
        trainings=GOOD.trainings,
        certificates=(CertificateFact("hazardous_chemicals", dt.date(2020, 1, 1)),),
    )
    assert _decide(lapsed).reason is Reason.CERTIFICATE_EXPIRED
    # Not in the list and the zone is full: not authorised.
    elsewhere = PersonFacts("C1", trainings=GOOD.trainings, certificates=GOOD.certificates)
    assert _decide(elsewhere, headcount=2).reason is Reason.NOT_AUTHORIZED
    # Inside and the zone is full: zone_full comes before already_inside.
    assert _decide(inside=True, headcount=2).reason is Reason.ZONE_FULL


def test_pairs_of_failures_report_the_earlier_check():
    for first, second in itertools.combinations(CHECK_ORDER, 2):
        kwargs = {**_broken(second), **_broken(first)}
        if "person" in _broken(first) or "person" not in _broken(second):
            assert _decide(**kwargs).reason is first, (first, second)


def test_no_quota_means_no_limit_and_quota_zero_admits_nobody():
    assert _decide(
        zone=ZoneRule("Z1", quota=None), person=PersonFacts("C1", zones=frozenset({"Z1"})), headcount=10**6
    ).allow
    assert (
        _decide(zone=ZoneRule("Z1", quota=0), person=PersonFacts("C1", zones=frozenset({"Z1"}))).reason
        is Reason.ZONE_FULL
    )


def test_last_place_then_full():
    assert _decide(headcount=1).allow
    assert _decide(headcount=2).reason is Reason.ZONE_FULL


# ---------------------------------------------------------------------------------------------
# Exits
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(Reason))
def test_exits_are_always_allowed(reason):
    decision = _decide(**{**_broken(reason), "direction": Direction.OUT})
    assert decision.allow is True
    assert decision.reason is None
    assert decision.message == "允许离开"


# ---------------------------------------------------------------------------------------------
# Certificates on the local day
# ---------------------------------------------------------------------------------------------


def test_certificate_valid_through_its_expiry_day_in_shanghai():
    cert = (CertificateFact("hazardous_chemicals", dt.date(2026, 5, 31)),)
    person = PersonFacts("C1", trainings=GOOD.trainings, certificates=cert, zones=frozenset({"Z1"}))
    # 2026-05-31 23:59 in Shanghai is still the expiry day…
    last_minute = dt.datetime(2026, 5, 31, 15, 59, tzinfo=dt.UTC)
    assert local_day(last_minute) == dt.date(2026, 5, 31)
    assert _decide(person, at=last_minute).allow
    # …and at 16:00 UTC it is already 06-01 in Shanghai although still 05-31 in UTC.
    first_minute = dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC)
    assert _decide(person, at=first_minute).reason is Reason.CERTIFICATE_EXPIRED


def test_certificate_not_yet_issued_is_not_valid_and_no_expiry_is_permanent():
    future = CertificateFact("hazardous_chemicals", None, issued=dt.date(2026, 6, 2))
    person = PersonFacts("C1", trainings=GOOD.trainings, certificates=(future,), zones=frozenset({"Z1"}))
    assert _decide(person).reason is Reason.CERTIFICATE_EXPIRED
    forever = CertificateFact("hazardous_chemicals", None, issued=dt.date(2000, 1, 1))
    assert _decide(
        PersonFacts("C1", trainings=GOOD.trainings, certificates=(forever,), zones=frozenset({"Z1"}))
    ).allow


def test_one_valid_certificate_of_the_kind_is_enough_and_missing_beats_expired():
    zone = ZoneRule("Z1", requires_certificates=frozenset({"a", "b"}))
    old_a = CertificateFact("a", dt.date(2020, 1, 1))
    new_a = CertificateFact("a", dt.date(2030, 1, 1))
    b = CertificateFact("b", dt.date(2030, 1, 1))
    ok = PersonFacts("C1", certificates=(old_a, new_a, b), zones=frozenset({"Z1"}))
    assert _decide(ok, zone=zone).allow
    # "a" lapsed, "b" missing entirely: missing wins (a renewal alone would not do).
    assert _decide(PersonFacts("C1", certificates=(old_a,), zones=frozenset({"Z1"})), zone=zone).reason is (
        Reason.CERTIFICATE_MISSING
    )
    # A certificate of another kind does not count.
    other = PersonFacts("C1", certificates=(CertificateFact("c", None),), zones=frozenset({"Z1"}))
    assert _decide(other, zone=zone).reason is Reason.CERTIFICATE_MISSING


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        local_day(dt.datetime(2026, 1, 1, 8, 0))  # noqa: DTZ001 - the point of the test


# ---------------------------------------------------------------------------------------------
# Time: permitted period and opening hours
# ---------------------------------------------------------------------------------------------


def test_visitor_period_bounds_entry():
    visitor = PersonFacts(
        "V1",
        trainings=GOOD.trainings,
        certificates=GOOD.certificates,
        zones=frozenset({"Z1"}),
        valid_from=AT,
        valid_until=AT + dt.timedelta(hours=2),
    )
    assert _decide(visitor).allow
    assert _decide(visitor, at=AT - dt.timedelta(seconds=1)).reason is Reason.NOT_AUTHORIZED
    assert _decide(visitor, at=AT + dt.timedelta(hours=2)).reason is Reason.NOT_AUTHORIZED


def test_opening_hours_including_a_night_shift_across_midnight():
    day_zone = ZoneRule("Z1", hours=(dt.time(7, 0), dt.time(19, 0)))
    night_zone = ZoneRule("Z1", hours=(dt.time(19, 0), dt.time(7, 0)))
    person = PersonFacts("C1", zones=frozenset({"Z1"}))
    at = lambda h, m=0: dt.datetime(2026, 6, 1, h, m, tzinfo=SHANGHAI)  # noqa: E731
    assert _decide(person, zone=day_zone, at=at(7)).allow
    assert _decide(person, zone=day_zone, at=at(19)).reason is Reason.NOT_AUTHORIZED
    assert _decide(person, zone=night_zone, at=at(23)).allow
    assert _decide(person, zone=night_zone, at=at(3)).allow
    assert _decide(person, zone=night_zone, at=at(12)).reason is Reason.NOT_AUTHORIZED
    # Hours are local: 23:30 UTC is 07:30 in Shanghai.
    assert _decide(person, zone=day_zone, at=dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)).allow


# ---------------------------------------------------------------------------------------------
# Replay
# ---------------------------------------------------------------------------------------------

T0 = int(dt.datetime(2026, 6, 1, 8, 0, tzinfo=SHANGHAI).timestamp() * 1000)


def _doc(events, *, quota=3, people=None):
    return {
        "zones": [{"code": "Z1", "quota": quota, "requires": ["安全教育"]}],
        "gates": [{"code": "G1", "zone": "Z1"}, {"code": "G2", "zone": "Z1"}],
        "people": people
        if people is not None
        else [
            {"credential": f"C{i}", "trainings": ["安全教育"], "certificates": [], "zones": ["Z1"]}
            for i in range(1, 6)
        ],
        "events": events,
    }


def _ev(i, cred, direction="in", gate="G1"):
    return {"ts": T0 + i * 1000, "credential": cred, "gate": gate, "direction": direction}


def test_replay_of_the_published_example():
    doc = {
        "zones": [{"code": "Z1", "quota": 3, "requires": ["安全教育"]}],
        "gates": [{"code": "G1", "zone": "Z1"}],
        "people": [
            {
                "credential": "C1",
                "trainings": ["安全教育"],
                "certificates": [{"kind": "…", "expires": "2026-12-31"}],
                "zones": ["Z1"],
                "blacklisted": False,
            }
        ],
        "events": [{"ts": T0, "credential": "C1", "gate": "G1", "direction": "in"}],
    }
    assert replay_json(doc) == {"decisions": [{"allow": True, "reason": None}], "headcount": {"Z1": 1}}


def test_replay_quota_anti_passback_exit_and_unknown():
    events = [
        _ev(0, "C1"),
        _ev(1, "C2"),
        _ev(2, "C3"),
        _ev(3, "C4"),
        _ev(4, "C1"),
        _ev(5, "C1", "out"),
        _ev(6, "C4", gate="G2"),
        _ev(7, "X9"),
        _ev(8, "X9", "out"),
        _ev(9, "C5", "out"),
    ]
    result = replay_json(_doc(events))
    assert [d["reason"] for d in result["decisions"]] == [
        None,
        None,
        None,
        "zone_full",
        "zone_full",
        None,
        None,
        "unknown_credential",
        None,
        None,
    ]
    assert result["headcount"] == {"Z1": 3}


def test_replay_anti_passback_below_quota():
    result = replay_json(_doc([_ev(0, "C1"), _ev(1, "C1", gate="G2")]))
    assert result["decisions"][1] == {"allow": False, "reason": "already_inside"}
    assert result["headcount"] == {"Z1": 1}


def test_replay_duplicates_count_once():
    events = [
        _ev(0, "C1"),
        _ev(0, "C1"),
        _ev(1, "C1", "out"),
        _ev(1, "C1", "out"),
        _ev(2, "C2"),
        _ev(2, "C2"),
    ]
    result = replay_json(_doc(events))
    assert [d["allow"] for d in result["decisions"]] == [True] * 6
    assert result["headcount"] == {"Z1": 1}
    # The same credential at the same time at another gate is a different event.
    result = replay_json(_doc([_ev(0, "C1"), _ev(0, "C1", gate="G2")]))
    assert result["decisions"][1]["reason"] == "already_inside"


def test_replay_headcount_is_every_zone_including_empty_ones():
    doc = _doc([])
    doc["zones"].append({"code": "Z2", "quota": None})
    assert replay_json(doc)["headcount"] == {"Z1": 0, "Z2": 0}


def test_replay_random_day_matches_a_naive_model():
    rng = random.Random(7)
    events = [
        _ev(i, f"C{rng.randint(1, 6)}", rng.choice(["in", "out"]), rng.choice(["G1", "G2"]))
        for i in range(500)
    ]
    result = replay_json(_doc(events, quota=3))
    inside: set[str] = set()
    known = {f"C{i}" for i in range(1, 6)}
    for event, decision in zip(events, result["decisions"], strict=True):
        cred = event["credential"]
        if event["direction"] == "out":
            assert decision["allow"]
            inside.discard(cred)
            continue
        if cred not in known:
            expected = "unknown_credential"
        elif len(inside) >= 3:
            expected = "zone_full"
        elif cred in inside:
            expected = "already_inside"
        else:
            expected = None
            inside.add(cred)
        assert decision["reason"] == expected
        assert len(inside) <= 3
    assert result["headcount"] == {"Z1": len(inside)}


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        (_doc([_ev(0, "C1", gate="G9")]), "事件 #0"),
        (
            _doc([_ev(0, "C1"), {"ts": "08:00", "credential": "C1", "gate": "G1", "direction": "in"}]),
            "事件 #1",
        ),
        (_doc([{"ts": 1.5, "credential": "C1", "gate": "G1", "direction": "in"}]), "毫秒时间戳"),
        (_doc([{"ts": True, "credential": "C1", "gate": "G1", "direction": "in"}]), "事件 #0"),
        (_doc([{"ts": T0, "credential": "C1", "gate": "G1", "direction": "sideways"}]), "direction"),
        (_doc([{"ts": T0, "gate": "G1", "direction": "in"}]), "credential"),
        (_doc([{"ts": 10**20, "credential": "C1", "gate": "G1", "direction": "in"}]), "超出范围"),
        (
            _doc([], people=[{"credential": "C1", "certificates": [{"kind": "x", "expires": "31/12/2026"}]}]),
            "人员 #0",
        ),
        (_doc([], people=[{"credential": "C1", "blacklisted": "no"}]), "blacklisted"),
        (_doc([], people=[{"credential": "C1"}, {"credential": "C1"}]), "重复"),
        ({"zones": [{"code": "Z1", "quota": -1}]}, "区域 #0"),
        ({"zones": [{"code": "Z1"}], "gates": [{"code": "G1", "zone": "Z2"}]}, "门 #0"),
        ({"zones": "Z1"}, "zones"),
        ([], "JSON 对象"),
    ],
)
def test_bad_input_names_the_item(doc, fragment):
    with pytest.raises(ReplayError) as exc:
        parse_day(doc)
    assert fragment in str(exc.value)


def test_replay_reads_certificate_and_period_fields():
    people = [
        {
            "credential": "V1",
            "trainings": ["安全教育"],
            "zones": ["Z1"],
            "valid_from": "2026-06-01T08:00:00",
            "valid_until": "2026-06-01T08:00:02+08:00",
        }
    ]
    result = replay_json(_doc([_ev(0, "V1"), _ev(1, "V1", "out"), _ev(2, "V1")], people=people))
    assert [d["reason"] for d in result["decisions"]] == [None, None, "not_authorized"]
