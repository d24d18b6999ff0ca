"""五到位, acceptance, the overdue ladder on a simulated calendar, and inspection cycle periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from anjian.domain import danger_rules as dr

TODAY = dt.date(2026, 5, 10)
SH = ZoneInfo("Asia/Shanghai")


def facts(**kw):
    base = {
        "is_major": False,
        "measures": "更换阀门",
        "rectifier_set": True,
        "funds": Decimal(0),
        "deadline": TODAY,
        "contingency_plan": "",
        "today": TODAY,
    }
    return dr.FiveInPlace(**{**base, **kw})


def test_five_in_place():
    assert dr.missing_five_in_place(facts()) == []
    assert dr.missing_five_in_place(facts(is_major=True)) == ["应急预案（重大隐患）"]
    assert dr.missing_five_in_place(facts(deadline=TODAY - dt.timedelta(days=1))) == [
        "整改期限（不能早于今天）"
    ]
    assert dr.missing_five_in_place(facts(measures="", rectifier_set=False, funds=None, deadline=None)) == [
        "整改措施",
        "整改责任人",
        "整改资金",
        "整改期限",
    ]


def test_acceptance():
    ok = dr.AcceptanceFacts(
        is_major=False, acceptor_id=3, rectifier_id=1, submitter_id=2, acceptor_is_supervisor=False
    )
    assert dr.acceptance_refusal(ok) is None
    assert "不能是整改责任人" in dr.acceptance_refusal(ok.__class__(**{**ok.__dict__, "acceptor_id": 1}))
    assert "不能是整改责任人" in dr.acceptance_refusal(ok.__class__(**{**ok.__dict__, "acceptor_id": 2}))
    major = ok.__class__(**{**ok.__dict__, "is_major": True})
    assert dr.acceptance_refusal(major) == "重大隐患须由监管部门验收销号"
    assert (
        dr.acceptance_refusal(major.__class__(**{**major.__dict__, "acceptor_is_supervisor": True})) is None
    )


LADDER = (
    dr.LadderStep(1, 0, "principal"),
    dr.LadderStep(2, 3, "department"),
    dr.LadderStep(3, 7, "committee"),
)


def test_ladder_walk_on_a_simulated_calendar():
    deadline = dt.date(2026, 5, 1)
    reached, fired = 0, []
    for offset in range(0, 12):
        day = deadline + dt.timedelta(days=offset)
        step = dr.ladder_step_due(deadline, day, LADDER, reached)
        if step:
            reached = step.step
            fired.append((offset, step.audience))
    assert fired == [(1, "principal"), (3, "department"), (7, "committee")]


def test_ladder_jumps_to_highest_due_rung():
    step = dr.ladder_step_due(dt.date(2026, 5, 1), dt.date(2026, 5, 20), LADDER, 0)
    assert step is not None and step.audience == "committee"
    assert dr.ladder_step_due(dt.date(2026, 5, 1), dt.date(2026, 5, 1), LADDER, 0) is None


def test_cycle_periods():
    at = dt.datetime(2026, 5, 13, 17, 30, tzinfo=SH)  # a Wednesday
    assert dr.cycle_period("shift", at) == (
        dt.datetime(2026, 5, 13, 16, tzinfo=SH),
        dt.datetime(2026, 5, 14, tzinfo=SH),
    )
    assert dr.cycle_period("weekly", at)[0] == dt.datetime(2026, 5, 11, tzinfo=SH)
    assert dr.cycle_period("monthly", at) == (
        dt.datetime(2026, 5, 1, tzinfo=SH),
        dt.datetime(2026, 6, 1, tzinfo=SH),
    )
    assert dr.cycle_period("quarterly", at) == (
        dt.datetime(2026, 4, 1, tzinfo=SH),
        dt.datetime(2026, 7, 1, tzinfo=SH),
    )
    assert dr.cycle_period("yearly", at)[1] == dt.datetime(2027, 1, 1, tzinfo=SH)


def test_periods_ending_on_a_day():
    day = dt.datetime(2026, 5, 31, tzinfo=SH)  # a Sunday, last day of the month
    assert len(dr.periods_ending_on("shift", day)) == 3
    assert len(dr.periods_ending_on("daily", day)) == 1
    assert len(dr.periods_ending_on("weekly", day)) == 1
    assert len(dr.periods_ending_on("monthly", day)) == 1
    assert dr.periods_ending_on("quarterly", day) == []
    assert dr.periods_ending_on("weekly", dt.datetime(2026, 5, 30, tzinfo=SH)) == []
