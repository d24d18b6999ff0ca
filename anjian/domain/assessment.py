"""The yearly assessment (年度安全生产考核) of units: scoring rules and veto (一票否决) conditions over facts.

Pure Python (no Django). The ``assessment`` app gathers one :class:`UnitFacts` per unit from the data
(quarterly progress reports, plan targets, 督办 notices, recorded veto events, manual adjustments) and
calls :func:`score_unit`; this module decides the points and writes every line's explanation in Chinese
with the numbers it used, so that a unit can check its score by hand.

The plan (``shared/seed/safety-plan-2021-2025.txt`` 一（四）"完善综合考核体系") asks for a yearly
assessment of towns and departments and for the "一票否决" system; it fixes no points, so every number
here is a rule parameter that a scheme sets:

* ``reports_on_time`` — ``max_points × (on time + late_factor × late) / due``. Reports still inside
  their reporting window are not counted. ``late_factor`` defaults to 0.5 (a late report counts half).
* ``targets_on_track`` — ``max_points × on track / scored`` over the targets the unit leads. A target
  without a live metric is listed as "尚未接入指标，不计分" and left out of the base.
* ``notices_answered`` — ``max_points × (answered by the due date + late_factor × answered late) / due``
  over the 督办 notices whose due date has passed (or that were answered). ``late_factor`` defaults to 0.
* ``base`` — fixed points for every unit (a 基础分, if a scheme wants one).
* Manual adjustments (by the committee office, each with a reason) form one extra line.

A rule with nothing to count (no report due, no scored target, no notice due) gives full points and says so.

Vetoes (一票否决) fail the unit whatever its points:

* ``accident_at_least`` — a recorded accident in the unit's remit in the assessed year whose grade
  (《生产安全事故报告和调查处理条例》国务院令第493号 第三条: 一般 < 较大 < 重大 < 特别重大) is at least
  ``params["grade"]``. Accidents reach the facts as veto events recorded by the committee office (and,
  once an incidents module exists, created by it).
* ``notice_ignored`` — at least ``params["count"]`` 督办 notices not even acknowledged (签收) by their due date.
* ``reports_missing_at_least`` — at least ``params["count"]`` quarterly reports missing in the year.

Grades: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, otherwise 不合格 (the thresholds are per scheme).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

__all__ = [
    "ACCIDENT_GRADES",
    "DEFAULT_BANDS",
    "GRADE_LABELS",
    "RULE_LABELS",
    "VETO_LABELS",
    "AdjustmentFact",
    "Grade",
    "GradeBands",
    "NoticeFact",
    "ReportFact",
    "ReportState",
    "RuleKind",
    "ScoreLine",
    "ScoringRule",
    "TargetFact",
    "UnitFacts",
    "UnitScore",
    "VetoCheck",
    "VetoEventFact",
    "VetoKind",
    "VetoRule",
    "accident_grade",
    "check_rule",
    "check_veto",
    "describe_rule",
    "describe_veto",
    "score_unit",
]

ZERO = Decimal(0)
POINT = Decimal("0.1")
HUNDRED = Decimal(100)


# ---------------------------------------------------------------------------------------------------------
# Kinds and grades
# ---------------------------------------------------------------------------------------------------------


class RuleKind(StrEnum):
    """What a scoring rule counts."""

    REPORTS_ON_TIME = "reports_on_time"
    TARGETS_ON_TRACK = "targets_on_track"
    NOTICES_ANSWERED = "notices_answered"
    BASE = "base"


RULE_LABELS: Mapping[str, str] = {
    RuleKind.REPORTS_ON_TIME: "进展报告按时报送",
    RuleKind.TARGETS_ON_TRACK: "牵头指标进度",
    RuleKind.NOTICES_ANSWERED: "督办通知按期回复",
    RuleKind.BASE: "基础分",
}


class VetoKind(StrEnum):
    """What a veto (一票否决) condition looks for."""

    ACCIDENT_AT_LEAST = "accident_at_least"
    NOTICE_IGNORED = "notice_ignored"
    REPORTS_MISSING_AT_LEAST = "reports_missing_at_least"


VETO_LABELS: Mapping[str, str] = {
    VetoKind.ACCIDENT_AT_LEAST: "辖区发生一定等级以上生产安全事故",
    VetoKind.NOTICE_IGNORED: "督办通知逾期未签收",
    VetoKind.REPORTS_MISSING_AT_LEAST: "缺报季度进展报告",
}


class Grade(StrEnum):
    """The assessment grade."""

    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"
    FAIL = "fail"


GRADE_LABELS: Mapping[str, str] = {
    Grade.EXCELLENT: "优秀",
    Grade.GOOD: "良好",
    Grade.PASS: "合格",
    Grade.FAIL: "不合格",
}

# 国务院令第493号 第三条, from the lowest grade to the highest.
ACCIDENT_GRADES: tuple[str, ...] = ("一般", "较大", "重大", "特别重大")
_ACCIDENT_CODES: Mapping[str, str] = {
    "general": "一般",
    "larger": "较大",
    "major": "重大",
    "especially_major": "特别重大",
}


def accident_grade(value: object) -> str | None:
    """Return the Chinese accident grade that ``value`` names (a label such as "较大" or a code such as
    "larger"), or ``None`` when it names none."""
    text = str(value or "").strip()
    text = _ACCIDENT_CODES.get(text, text)
    text = text.removesuffix("事故")
    return text if text in ACCIDENT_GRADES else None


class ReportState(StrEnum):
    """Whether a quarterly progress report came in on time (same values as ``plans.ComplianceState``)."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    OPEN = "open"


