"""``anjian calc major-hazard``: GB 18218-2018 identification and grading of one unit, JSON in, JSON out.

``anjian calc major-hazard --json < unit.json`` where ``unit.json`` is
``{"population": 60, "substances": [{"name": "二氧化硫", "q": 200}, {"cas": "7782-50-5", "q": 3},
{"name": "某溶剂", "category": "W5.1", "q": 700}]}`` prints
``{"S": …, "is_major": true, "R": …, "grade": 3, "contributions": [{"substance", "q", "Q", "beta", "ratio"}]}``
(``R`` and ``grade`` null when the unit is not a 重大危险源). Bad input: exit status 2 and
``{"error": "…"}`` naming the substance. ``--explain`` adds α, sources and the explanation lines; without
``--json`` the explanation is printed as text. ``--file PATH`` reads a file instead of standard input.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from anjian.core.calculators import Calculator
from anjian.domain.gb18218 import IdentificationError, identify_unit, result_to_json

__all__ = ["CALCULATOR", "MAX_INPUT_BYTES"]

#: Refuse larger input before parsing it (a unit has tens of substances, not megabytes).
MAX_INPUT_BYTES = 1_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "按 GB 18218-2018 辨识一个生产/储存单元是否构成重大危险源并分级（从标准输入读取 JSON）。"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON (the stable shape)")
    parser.add_argument("--explain", action="store_true", help="add alpha, sources and explanation lines")
    parser.add_argument("--file", default=None, help="read the unit from this file instead of stdin")


def _error(stdout: Any, message: str, as_json: bool) -> int:
    stdout.write(json.dumps({"error": message}, ensure_ascii=False) if as_json else f"错误：{message}")
    return 2


def run(options: dict[str, Any], stdin: TextIO, stdout: Any) -> int:
    as_json = bool(options.get("json"))
    try:
        if options.get("file"):
            with open(options["file"], encoding="utf-8") as handle:
                text = handle.read(MAX_INPUT_BYTES + 1)
        else:
            text = stdin.read(MAX_INPUT_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        return _error(stdout, f"无法读取输入：{exc}", as_json)
    if len(text) > MAX_INPUT_BYTES:
        return _error(stdout, "输入过大（超过 1 MB）", as_json)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _error(stdout, f"输入不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）", as_json)
    try:
        result = identify_unit(data)
    except IdentificationError as exc:
        return _error(stdout, exc.message, as_json)
    if as_json:
        stdout.write(
            json.dumps(result_to_json(result, detailed=bool(options.get("explain"))), ensure_ascii=False)
        )
    else:
        for part in result.contributions:
            stdout.write(part.explanation)
        for line in result.explanation:
            stdout.write(line)
    return 0


CALCULATOR = Calculator("major-hazard", "GB 18218-2018 重大危险源辨识与分级（JSON 输入）", add_arguments, run)
