"""``anjian calc accident-grade``: the 国务院令第493号 grade of an accident, for scripts.

``anjian calc accident-grade --deaths 3 --injuries 0 --loss-cny 0 --json`` prints
``{"grade": "较大", "by": "deaths", …}`` (see :meth:`anjian.domain.accident_grade.GradeResult.as_dict`);
without ``--json`` the Chinese explanation. Bad numbers print ``{"error": "…"}`` and exit 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from anjian.core.calculators import Calculator
from anjian.domain.accident_grade import grade_accident

__all__ = ["ACCIDENT_GRADE"]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "按《生产安全事故报告和调查处理条例》（国务院令第493号）第三条确定事故等级。"
    parser.add_argument("--deaths", default="0", help="死亡人数")
    parser.add_argument("--injuries", default="0", help="重伤人数（含急性工业中毒）")
    parser.add_argument("--loss-cny", dest="loss_cny", default="0", help="直接经济损失（元）")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _run(options: dict[str, Any], stdin: TextIO, stdout: Any) -> int:
    try:
        result = grade_accident(options["deaths"], options["injuries"], options["loss_cny"])
    except ValueError as exc:
        if options.get("json"):
            stdout.write(json.dumps({"error": str(exc)}, ensure_ascii=False))
        else:
            stdout.write(str(exc))
        return 2
    if options.get("json"):
        stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        stdout.write(result.explanation())
    return 0


ACCIDENT_GRADE = Calculator("accident-grade", "事故等级（国务院令第493号）", _add_arguments, _run)