@dataclass(frozen=True)
class GradeBands:
    """The lowest total for each grade; below ``passing`` is 不合格."""

    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    passing: Decimal = Decimal(60)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> GradeBands:
        """Read ``{"excellent": 90, "good": 80, "pass": 60}`` (missing keys keep their defaults)."""
        data = data or {}
        default = cls()
        return cls(
            excellent=_decimal(data.get("excellent", default.excellent)),
            good=_decimal(data.get("good", default.good)),
            passing=_decimal(data.get("pass", default.passing)),
        )

    def as_mapping(self) -> dict[str, str]:
        """The JSON form stored on a scheme."""
        return {"excellent": _fmt(self.excellent), "good": _fmt(self.good), "pass": _fmt(self.passing)}

    def errors(self) -> list[str]:
        """Chinese messages for bands that are out of order or out of range."""
        if not (HUNDRED >= self.excellent >= self.good >= self.passing >= ZERO):
            return ["等级分数线须满足：100 ≥ 优秀 ≥ 良好 ≥ 合格 ≥ 0"]
        return []

    def grade_for(self, total: Decimal) -> Grade:
        """The grade of ``total`` points."""
        if total >= self.excellent:
            return Grade.EXCELLENT
        if total >= self.good:
            return Grade.GOOD
        if total >= self.passing:
            return Grade.PASS
        return Grade.FAIL

    def describe(self) -> str:
        """E.g. "优秀 ≥ 90 分，良好 ≥ 80 分，合格 ≥ 60 分，其余不合格"."""
        return (
            f"优秀 ≥ {_fmt(self.excellent)} 分，良好 ≥ {_fmt(self.good)} 分，"
            f"合格 ≥ {_fmt(self.passing)} 分，其余不合格"
        )


DEFAULT_BANDS = GradeBands()


# ---------------------------------------------------------------------------------------------------------
# Facts (what the data says about one unit in one year)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFact:
    """One quarterly progress report the unit owed on a task."""

    task: str
    year: int
    quarter: int
    state: ReportState

    @property
    def label(self) -> str:
        """E.g. "任务 1.2 2025 年第 3 季度"."""
        return f"任务 {self.task} {self.year} 年第 {self.quarter} 季度"


@dataclass(frozen=True)
class TargetFact:
    """A plan target the unit leads, and whether it is on track (``None`` when that cannot be said)."""

    task: str
    indicator: str
    has_metric: bool
    on_track: bool | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        """E.g. "任务 2.1 企业安全生产标准化达标率 ≥ 100%"."""
        return f"任务 {self.task} {self.indicator}".strip()


