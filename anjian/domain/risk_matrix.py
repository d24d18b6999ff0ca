"""Risk grading for 双重预防: LEC (D = L × E × C) and the 5 × 5 risk matrix (R = L × S).

Sources (``/work/shared/reference/standards.md`` §3.1–3.3, ``lec_scales.csv``, ``lec_d_bands.csv``):

* LEC, 作业条件危险性分析法 (Graham–Kinney): D = L × E × C with the scales below; D > 320 极其危险 (1),
  160 < D ≤ 320 高度危险 (2), 70 < D ≤ 160 显著危险 (3), D ≤ 70 一般危险 (4). The classical table also
  splits the bottom band at 20 (20–70 一般危险 / < 20 稍有危险); that split is a setting, shown on the
  settings page, and does not change the four-colour level.
* LS, 5 × 5 matrix: R = L × S, each 1–5. Published band tables disagree only at R = 9 (zgmkw: 9–16 较大;
  the 总局 four-colour rule quoted by mtoou: 10–16 较大, 4–9 一般). The default here follows the latter
  (R = 9 → 一般); a zone may move the edge.
* Four colours (安委办 2016 双重预防 意见; 中国石化 双重预防 rule): 重大/红, 较大/橙, 一般/黄, 低/蓝.

Band edges are *lower bounds*: a score belongs to the highest level whose bound it reaches (``>=`` for
LS; for LEC the published bands are "D > 320" etc., so the LEC bounds are exclusive: ``>``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "DEFAULT_BANDS",
    "LEC_C",
    "LEC_E",
    "LEC_L",
    "LS_L",
    "LS_S",
    "Bands",
    "Level",
    "RiskResult",
    "RiskScaleError",
    "assess_lec",
    "assess_ls",
    "highest",
    "lec_danger_label",
]


class RiskScaleError(ValueError):
    """A factor is not on its published scale (the message is Chinese, for the user)."""


class Level(enum.Enum):
    """The four risk levels, highest first; ``value`` is the stored code."""

    MAJOR = "major"
    LARGER = "larger"
    GENERAL = "general"
    LOW = "low"

    @property
    def label(self) -> str:
        """重大 / 较大 / 一般 / 低."""
        return _LABELS[self]

    @property
    def colour(self) -> str:
        """红 / 橙 / 黄 / 蓝."""
        return _COLOURS[self]

    @property
    def rank(self) -> int:
        """4 for 重大 … 1 for 低 (higher is worse)."""
        return _RANKS[self]


_LABELS = {Level.MAJOR: "重大", Level.LARGER: "较大", Level.GENERAL: "一般", Level.LOW: "低"}
_COLOURS = {Level.MAJOR: "红", Level.LARGER: "橙", Level.GENERAL: "黄", Level.LOW: "蓝"}
_RANKS = {Level.MAJOR: 4, Level.LARGER: 3, Level.GENERAL: 2, Level.LOW: 1}

#: LEC scales (``lec_scales.csv``): score → meaning.
LEC_L: dict[Decimal, str] = {
    Decimal("10"): "完全可以预料",
    Decimal("6"): "相当可能",
    Decimal("3"): "可能，但不经常",
    Decimal("1"): "可能性小，完全意外",
    Decimal("0.5"): "很不可能，可以设想",
    Decimal("0.2"): "极不可能",
    Decimal("0.1"): "实际不可能",
}
LEC_E: dict[Decimal, str] = {
    Decimal("10"): "连续暴露",
    Decimal("6"): "每天工作时间内暴露",
    Decimal("3"): "每周一次，或偶然暴露",
    Decimal("2"): "每月一次暴露",
    Decimal("1"): "每年几次暴露",
    Decimal("0.5"): "非常罕见地暴露",
}
LEC_C: dict[Decimal, str] = {
    Decimal("100"): "3人及以上死亡 / 财产损失≥2000万",
    Decimal("40"): "2~3人死亡 / 1000~2000万",
    Decimal("15"): "1人死亡或3人以上重伤 / 300~1000万",
    Decimal("7"): "重伤或4人以上轻伤 / 150~300万",
    Decimal("3"): "1~3人轻伤 / 70~150万",
    Decimal("1"): "微伤 / 1~70万",
}
#: LS scales (standards.md §3.2, zgmkw).
LS_L: dict[int, str] = {
    1: "基本不可能（50年以上一次）",
    2: "较不可能（10年以上一次）",
    3: "可能（10年内一次）",
    4: "很可能（5年内一次）",
    5: "极有可能（每年一次）",
}
LS_S: dict[int, str] = {
    1: "一人轻微伤害",
    2: "一人需急救或多人轻微伤害",
    3: "一人严重伤害",
    4: "多人严重伤害",
    5: "一人死亡",
}


@dataclass(frozen=True)
class Bands:
    """Band edges of one zone. LEC bounds are exclusive (D > bound), LS bounds inclusive (R ≥ bound).

    ``lec_low_split`` only splits the 低 band's wording (稍有危险 below it); it never changes the level.
    """

    lec_major: Decimal = Decimal("320")
    lec_larger: Decimal = Decimal("160")
    lec_general: Decimal = Decimal("70")
    lec_low_split: Decimal = Decimal("20")
    ls_major: int = 20
    ls_larger: int = 10
    ls_general: int = 4

    def errors(self) -> list[str]:
        """Chinese messages for inconsistent edges (empty when usable)."""
        problems: list[str] = []
        if not (self.lec_major > self.lec_larger > self.lec_general > 0):
            problems.append("LEC 分级界限须满足 重大 > 较大 > 一般 > 0")
        if not (0 < self.lec_low_split < self.lec_general):
            problems.append("LEC 低风险细分界限须大于 0 且小于一般风险界限")
        if not (25 >= self.ls_major > self.ls_larger > self.ls_general > 1):
            problems.append("风险矩阵分级界限须满足 25 ≥ 重大 > 较大 > 一般 > 1")
        return problems


DEFAULT_BANDS = Bands()


@dataclass(frozen=True)
class RiskResult:
    """A graded score: ``score`` (D or R), the level and the method's own wording of the band."""

    method: str
    score: Decimal
    level: Level
    danger: str

    def as_json(self) -> dict[str, object]:
        """``{"score": 252, "level": "较大", "colour": "橙"}`` (integers printed without decimals)."""
        score: object = int(self.score) if self.score == self.score.to_integral_value() else float(self.score)
        return {"score": score, "level": self.level.label, "colour": self.level.colour}


