"""The alarm rules on crafted sequences (issue 12): delays, deadband, H/HH/L/LL, quality, offline, order."""

from __future__ import annotations

import pytest

from anjian.domain.alarm_rules import (
    PointRules,
    PointState,
    chattering_bursts,
    check_offline,
    gas_detector_defaults,
    replay,
    step,
)

S = 1000  # one second in ms
HIGH = PointRules(h=25, hh=50, deadband=2, on_delay_s=10, off_delay_s=0, offline_after_s=60)


def run(
    rules: PointRules, values: list[tuple[int, float] | tuple[int, float, int]], until: int | None = None
):
    readings = [(t * S, v, r[2] if len(r) == 3 else 0) for r in values for t, v in [r[:2]]]
    return [(ts // S, ev, lvl) for ts, ev, lvl in replay(rules, readings, until=until)]


# -- on-delay ------------------------------------------------------------------------------------


def test_on_delay_raises_at_the_first_reading_that_completes_it():
    assert run(HIGH, [(0, 26.1), (5, 27), (10, 26)]) == [(10, "raised", "H")]


def test_on_delay_restarts_when_a_reading_falls_below():
    # 24.9 < 25 interrupts; the delay counts again from 12.
    assert run(HIGH, [(0, 26), (6, 24.9), (12, 26), (18, 26), (22, 26)]) == [(22, "raised", "H")]


def test_no_alarm_when_the_excursion_is_shorter_than_the_on_delay():
    assert run(HIGH, [(0, 30), (5, 30), (9, 30), (11, 20)]) == []


def test_zero_on_delay_raises_at_the_first_reading_at_threshold():
    rules = PointRules(h=25, hh=50)
    assert run(rules, [(0, 10), (1, 25)]) == [(1, "raised", "H")]


# -- deadband and off-delay ----------------------------------------------------------------------


def test_deadband_keeps_the_alarm_until_below_threshold_minus_deadband():
    rules = PointRules(h=25, hh=50, deadband=2)
    events = run(rules, [(0, 26), (1, 24), (2, 23.5), (3, 23), (4, 22.9)])
    assert events == [(0, "raised", "H"), (4, "cleared", "H")]


def test_off_delay_needs_readings_to_stay_low():
    rules = PointRules(h=25, deadband=1, off_delay_s=5)
    events = run(rules, [(0, 30), (1, 20), (4, 20), (5, 24.5), (6, 20), (10, 20), (11, 20)])
    # 24.5 >= 24 interrupts the off-delay started at 1; it restarts at 6 and completes at 11.
    assert events == [(0, "raised", "H"), (11, "cleared", "H")]


def test_flapping_value_without_deadband_chatters_and_with_deadband_does_not():
    values = [(t, 25.5 if t % 2 == 0 else 24.5) for t in range(20)]
    chatter = run(PointRules(h=25), values)
    assert [e[1] for e in chatter].count("raised") == 10
    assert chattering_bursts([t * S for t, ev, _ in chatter if ev == "raised"]) == 1
    assert run(PointRules(h=25, deadband=2), values) == [(0, "raised", "H")]


def test_chattering_bursts_counts_separate_bursts():
    minute = 60 * S
    raised = [
        0,
        10 * S,
        20 * S,
        5 * minute,
        5 * minute + S,
        5 * minute + 2 * S,
        5 * minute + 3 * S,
        20 * minute,
    ]
    assert chattering_bursts(raised) == 2
    assert chattering_bursts([0, 61 * S, 122 * S]) == 0


# -- H <-> HH and the low side ---------------------------------------------------------------------


def test_h_to_hh_and_back_is_changed_then_cleared():
    rules = PointRules(h=25, hh=50, deadband=2)
    events = run(rules, [(0, 30), (1, 51), (2, 49), (3, 47.9), (4, 24), (5, 22)])
    assert events == [
        (0, "raised", "H"),
        (1, "changed", "HH"),
        (3, "changed", "H"),
        (5, "cleared", "H"),
    ]


def test_straight_to_hh_with_on_delay_and_cleared_with_the_level_it_had():
    events = run(HIGH, [(0, 60), (5, 60), (10, 60), (11, 10)])
    assert events == [(10, "raised", "HH"), (11, "cleared", "HH")]


def test_hh_on_delay_counts_from_when_hh_started_not_h():
    events = run(HIGH, [(0, 30), (10, 30), (15, 55), (20, 55), (25, 55)])
    assert events == [(10, "raised", "H"), (25, "changed", "HH")]


def test_low_side_mirrors_the_high_side():
    rules = PointRules(l=10, ll=5, deadband=1)
    events = run(rules, [(0, 12), (1, 10), (2, 4), (3, 5.5), (4, 6.1), (5, 10.5), (6, 11.1)])
    assert events == [
        (1, "raised", "L"),
        (2, "changed", "LL"),
        (4, "changed", "L"),
        (6, "cleared", "L"),
    ]


def test_jump_from_high_to_low_clears_and_raises():
    rules = PointRules(h=80, l=20)
    assert run(rules, [(0, 90), (1, 10)]) == [(0, "raised", "H"), (1, "cleared", "H"), (1, "raised", "L")]


# -- quality ---------------------------------------------------------------------------------------


def test_bad_quality_is_a_device_alarm_and_suspends_process_alarms():
    rules = PointRules(h=25, deadband=2)
    events = run(rules, [(0, 30), (1, 0, 3), (2, 99, 3), (3, 0, 1), (4, 10), (5, 10)])
    # The active H is neither cleared by the bad zero nor re-raised; one fault, one recovery; then cleared.
    assert events == [
        (0, "raised", "H"),
        (1, "device_fault", None),
        (4, "device_ok", None),
        (4, "cleared", "H"),
    ]


def test_a_bad_reading_restarts_the_on_delay():
    events = run(HIGH, [(0, 30), (5, 30, 2), (6, 30), (12, 30), (16, 30)])
    assert events == [(5, "device_fault", None), (6, "device_ok", None), (16, "raised", "H")]


def test_bad_quality_does_not_raise_even_above_hh():
    assert run(PointRules(h=25, hh=50), [(0, 99, 1), (1, 99, 1)]) == [(0, "device_fault", None)]


# -- offline ---------------------------------------------------------------------------------------


def test_offline_is_stamped_at_last_reading_plus_timeout_up_to_until():
    events = run(HIGH, [(0, 10), (30, 10)], until=200 * S)
    assert events == [(90, "offline", None)]
    assert run(HIGH, [(0, 10), (30, 10)], until=90 * S) == []  # exactly at the deadline: not yet


def test_a_reading_after_the_timeout_emits_offline_then_online():
    events = run(HIGH, [(0, 10), (100, 30), (105, 30), (110, 30)])
    assert events == [(60, "offline", None), (100, "online", None), (110, "raised", "H")]


def test_a_gap_restarts_the_on_delay():
    events = run(HIGH, [(0, 30), (5, 30), (70, 30), (75, 30), (80, 30)])
    assert events == [(65, "offline", None), (70, "online", None), (80, "raised", "H")]


def test_check_offline_once_and_not_without_timeout():
    state = PointState()
    out: list = []
    step(HIGH, state, 0, 10, 0, out)
    assert check_offline(HIGH, state, 61 * S, out) is True
    assert check_offline(HIGH, state, 120 * S, out) is False
    assert out == [(60 * S, "offline", None)]
    assert replay(PointRules(h=1), [(0, 0, 0)], until=10**12) == []


# -- order -----------------------------------------------------------------------------------------


def test_duplicate_and_out_of_order_readings_change_nothing():
    state = PointState()
    out: list = []
    assert step(HIGH, state, 10 * S, 30, 0, out)
    before = state.as_dict()
    assert not step(HIGH, state, 10 * S, 99, 0, out)  # duplicate time
    assert not step(HIGH, state, 5 * S, 99, 1, out)  # older, bad quality too
    assert state.as_dict() == before
    assert out == []


def test_replaying_the_same_sequence_twice_from_the_end_state_repeats_no_alarm():
    readings = [(t * S, 30.0, 0) for t in range(0, 30, 5)]
    state = PointState()
    first = replay(HIGH, readings, state=state)
    assert first == [(10 * S, "raised", "H")]
    assert replay(HIGH, readings, state=state) == []


def test_state_survives_a_round_trip_through_its_dict():
    state = PointState()
    out: list = []
    for t in (0, 5):
        step(HIGH, state, t * S, 30, 0, out)
    copy = PointState(**state.as_dict())  # type: ignore[arg-type]
    step(HIGH, copy, 10 * S, 30, 0, out)
    assert out == [(10 * S, "raised", "H")]


# -- rate of change, configuration, defaults ---------------------------------------------------------


def test_rate_of_change_alarm():
    rules = PointRules(roc_per_s=1.0)
    events = run(rules, [(0, 10), (1, 10.5), (2, 13), (3, 13.4), (4, 13.5)])
    assert events == [(2, "rate_high", None), (3, "rate_ok", None)]


def test_inconsistent_configuration_is_explained():
    problems = PointRules(h=50, hh=25, l=60, deadband=-1).problems()
    assert "高高报警值（二级）不应低于高报警值（一级）" in problems
    assert "高报警值应高于低报警值" in problems
    assert "回差不能为负数" in problems
    assert PointRules(h=25, hh=50).problems() == []


def test_gas_detector_defaults_follow_gb_t_50493():
    lel = gas_detector_defaults("combustible")
    assert (lel.h, lel.hh) == (25.0, 50.0)
    h2s = gas_detector_defaults("toxic", oel=10)
    assert (h2s.h, h2s.hh) == (10, 20)
    with pytest.raises(ValueError):
        gas_detector_defaults("toxic")


def test_step_reports_what_changed_so_the_worker_persists_only_then():
    from anjian.domain.alarm_rules import CHANGED, IGNORED, SEEN

    state = PointState()
    out: list = []
    assert step(HIGH, state, 0, 10, 0, out) == SEEN  # quiet value
    assert step(HIGH, state, 1 * S, 30, 0, out) == CHANGED  # on-delay timer started
    assert step(HIGH, state, 2 * S, 30, 0, out) == SEEN  # timer runs, nothing new to persist
    assert step(HIGH, state, 11 * S, 30, 0, out) == CHANGED  # raised
    assert step(HIGH, state, 12 * S, 31, 0, out) == SEEN  # still H
    assert step(HIGH, state, 12 * S, 31, 0, out) == IGNORED
    assert step(HIGH, state, 13 * S, 31, 5, out) == CHANGED  # device fault
    assert step(HIGH, state, 14 * S, 31, 5, out) == SEEN
    assert [e[1] for e in out] == ["raised", "device_fault"]
