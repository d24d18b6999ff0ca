"""``anjian calc lec`` and ``anjian calc ls``: the risk grading of ``anjian.domain.risk_matrix`` for scripts.

``anjian calc lec --l 6 --e 6 --c 7 --json`` prints ``{"score": 252, "level": "较大", "colour": "橙"}``;
``anjian calc ls --l 4 --s 5 --json`` prints ``{"score": 20, "level": "重大", "colour": "红"}``. The zone's
band edges (settings page) apply; ``--default-bands`` uses the reference's defaults instead.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from anjian.core.calculators import Calculator, register_calculator
from anjian.domain import risk_matrix

__all__ = ["register"]


def _bands(options: dict[str, Any]) -> risk_matrix.Bands:
    if options.get("default_bands"):
        return risk_matrix.DEFAULT_BANDS
    try:
        from anjian.risks.models import current_bands

        return current_bands()
    except Exception:  # no database (e.g. before migrate): the reference's defaults
        return risk_matrix.DEFAULT_BANDS


def _print(result: risk_matrix.RiskResult | None, error: str, options: dict[str, Any], stdout: Any) -> int:
    if result is None:
        stdout.write(
            (json.dumps({"error": error}, ensure_ascii=False) if options.get("json") else error) + "\n"
        )
        return 2
    if options.get("json"):
        stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    else:
        data = result.as_json()
        stdout.write(f"{data['score']} {data['level']}风险（{data['colour']}）：{result.danger}\n")
    return 0


def _lec_args(parser: argparse.ArgumentParser) -> None:
    parser.description = "LEC 法：D = L × E × C（作业条件危险性分析法）。"
    parser.add_argument("--l", required=True, help="L 事故发生的可能性（10/6/3/1/0.5/0.2/0.1）")
    parser.add_argument("--e", required=True, help="E 暴露频繁程度（10/6/3/2/1/0.5）")
    parser.add_argument("--c", required=True, help="C 后果（100/40/15/7/3/1）")
    parser.add_argument("--json", action="store_true", help='print {"score", "level", "colour"} as JSON')
    parser.add_argument("--default-bands", action="store_true", help="use the reference's default band edges")


def _lec_run(options: dict[str, Any], stdin: TextIO, stdout: Any) -> int:
    try:
        result = risk_matrix.assess_lec(options["l"], options["e"], options["c"], _bands(options))
    except risk_matrix.RiskScaleError as exc:
        return _print(None, str(exc), options, stdout)
    return _print(result, "", options, stdout)


def _ls_args(parser: argparse.ArgumentParser) -> None:
    parser.description = "风险矩阵法：R = L × S（5 × 5）。"
    parser.add_argument("--l", required=True, help="L 可能性 1–5")
    parser.add_argument("--s", required=True, help="S 严重程度 1–5")
    parser.add_argument("--json", action="store_true", help='print {"score", "level", "colour"} as JSON')
    parser.add_argument("--default-bands", action="store_true", help="use the reference's default band edges")


def _ls_run(options: dict[str, Any], stdin: TextIO, stdout: Any) -> int:
    try:
        result = risk_matrix.assess_ls(options["l"], options["s"], _bands(options))
    except risk_matrix.RiskScaleError as exc:
        return _print(None, str(exc), options, stdout)
    return _print(result, "", options, stdout)


def register() -> None:
    """Register ``lec`` and ``ls`` with ``anjian calc``."""
    register_calculator(Calculator("lec", "LEC 法风险评价（D = L×E×C）", _lec_args, _lec_run))
    register_calculator(Calculator("ls", "风险矩阵法评价（R = L×S）", _ls_args, _ls_run))
