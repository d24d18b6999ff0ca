"""Rules of the hidden-danger loop that need no database: 五到位, acceptance, the overdue ladder, cycles.

* 五到位 (整改措施、责任、资金、时限和预案到位): 《安全生产事故隐患排查治理暂行规定》(原国家安监总局令第16号)
  第十五条 asks a 重大 danger's 治理方案 to name the measures, funds, responsible body and people, the
  deadline, and the safety measures and contingency plan; the 五到位 practice asks the same of every danger,
  the contingency plan being required for 重大 only (issue 10).
* 重大 dangers are accepted by the supervising department (第十八条: the unit applies to the department
  after rectification of a 挂牌督办 重大 danger).
* The escalation ladder and the inspection cycles are this zone's rules (issue 10), configurable.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "CYCLES",
    "AcceptanceFacts",
    "FiveInPlace",
    "LadderStep",
    "acceptance_refusal",
    "cycle_period",
    "ladder_step_due",
    "missing_five_in_place",
    "periods_ending_on",
]


@dataclass(frozen=True)
class FiveInPlace:
    """What the 五到位 consist of for one danger."""

    is_major: bool
    measures: str
    rectifier_set: bool
    funds: Decimal | None
    deadline: dt.date | None
    contingency_plan: str
    today: dt.date


def missing_five_in_place(facts: FiveInPlace) -> list[str]:
    """Chinese names of what is missing (empty when the 五到位 are complete)."""
    missing: list[str] = []
    if not facts.measures.strip():
        missing.append("整改措施")
    if not facts.rectifier_set:
        missing.append("整改责任人")
    if facts.funds is None or facts.funds < 0:
        missing.append("整改资金")
    if facts.deadline is None:
        missing.append("整改期限")
    elif facts.deadline < facts.today:
        missing.append("整改期限（不能早于今天）")
    if facts.is_major and not facts.contingency_plan.strip():
        missing.append("应急预案（重大隐患）")
    return missing


@dataclass(frozen=True)
class AcceptanceFacts:
    """Who accepts a danger, against who rectified it."""

    is_major: bool
    acceptor_id: int | None
    rectifier_id: int | None
    submitter_id: int | None
    acceptor_is_supervisor: bool


def acceptance_refusal(facts: AcceptanceFacts) -> str | None:
    """Why ``acceptor`` may not accept (``None`` when they may)."""
    if facts.acceptor_id is None:
        return "验收须由登录用户完成"
    if facts.acceptor_id in {facts.rectifier_id, facts.submitter_id}:
        return "验收人不能是整改责任人或申请验收人本人，请由其他人员验收"
    if facts.is_major and not facts.acceptor_is_supervisor:
        return "重大隐患须由监管部门验收销号"
    return None


@dataclass(frozen=True)
class LadderStep:
    """One rung of the overdue ladder: who is told, after how many days past the deadline."""

    step: int
    after_days: int
    audience: str


def ladder_step_due(
    deadline: dt.date, today: dt.date, ladder: tuple[LadderStep, ...], reached: int
) -> LadderStep | None:
    """The highest rung due today beyond ``reached`` (``None`` when not overdue or already told).

    A danger is overdue the day after its deadline (days_over = today − deadline ≥ 1); a rung with
    ``after_days`` = 0 fires on that first overdue day.
    """
    days_over = (today - deadline).days
    if days_over < 1:
        return None
    due = [s for s in ladder if s.step > reached and days_over >= max(s.after_days, 1)]
    return max(due, key=lambda s: s.step) if due else None


# ---------------------------------------------------------------------------------------------
# Inspection cycles
# ---------------------------------------------------------------------------------------------

#: The inspection cycles (数据交换规范 checkCycle + checkCycleUnit), shortest first.
CYCLES = ("shift", "daily", "weekly", "monthly", "quarterly", "yearly")
#: A shift is 8 hours starting at 00:00, 08:00 and 16:00 local time (三班制).
SHIFT_HOURS = 8


def cycle_period(cycle: str, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The period ``[start, end)`` of ``cycle`` containing the local, aware time ``at``."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if cycle == "shift":
        start = day + dt.timedelta(hours=(at.hour // SHIFT_HOURS) * SHIFT_HOURS)
        return start, start + dt.timedelta(hours=SHIFT_HOURS)
    if cycle == "daily":
        return day, day + dt.timedelta(days=1)
    if cycle == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=7)
    if cycle == "monthly":
        start = day.replace(day=1)
        return start, _add_months(start, 1)
    if cycle == "quarterly":
        start = day.replace(day=1, month=((day.month - 1) // 3) * 3 + 1)
        return start, _add_months(start, 3)
    if cycle == "yearly":
        start = day.replace(day=1, month=1)
        return start, start.replace(year=start.year + 1)
    raise ValueError(f"unknown cycle {cycle}")


def _add_months(start: dt.datetime, months: int) -> dt.datetime:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def periods_ending_on(cycle: str, day_start: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The periods of ``cycle`` whose end falls within the local day beginning at ``day_start``.

    The end is exclusive, so a daily period of 3 May ends at 4 May 00:00 and is counted on 3 May:
    the periods returned are those whose last instant lies on that day.
    """
    day_end = day_start + dt.timedelta(days=1)
    periods: list[tuple[dt.datetime, dt.datetime]] = []
    probe = day_start
    while probe < day_end:
        start, end = cycle_period(cycle, probe)
        if day_start < end <= day_end and (start, end) not in periods:
            periods.append((start, end))
        probe = end if end > probe else probe + dt.timedelta(hours=1)
    return periods
