"""The rule tester behind ``anjian monitoring replay --json``: JSON in, alarm events out, no database.

Input: ``{"point": {"h": 25, "hh": 50, "l": null, "ll": null, "deadband": 2, "on_delay_s": 10,
"off_delay_s": 0, "offline_after_s": 60}, "readings": [{"ts": <epoch ms>, "v": 26.1, "q": 0}], "until": <epoch ms>}``;
output: ``{"events": [{"ts": <epoch ms>, "event": "raised|changed|cleared|…", "level": "H|HH|L|LL|null"}]}``.
"""

from __future__ import annotations

import math
from typing import Any

from anjian.domain.alarm_rules import PointRules, replay

__all__ = ["ReplayInputError", "rules_from_json", "run_replay"]

MAX_READINGS = 1_000_000


class ReplayInputError(ValueError):
    """The input document is not a valid replay request (message in Chinese)."""


def _number(value: Any, where: str, *, optional: bool = True) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReplayInputError(f"{where} 应为数字")
    if not math.isfinite(value):
        raise ReplayInputError(f"{where} 不能是 NaN 或无穷大")
    return float(value)


def _epoch_ms(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ReplayInputError(f"{where} 应为毫秒时间戳（整数）")
    return int(value)


def rules_from_json(point: Any) -> PointRules:
    """Build the rules from the ``point`` object of the input."""
    if not isinstance(point, dict):
        raise ReplayInputError("point 应为对象")
    rules = PointRules(
        h=_number(point.get("h"), "point.h"),
        hh=_number(point.get("hh"), "point.hh"),
        l=_number(point.get("l"), "point.l"),
        ll=_number(point.get("ll"), "point.ll"),
        deadband=_number(point.get("deadband"), "point.deadband") or 0.0,
        on_delay_s=_number(point.get("on_delay_s"), "point.on_delay_s") or 0.0,
        off_delay_s=_number(point.get("off_delay_s"), "point.off_delay_s") or 0.0,
        offline_after_s=_number(point.get("offline_after_s"), "point.offline_after_s"),
        roc_per_s=_number(point.get("roc_per_s"), "point.roc_per_s"),
    )
    problems = rules.problems()
    if problems:
        raise ReplayInputError("；".join(problems))
    return rules


def run_replay(doc: Any) -> dict[str, Any]:
    """Validate ``doc`` and return ``{"events": [...]}``."""
    if not isinstance(doc, dict):
        raise ReplayInputError("输入应为 JSON 对象")
    rules = rules_from_json(doc.get("point"))
    raw = doc.get("readings")
    if not isinstance(raw, list):
        raise ReplayInputError("readings 应为数组")
    if len(raw) > MAX_READINGS:
        raise ReplayInputError(f"readings 最多 {MAX_READINGS} 条")
    readings: list[tuple[int, float, int]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ReplayInputError(f"readings[{i}] 应为对象")
        q = item.get("q", 0)
        if isinstance(q, bool) or not isinstance(q, int):
            raise ReplayInputError(f"readings[{i}].q 应为整数")
        v = _number(item.get("v"), f"readings[{i}].v", optional=False)
        assert v is not None
        readings.append((_epoch_ms(item.get("ts"), f"readings[{i}].ts"), v, q))
    until_raw = doc.get("until")
    until = None if until_raw is None else _epoch_ms(until_raw, "until")
    events = replay(rules, readings, until=until)
    return {"events": [{"ts": ts, "event": name, "level": level} for ts, name, level in events]}