@dataclass(frozen=True)
class NoticeFact:
    """A 督办 notice sent to the unit, with the dates it was acknowledged and answered (if it was).

    A notice without a due date can be neither late nor ignored: it counts once it is answered.
    """

    label: str
    due_date: dt.date | None
    acknowledged_on: dt.date | None = None
    answered_on: dt.date | None = None


@dataclass(frozen=True)
class VetoEventFact:
    """A recorded event that a veto rule may look at, e.g. an accident in the unit's remit."""

    kind: str
    grade: str
    description: str
    occurred_on: dt.date | None = None
    source: str = ""

    @property
    def label(self) -> str:
        """E.g. "2025-06-03 某企业爆燃事故（较大）"."""
        when = f"{self.occurred_on.isoformat()} " if self.occurred_on else ""
        grade = accident_grade(self.grade) or self.grade
        return f"{when}{self.description}（{grade}）"


@dataclass(frozen=True)
class AdjustmentFact:
    """A manual adjustment by the committee office: points (may be negative) and the reason."""

    points: Decimal
    reason: str
    by: str = ""


@dataclass(frozen=True)
class UnitFacts:
    """Everything the rules may look at for one unit in the assessed year, as of ``as_of``."""

    unit: str
    year: int
    as_of: dt.date
    reports: tuple[ReportFact, ...] = ()
    targets: tuple[TargetFact, ...] = ()
    notices: tuple[NoticeFact, ...] = ()
    events: tuple[VetoEventFact, ...] = ()
    adjustments: tuple[AdjustmentFact, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringRule:
    """One scoring rule of a scheme: its kind, title, the most points it gives, and its parameters."""

    kind: RuleKind
    title: str
    max_points: Decimal
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VetoRule:
    """One veto (一票否决) condition of a scheme."""

    kind: VetoKind
    title: str
    params: Mapping[str, Any] = field(default_factory=dict)


_LATE_FACTOR_DEFAULT: Mapping[str, Decimal] = {
    RuleKind.REPORTS_ON_TIME: Decimal("0.5"),
    RuleKind.NOTICES_ANSWERED: ZERO,
}


def check_rule(kind: str, max_points: object, params: Mapping[str, Any] | None) -> list[str]:
    """Chinese messages for what is wrong with a scoring rule (empty when it is valid)."""
    errors: list[str] = []
    if kind not in set(RuleKind):
        return [f"未知的计分规则类型：{kind}"]
    try:
        points = _decimal(max_points)
    except ValueError:
        return ["分值须为数字"]
    if not ZERO <= points <= HUNDRED:
        errors.append("分值须在 0 到 100 之间")
    params = params or {}
    if kind in _LATE_FACTOR_DEFAULT and "late_factor" in params:
        try:
            factor = _decimal(params["late_factor"])
        except ValueError:
            factor = Decimal(-1)
        if not ZERO <= factor <= 1:
            errors.append("逾期折算系数须在 0 到 1 之间")
    unknown = set(params) - ({"late_factor"} if kind in _LATE_FACTOR_DEFAULT else set())
    if unknown:
        errors.append("该规则不支持参数：{}".format("、".join(sorted(unknown))))
    return errors


def check_veto(kind: str, params: Mapping[str, Any] | None) -> list[str]:
    """Chinese messages for what is wrong with a veto rule (empty when it is valid)."""
    params = params or {}
    if kind == VetoKind.ACCIDENT_AT_LEAST:
        errors = [] if accident_grade(params.get("grade")) else ["事故等级须为一般、较大、重大或特别重大"]
        allowed = {"grade"}
    elif kind in (VetoKind.NOTICE_IGNORED, VetoKind.REPORTS_MISSING_AT_LEAST):
        errors = [] if _count_param(params) is not None else ["次数须为不小于 1 的整数"]
        allowed = {"count"}
    else:
        return [f"未知的否决条件类型：{kind}"]
    unknown = set(params) - allowed
    if unknown:
        errors.append("该否决条件不支持参数：{}".format("、".join(sorted(unknown))))
    return errors


def describe_rule(rule: ScoringRule) -> str:
    """How the rule computes its points, in Chinese, for the scheme page."""
    points = _fmt(rule.max_points)
    factor = _late_factor(rule)
    if rule.kind == RuleKind.REPORTS_ON_TIME:
        return f"{points} 分 × 按时报送率；逾期报送按 {_fmt(factor)} 次计，缺报不计；报送期内的不计入应报"
    if rule.kind == RuleKind.TARGETS_ON_TRACK:
        return f"{points} 分 × 本单位牵头指标的达标率；尚未接入指标的不计分、不计入基数"
    if rule.kind == RuleKind.NOTICES_ANSWERED:
        late = f"逾期回复按 {_fmt(factor)} 件计" if factor else "逾期回复不得分"
        return f"{points} 分 × 督办通知按期回复率（到期的通知）；{late}；无到期通知得满分"
    return f"每个单位均得 {points} 分"


def describe_veto(rule: VetoRule) -> str:
    """What triggers the veto, in Chinese, for the scheme page."""
    if rule.kind == VetoKind.ACCIDENT_AT_LEAST:
        grade = accident_grade(rule.params.get("grade")) or "较大"
        return f"考核年度内辖区（职责范围）发生{grade}及以上生产安全事故的，一票否决"
    count = _count_param(rule.params) or 1
    if rule.kind == VetoKind.NOTICE_IGNORED:
        return f"督办通知到期仍未签收达 {count} 件及以上的，一票否决"
    return f"考核年度内缺报季度进展报告达 {count} 次及以上的，一票否决"


# ---------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """One line of a unit's score: which rule, points earned of the most it gives, and why."""

    kind: str
    title: str
    earned: Decimal
    max_points: Decimal
    explanation: str
    items: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form (points as strings with one decimal)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "earned": f"{self.earned:.1f}",
            "max_points": f"{self.max_points:.1f}",
            "explanation": self.explanation,
            "items": list(self.items),
        }


