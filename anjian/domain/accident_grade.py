"""Accident grades and reporting clocks of 《生产安全事故报告和调查处理条例》(国务院令第493号).

Pure Python (no Django). The ``emergency`` app grades every incident here and tracks its reporting
checklist; the yearly assessment's veto rule (``anjian.domain.assessment``) ranks the same grades.

Grades — Art. 3 (``shared/reference/accident_grades_493.csv``). Each criterion gives a grade on its own and
the accident takes the highest one ("或者"); "以上" includes the number and "以下" excludes it:

============  ==========  =========================  ==========================
grade         deaths      serious injuries (重伤,     direct economic loss (CNY)
                          incl. 急性工业中毒)
============  ==========  =========================  ==========================
特别重大       ≥ 30        ≥ 100                      ≥ 1 亿
重大           10 – < 30   50 – < 100                 5000 万 – < 1 亿
较大           3 – < 10    10 – < 50                  1000 万 – < 5000 万
一般           < 3         < 10                       < 1000 万
============  ==========  =========================  ==========================

``by`` names the criterion that set the grade (the first of deaths, injuries, loss when several reach it;
``by_all`` lists them all).

Reporting — Art. 9: the unit head reports to the county-level 安全生产监督管理部门 **within 1 hour** of
learning of it; Art. 10: the report goes up level by level — 一般 to the 设区的市级 department, 较大 to the
provincial one, 重大 and 特别重大 to the State Council's — and Art. 11: **each level up within 2 hours**;
Art. 13: casualties that change **within 30 days** of the accident are reported again (补报), **7 days** for
road-traffic and fire accidents. An incident whose casualties change is re-graded (:func:`regrade`) and, when
its grade rises, the new grade is reported up the chain like the first report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import IntEnum

__all__ = [
    "CRITERIA",
    "CRITERION_LABELS",
    "GRADE_BANDS",
    "GRADE_CODES",
    "GRADE_LABELS",
    "AccidentGrade",
    "Band",
    "ChecklistItem",
    "GradeResult",
    "Regrade",
    "grade_accident",
    "grade_from_label",
    "regrade",
    "reporting_checklist",
    "supplement_window_days",
]

#: Art. 9: the unit head reports to the county-level authority within one hour.
UNIT_HEAD_HOURS = 1
#: Art. 11: each level up within two hours.
LEVEL_UP_HOURS = 2
#: Art. 13: casualty changes within 30 days (7 for road-traffic and fire accidents) are reported again.
SUPPLEMENT_DAYS = 30
SUPPLEMENT_DAYS_ROAD_FIRE = 7


class AccidentGrade(IntEnum):
    """The four grades, ordered from the lowest (一般) to the highest (特别重大)."""

    GENERAL = 1
    LARGER = 2
    MAJOR = 3
    ESPECIALLY_MAJOR = 4

    @property
    def label(self) -> str:
        """The grade in Chinese (一般 / 较大 / 重大 / 特别重大)."""
        return GRADE_LABELS[self]

    @property
    def code(self) -> str:
        """The stored code (the ``AccidentGrade`` choice values of the assessment app)."""
        return GRADE_CODES[self]


GRADE_LABELS: Mapping[AccidentGrade, str] = {
    AccidentGrade.GENERAL: "一般",
    AccidentGrade.LARGER: "较大",
    AccidentGrade.MAJOR: "重大",
    AccidentGrade.ESPECIALLY_MAJOR: "特别重大",
}
GRADE_CODES: Mapping[AccidentGrade, str] = {
    AccidentGrade.GENERAL: "general",
    AccidentGrade.LARGER: "larger",
    AccidentGrade.MAJOR: "major",
    AccidentGrade.ESPECIALLY_MAJOR: "especially_major",
}

CRITERIA: tuple[str, ...] = ("deaths", "injuries", "loss")
CRITERION_LABELS: Mapping[str, str] = {"deaths": "死亡人数", "injuries": "重伤人数", "loss": "直接经济损失"}


@dataclass(frozen=True)
class Band:
    """One row of Art. 3: the half-open range ``[low, high)`` of one criterion for one grade."""

    grade: AccidentGrade
    low: Decimal
    high: Decimal | None  # None: no upper bound

    def contains(self, value: Decimal) -> bool:
        """``low ≤ value < high`` ("以上" includes, "以下" excludes)."""
        return value >= self.low and (self.high is None or value < self.high)


def _bands(rows: Sequence[tuple[AccidentGrade, int, int | None]]) -> tuple[Band, ...]:
    return tuple(Band(g, Decimal(lo), None if hi is None else Decimal(hi)) for g, lo, hi in rows)


#: Art. 3, one tuple of bands per criterion (the same numbers as ``accident_grades_493.csv``).
GRADE_BANDS: Mapping[str, tuple[Band, ...]] = {
    "deaths": _bands(
        [
            (AccidentGrade.ESPECIALLY_MAJOR, 30, None),
            (AccidentGrade.MAJOR, 10, 30),
            (AccidentGrade.LARGER, 3, 10),
            (AccidentGrade.GENERAL, 0, 3),
        ]
    ),
    "injuries": _bands(
        [
            (AccidentGrade.ESPECIALLY_MAJOR, 100, None),
            (AccidentGrade.MAJOR, 50, 100),
            (AccidentGrade.LARGER, 10, 50),
            (AccidentGrade.GENERAL, 0, 10),
        ]
    ),
    "loss": _bands(
        [
            (AccidentGrade.ESPECIALLY_MAJOR, 100_000_000, None),
            (AccidentGrade.MAJOR, 50_000_000, 100_000_000),
            (AccidentGrade.LARGER, 10_000_000, 50_000_000),
            (AccidentGrade.GENERAL, 0, 10_000_000),
        ]
    ),
}


def grade_from_label(value: object) -> AccidentGrade | None:
    """The grade that ``value`` names: a label ("较大", "较大事故"), a code ("larger") or a number 1–4."""
    if isinstance(value, AccidentGrade):
        return value
    text = str(value if value is not None else "").strip().removesuffix("事故")
    for grade in AccidentGrade:
        if text in {grade.label, grade.code, str(int(grade))}:
            return grade
    return None


# ---------------------------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeResult:
    """The grade of one accident, with the grade each criterion gives on its own."""

    grade: AccidentGrade
    by: str
    by_all: tuple[str, ...]
    per_criterion: Mapping[str, AccidentGrade]
    deaths: int
    injuries: int
    loss_cny: Decimal

    @property
    def label(self) -> str:
        return self.grade.label

    def explanation(self) -> str:
        """One Chinese sentence: which criterion set the grade, with its number."""
        values = {
            "deaths": f"死亡{self.deaths}人",
            "injuries": f"重伤{self.injuries}人",
            "loss": _money(self.loss_cny),
        }
        reasons = "、".join(values[c] for c in self.by_all)
        return f"{reasons}，按国务院令第493号第三条定为{self.grade.label}事故"

    def as_dict(self) -> dict[str, object]:
        """The JSON of ``anjian calc accident-grade --json``."""
        return {
            "grade": self.grade.label,
            "grade_code": self.grade.code,
            "by": self.by,
            "by_all": list(self.by_all),
            "per_criterion": {c: g.label for c, g in self.per_criterion.items()},
            "deaths": self.deaths,
            "injuries": self.injuries,
            "loss_cny": str(self.loss_cny),
            "explanation": self.explanation(),
        }


def _money(value: Decimal) -> str:
    def plain(number: Decimal) -> str:
        text = f"{number.quantize(Decimal('0.01')):f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    if value >= 100_000_000:
        return f"直接经济损失{plain(value / 100_000_000)}亿元"
    if value >= 10_000:
        return f"直接经济损失{plain(value / 10_000)}万元"
    return f"直接经济损失{plain(value)}元"


def _non_negative_int(value: object, label: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{label}须为非负整数")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{label}须为非负整数") from exc
    if not number.is_finite() or number < 0 or number != number.to_integral_value():
        raise ValueError(f"{label}须为非负整数")
    return int(number)


def _non_negative_money(value: object) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("直接经济损失须为非负数（元）") from exc
    if not number.is_finite() or number < 0:
        raise ValueError("直接经济损失须为非负数（元）")
    return number


def _band_grade(criterion: str, value: Decimal) -> AccidentGrade:
    for band in GRADE_BANDS[criterion]:
        if band.contains(value):
            return band.grade
    raise AssertionError(f"no band of {criterion} contains {value}")  # the bands cover [0, ∞)


def grade_accident(deaths: object = 0, injuries: object = 0, loss_cny: object = 0) -> GradeResult:
    """Grade an accident by Art. 3 of 国务院令第493号: the highest grade any criterion gives.

    Raises ``ValueError`` (Chinese message) for negative or non-integer casualty counts or a bad loss.
    """
    n_deaths = _non_negative_int(deaths, "死亡人数")
    n_injuries = _non_negative_int(injuries, "重伤人数")
    loss = _non_negative_money(loss_cny)
    values = {"deaths": Decimal(n_deaths), "injuries": Decimal(n_injuries), "loss": loss}
    per = {c: _band_grade(c, values[c]) for c in CRITERIA}
    top = max(per.values())
    by_all = tuple(c for c in CRITERIA if per[c] == top)
    return GradeResult(
        grade=top,
        by=by_all[0],
        by_all=by_all,
        per_criterion=per,
        deaths=n_deaths,
        injuries=n_injuries,
        loss_cny=loss,
    )


# ---------------------------------------------------------------------------------------------------------
# Reporting clocks
# ---------------------------------------------------------------------------------------------------------

#: Art. 10: the levels a report climbs, from the county; each grade stops at its own top level.
_LEVELS: tuple[tuple[str, str, AccidentGrade], ...] = (
    ("city", "县级安全监管部门上报设区的市级", AccidentGrade.GENERAL),
    ("province", "市级上报省级安全监管部门", AccidentGrade.LARGER),
    ("state", "省级上报国务院安全监管部门", AccidentGrade.MAJOR),
)


@dataclass(frozen=True)
class ChecklistItem:
    """One report that must be made, with its deadline, and when it was made (if it was)."""

    key: str
    label: str
    due: dt.datetime
    done_at: dt.datetime | None = None
    basis: str = ""

    def state(self, now: dt.datetime) -> str:
        """``done`` / ``late`` (done after the deadline) / ``overdue`` (not done, deadline passed) / ``open``."""
        if self.done_at is not None:
            return "done" if self.done_at <= self.due else "late"
        return "overdue" if now > self.due else "open"

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        """Time left until the deadline (negative once passed)."""
        return self.due - now


def supplement_window_days(road_or_fire: bool) -> int:
    """Art. 13: 30 days, or 7 for road-traffic and fire accidents."""
    return SUPPLEMENT_DAYS_ROAD_FIRE if road_or_fire else SUPPLEMENT_DAYS


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def reporting_checklist(
    grade: AccidentGrade,
    known_at: dt.datetime,
    *,
    done: Mapping[str, dt.datetime] | None = None,
    prefix: str = "",
    label_prefix: str = "",
) -> list[ChecklistItem]:
    """The reports an accident of ``grade`` needs, starting from when the unit learned of it.

    ``unit`` (单位负责人报告县级, 1 h, Art. 9), then one item per level up to the grade's top level (Art. 10),
    each due 2 h after the previous report was made — or was due, when it is not made yet (Art. 11).
    ``done`` maps item keys to the times they were made. ``prefix``/``label_prefix`` name a repeat round
    (a re-grade reports again with its own keys).
    """
    _aware(known_at, "known_at")
    done = done or {}
    items: list[ChecklistItem] = []
    key = f"{prefix}unit"
    due = known_at + dt.timedelta(hours=UNIT_HEAD_HOURS)
    items.append(
        ChecklistItem(
            key=key,
            label=f"{label_prefix}单位负责人报告县级安全监管部门及有关部门",
            due=due,
            done_at=done.get(key),
            basis="国务院令第493号第九条：1小时内",
        )
    )
    for code, label, minimum in _LEVELS:
        if grade < minimum:
            break
        previous = items[-1]
        start = previous.done_at if previous.done_at is not None else previous.due
        key = f"{prefix}{code}"
        items.append(
            ChecklistItem(
                key=key,
                label=f"{label_prefix}{label}",
                due=start + dt.timedelta(hours=LEVEL_UP_HOURS),
                done_at=done.get(key),
                basis="国务院令第493号第十条、第十一条：每级上报不超过2小时",
            )
        )
    return items


@dataclass(frozen=True)
class Regrade:
    """A casualty change: the grade before and after, and what must be reported again."""

    before: GradeResult
    after: GradeResult
    changed_at: dt.datetime
    within_window: bool
    window_ends: dt.datetime
    checklist: tuple[ChecklistItem, ...] = field(default_factory=tuple)

    @property
    def grade_changed(self) -> bool:
        return self.after.grade != self.before.grade

    @property
    def escalated(self) -> bool:
        return self.after.grade > self.before.grade

    def explanation(self) -> str:
        """A Chinese sentence for the timeline."""
        change = (
            f"事故等级由{self.before.grade.label}调整为{self.after.grade.label}"
            if self.grade_changed
            else f"事故等级仍为{self.after.grade.label}"
        )
        window = (
            "在补报期限内，须按首报程序补报" if self.within_window else "已超过补报期限（第十三条），记录变化"
        )
        return (
            f"伤亡变化：死亡{self.before.deaths}→{self.after.deaths}人，重伤{self.before.injuries}→"
            f"{self.after.injuries}人；{change}；{window}"
        )


def regrade(
    before: GradeResult,
    *,
    occurred_at: dt.datetime,
    changed_at: dt.datetime,
    deaths: object,
    injuries: object,
    loss_cny: object,
    road_or_fire: bool = False,
    round_no: int = 1,
) -> Regrade:
    """Re-grade after a casualty change (Art. 13).

    Within the window (30 days after the accident, 7 for road and fire) the change is reported like the
    first report: a fresh checklist for the new grade, clocked from ``changed_at``. After it, the change is
    recorded without a reporting duty.
    """
    _aware(occurred_at, "occurred_at")
    _aware(changed_at, "changed_at")
    after = grade_accident(deaths, injuries, loss_cny)
    window_ends = occurred_at + dt.timedelta(days=supplement_window_days(road_or_fire))
    within = changed_at <= window_ends
    checklist: tuple[ChecklistItem, ...] = ()
    if within:
        checklist = tuple(
            reporting_checklist(
                after.grade, changed_at, prefix=f"r{round_no}-", label_prefix=f"第{round_no}次补报："
            )
        )
    return Regrade(
        before=before,
        after=after,
        changed_at=changed_at,
        within_window=within,
        window_ends=window_ends,
        checklist=checklist,
    )