def _on_scale(value: Decimal | float | int | str, scale: dict[Decimal, str], name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise RiskScaleError(f"{name} 不是数字：{value}") from exc
    for allowed in scale:
        if number == allowed:
            return allowed
    options = "、".join(_fmt(v) for v in sorted(scale, reverse=True))
    raise RiskScaleError(f"{name} 取值 {_fmt(number)} 不在标准分值中（可选：{options}）")


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value.normalize())


def lec_danger_label(score: Decimal, bands: Bands = DEFAULT_BANDS) -> str:
    """The LEC table's wording for ``score`` (with the configurable 20 split of the bottom band)."""
    if score > bands.lec_major:
        return "极其危险，不能继续作业"
    if score > bands.lec_larger:
        return "高度危险，需立即整改"
    if score > bands.lec_general:
        return "显著危险，需要整改"
    if score >= bands.lec_low_split:
        return "一般危险，需要注意"
    return "稍有危险，可以接受"


def assess_lec(
    likelihood: Decimal | float | int | str,
    exposure: Decimal | float | int | str,
    consequence: Decimal | float | int | str,
    bands: Bands = DEFAULT_BANDS,
) -> RiskResult:
    """D = L × E × C graded by the LEC bands (standards.md §3.1). Each factor must be on its scale."""
    l_value = _on_scale(likelihood, LEC_L, "L（事故发生的可能性）")
    e_value = _on_scale(exposure, LEC_E, "E（暴露于危险环境的频繁程度）")
    c_value = _on_scale(consequence, LEC_C, "C（发生事故产生的后果）")
    score = (l_value * e_value * c_value).normalize()
    if score > bands.lec_major:
        level = Level.MAJOR
    elif score > bands.lec_larger:
        level = Level.LARGER
    elif score > bands.lec_general:
        level = Level.GENERAL
    else:
        level = Level.LOW
    return RiskResult("lec", score, level, lec_danger_label(score, bands))


def assess_ls(
    likelihood: Decimal | int | str, severity: Decimal | int | str, bands: Bands = DEFAULT_BANDS
) -> RiskResult:
    """R = L × S on the 5 × 5 matrix (standards.md §3.2); bounds are inclusive."""
    values: list[int] = []
    for value, name in ((likelihood, "L（可能性）"), (severity, "S（严重程度）")):
        try:
            exact = Decimal(str(value))
        except ArithmeticError as exc:
            raise RiskScaleError(f"{name} 须为 1～5 的整数，收到：{value}") from exc
        if not exact.is_finite() or exact != exact.to_integral_value():
            raise RiskScaleError(f"{name} 须为 1～5 的整数，收到：{value}")
        number = int(exact)
        if number < 1 or number > 5:
            raise RiskScaleError(f"{name} 须为 1～5 的整数，收到：{value}")
        values.append(number)
    score = values[0] * values[1]
    if score >= bands.ls_major:
        level = Level.MAJOR
    elif score >= bands.ls_larger:
        level = Level.LARGER
    elif score >= bands.ls_general:
        level = Level.GENERAL
    else:
        level = Level.LOW
    wording = {
        Level.MAJOR: "重大风险",
        Level.LARGER: "较大风险",
        Level.GENERAL: "一般风险",
        Level.LOW: "低风险",
    }
    return RiskResult("ls", Decimal(score), level, wording[level])


def highest(levels: list[Level] | tuple[Level, ...]) -> Level | None:
    """The highest of ``levels`` (a unit's level is the highest of its events); ``None`` for none."""
    return max(levels, key=lambda level: level.rank) if levels else None