@dataclass(frozen=True)
class VetoCheck:
    """The outcome of one veto condition: triggered or not, and why."""

    kind: str
    title: str
    triggered: bool
    explanation: str
    items: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind,
            "title": self.title,
            "triggered": self.triggered,
            "explanation": self.explanation,
            "items": list(self.items),
        }


@dataclass(frozen=True)
class UnitScore:
    """A unit's assessment: the lines, the veto checks, the total and the grade."""

    unit: str
    year: int
    lines: tuple[ScoreLine, ...]
    checks: tuple[VetoCheck, ...]
    total: Decimal
    max_points: Decimal
    grade: Grade
    summary: str

    @property
    def vetoed(self) -> bool:
        """True when a veto condition was met (the grade is then 不合格 whatever the points)."""
        return any(c.triggered for c in self.checks)

    @property
    def veto_reason(self) -> str:
        """The explanations of the triggered veto conditions, joined."""
        return "；".join(c.explanation for c in self.checks if c.triggered)

    @property
    def grade_label(self) -> str:
        """The grade in Chinese."""
        return GRADE_LABELS[self.grade]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: what a result row stores."""
        return {
            "unit": self.unit,
            "year": self.year,
            "total": f"{self.total:.1f}",
            "max_points": f"{self.max_points:.1f}",
            "grade": str(self.grade),
            "vetoed": self.vetoed,
            "veto_reason": self.veto_reason,
            "summary": self.summary,
            "lines": [line.as_dict() for line in self.lines],
            "checks": [check.as_dict() for check in self.checks],
        }


# ---------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------


def score_unit(
    facts: UnitFacts,
    rules: Sequence[ScoringRule],
    vetoes: Sequence[VetoRule],
    *,
    bands: GradeBands = DEFAULT_BANDS,
) -> UnitScore:
    """Score one unit: one line per rule (plus manual adjustments), every veto checked, then the grade."""
    lines = [_score_rule(rule, facts) for rule in rules]
    if facts.adjustments:
        lines.append(_adjustment_line(facts.adjustments))
    checks = tuple(_check_veto(rule, facts) for rule in vetoes)

    max_points = sum((rule.max_points for rule in rules), ZERO)
    earned = sum((line.earned for line in lines), ZERO)
    total = min(max(earned, ZERO), max_points)
    vetoed = any(c.triggered for c in checks)
    grade = Grade.FAIL if vetoed else bands.grade_for(total)

    summary = f"得分 {total:.1f}/{_fmt(max_points)} 分"
    if total != earned:
        summary += f"（各项合计 {earned:.1f} 分，按 0–{_fmt(max_points)} 分计）"
    if vetoed:
        summary += f"；一票否决：{'；'.join(c.explanation for c in checks if c.triggered)}；评定为不合格"
    else:
        summary += f"，评定为{GRADE_LABELS[grade]}（{bands.describe()}）"
    return UnitScore(
        unit=facts.unit,
        year=facts.year,
        lines=tuple(lines),
        checks=checks,
        total=total,
        max_points=max_points,
        grade=grade,
        summary=summary,
    )


def _score_rule(rule: ScoringRule, facts: UnitFacts) -> ScoreLine:
    if rule.kind == RuleKind.REPORTS_ON_TIME:
        return _reports_line(rule, facts)
    if rule.kind == RuleKind.TARGETS_ON_TRACK:
        return _targets_line(rule, facts)
    if rule.kind == RuleKind.NOTICES_ANSWERED:
        return _notices_line(rule, facts)
    return ScoreLine(
        rule.kind,
        rule.title,
        _points(rule.max_points),
        rule.max_points,
        f"基础分：得 {_fmt(rule.max_points)}/{_fmt(rule.max_points)} 分",
    )


def _reports_line(rule: ScoringRule, facts: UnitFacts) -> ScoreLine:
    """Quarterly reports: on time counts 1, late counts ``late_factor``, missing 0; open ones are left out."""
    factor = _late_factor(rule)
    counted = [r for r in facts.reports if r.state != ReportState.OPEN]
    still_open = len(facts.reports) - len(counted)
    on_time = sum(1 for r in counted if r.state == ReportState.ON_TIME)
    late = [r for r in counted if r.state == ReportState.LATE]
    missing = [r for r in counted if r.state == ReportState.MISSING]
    items = tuple([f"缺报：{r.label}" for r in missing] + [f"逾期：{r.label}" for r in late])
    open_note = f"（另有 {still_open} 次尚在报送期内，不计）" if still_open else ""
    if not counted:
        return _full_line(rule, f"本年度无应报的季度进展报告{open_note}，本项按满分计", items)
    due = len(counted)
    ratio = (Decimal(on_time) + factor * len(late)) / due
    earned = _points(rule.max_points * ratio)
    late_text, rate_name = f"逾期 {len(late)} 次", "按时率"
    if late and factor:
        late_text, rate_name = f"{late_text}（按 {_fmt(factor)} 次计）", "折算按时率"
    elif late:
        late_text = f"{late_text}（不得分）"
    explanation = (
        f"应报 {due} 次，按时 {on_time} 次，{late_text}，缺报 {len(missing)} 次{open_note}："
        f"{rate_name} {_pct(ratio)}，得 {earned:.1f}/{_fmt(rule.max_points)} 分"
    )
    return ScoreLine(rule.kind, rule.title, earned, rule.max_points, explanation, items)


def _targets_line(rule: ScoringRule, facts: UnitFacts) -> ScoreLine:
    """Targets the unit leads: share on track among those with a metric that gives an answer."""
    scored = [t for t in facts.targets if t.has_metric and t.on_track is not None]
    unbound = [t for t in facts.targets if not t.has_metric]
    no_data = [t for t in facts.targets if t.has_metric and t.on_track is None]
    on_track = sum(1 for t in scored if t.on_track)
    items: list[str] = []
    for t in facts.targets:
        detail = f"：{t.detail}" if t.detail else ""
        if not t.has_metric:
            items.append(f"{t.label}：尚未接入指标，不计分")
        elif t.on_track is None:
            items.append(f"{t.label}{detail}：指标暂无数据，不计分")
        else:
            items.append(f"{t.label}{detail}：{'已达标或进度正常' if t.on_track else '未达标'}")
    parts = [f"牵头指标 {len(facts.targets)} 项"]
    if unbound:
        parts.append(f"{len(unbound)} 项尚未接入指标，不计分")
    if no_data:
        parts.append(f"{len(no_data)} 项指标暂无数据，不计分")
    if not scored:
        reason = "，".join(parts) if facts.targets else "本单位本年度无牵头指标"
        return _full_line(rule, f"{reason}；无可计分指标，本项按满分计", tuple(items))
    ratio = Decimal(on_track) / len(scored)
    earned = _points(rule.max_points * ratio)
    parts.append(f"计分 {len(scored)} 项：达标 {on_track} 项，未达标 {len(scored) - on_track} 项")
    explanation = f"{'，'.join(parts)}：达标率 {_pct(ratio)}，得 {earned:.1f}/{_fmt(rule.max_points)} 分"
    return ScoreLine(rule.kind, rule.title, earned, rule.max_points, explanation, tuple(items))


def _notices_line(rule: ScoringRule, facts: UnitFacts) -> ScoreLine:
    """督办 notices whose due date has passed (or that were answered): answered by the due date or not."""
    factor = _late_factor(rule)
    on_time: list[NoticeFact] = []
    late: list[NoticeFact] = []
    overdue: list[NoticeFact] = []
    pending = 0
    for notice in facts.notices:
        if notice.answered_on is not None:
            in_time = notice.due_date is None or notice.answered_on <= notice.due_date
            (on_time if in_time else late).append(notice)
        elif notice.due_date is not None and notice.due_date < facts.as_of:
            overdue.append(notice)
        else:
            pending += 1
    items = tuple(
        [f"逾期未回复：{n.label}（限期 {_day(n.due_date)}）" for n in overdue]
        + [f"逾期回复：{n.label}（限期 {_day(n.due_date)}，{_day(n.answered_on)} 回复）" for n in late]
    )
    pending_note = f"（另有 {pending} 件未到期，不计）" if pending else ""
    due = len(on_time) + len(late) + len(overdue)
    if due == 0:
        return _full_line(rule, f"本年度无到期的督办通知{pending_note}，本项按满分计", items)
    ratio = (Decimal(len(on_time)) + factor * len(late)) / due
    earned = _points(rule.max_points * ratio)
    late_note = f"（按 {_fmt(factor)} 件计）" if late and factor else ("（不得分）" if late else "")
    explanation = (
        f"到期督办通知 {due} 件，按期回复 {len(on_time)} 件，逾期回复 {len(late)} 件{late_note}，"
        f"逾期未回复 {len(overdue)} 件{pending_note}：按期回复率 {_pct(ratio)}，"
        f"得 {earned:.1f}/{_fmt(rule.max_points)} 分"
    )
    return ScoreLine(rule.kind, rule.title, earned, rule.max_points, explanation, items)


def _adjustment_line(adjustments: Sequence[AdjustmentFact]) -> ScoreLine:
    total = sum((a.points for a in adjustments), ZERO)
    items = tuple(f"{a.points:+.1f} 分：{a.reason}" + (f"（{a.by}）" if a.by else "") for a in adjustments)
    explanation = f"安委会办公室调整 {len(adjustments)} 笔，合计 {total:+.1f} 分"
    return ScoreLine("adjustment", "人工调整", total, ZERO, explanation, items)


def _full_line(rule: ScoringRule, reason: str, items: tuple[str, ...]) -> ScoreLine:
    points = _fmt(rule.max_points)
    return ScoreLine(
        rule.kind,
        rule.title,
        _points(rule.max_points),
        rule.max_points,
        f"{reason}：得 {points}/{points} 分",
        items,
    )


# ---------------------------------------------------------------------------------------------------------
# Vetoes
# ---------------------------------------------------------------------------------------------------------


def _check_veto(rule: VetoRule, facts: UnitFacts) -> VetoCheck:
    if rule.kind == VetoKind.ACCIDENT_AT_LEAST:
        return _accident_check(rule, facts)
    if rule.kind == VetoKind.NOTICE_IGNORED:
        return _notice_ignored_check(rule, facts)
    return _reports_missing_check(rule, facts)


def _accident_check(rule: VetoRule, facts: UnitFacts) -> VetoCheck:
    threshold = accident_grade(rule.params.get("grade")) or "较大"
    rank = ACCIDENT_GRADES.index(threshold)
    accidents = [e for e in facts.events if e.kind == "accident"]
    hits = [e for e in accidents if ACCIDENT_GRADES.index(accident_grade(e.grade) or "一般") >= rank]
    if hits:
        explanation = f"{facts.year} 年辖区发生{threshold}及以上生产安全事故 {len(hits)} 起：" + "；".join(
            e.label for e in hits
        )
        return VetoCheck(rule.kind, rule.title, True, explanation, tuple(e.label for e in hits))
    if accidents:
        explanation = f"{facts.year} 年记录生产安全事故 {len(accidents)} 起，均低于{threshold}，未触发"
    else:
        explanation = f"{facts.year} 年未记录{threshold}及以上生产安全事故，未触发"
    return VetoCheck(rule.kind, rule.title, False, explanation, tuple(e.label for e in accidents))


def _notice_ignored_check(rule: VetoRule, facts: UnitFacts) -> VetoCheck:
    count = _count_param(rule.params) or 1
    ignored: list[str] = []
    for n in facts.notices:
        if n.due_date is None:
            continue
        if n.acknowledged_on is None and n.due_date < facts.as_of:
            ignored.append(f"{n.label}（限期 {_day(n.due_date)}，未签收）")
        elif n.acknowledged_on is not None and n.acknowledged_on > n.due_date:
            ignored.append(f"{n.label}（限期 {_day(n.due_date)}，{_day(n.acknowledged_on)} 才签收）")
    triggered = len(ignored) >= count
    head = f"督办通知到期仍未签收 {len(ignored)} 件（否决条件：≥ {count} 件）"
    explanation = head if triggered else f"{head}，未触发"
    return VetoCheck(rule.kind, rule.title, triggered, explanation, tuple(ignored))


def _reports_missing_check(rule: VetoRule, facts: UnitFacts) -> VetoCheck:
    count = _count_param(rule.params) or 1
    missing = [r.label for r in facts.reports if r.state == ReportState.MISSING]
    triggered = len(missing) >= count
    head = f"缺报季度进展报告 {len(missing)} 次（否决条件：≥ {count} 次）"
    explanation = head if triggered else f"{head}，未触发"
    return VetoCheck(rule.kind, rule.title, triggered, explanation, tuple(missing))


# ---------------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------------


def _decimal(value: object) -> Decimal:
    """``value`` as a Decimal; ``ValueError`` when it is not a finite number."""
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(value) from exc
    if not result.is_finite():
        raise ValueError(value)
    return result


def _count_param(params: Mapping[str, Any]) -> int | None:
    value = params.get("count", 1)
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if number >= 1 else None


def _late_factor(rule: ScoringRule) -> Decimal:
    default = _LATE_FACTOR_DEFAULT.get(rule.kind, ZERO)
    try:
        return _decimal(rule.params.get("late_factor", default))
    except ValueError:
        return default


def _points(value: Decimal) -> Decimal:
    return value.quantize(POINT, rounding=ROUND_HALF_UP)


def _pct(ratio: Decimal) -> str:
    return f"{(ratio * HUNDRED).quantize(POINT, rounding=ROUND_HALF_UP)}%"


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "—"


def _fmt(value: Decimal) -> str:
    """A number without trailing zeros: 20 → "20", 0.5 → "0.5", 17.50 → "17.5"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
