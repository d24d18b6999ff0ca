"""``anjian calc``: calculators for scripts.

``anjian calc check-code --kind uscc|id|cas VALUE [--json]`` checks a 统一社会信用代码 (GB 32100-2015 with
the inner GB 11714 organisation-code check), a 公民身份号码 (GB 11643-1999, birth date included) or a CAS
number with the rules of ``anjian.domain.check_digits``.

Output: with ``--json`` one line ``{"valid": true|false, "message": "…"}`` (plus ``code``, ``normalized``
and, when known, ``position`` and ``expected``); without it the Chinese message. The exit status is 0
whenever the check ran, valid or not, so scripts read ``valid``; it is non-zero only for usage errors
(unknown kind, missing value).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anjian.core.calculators import calculators
from anjian.domain.check_digits import CHECKERS


class Command(BaseCommand):
    help = "计算器：校验统一社会信用代码、身份证号码、CAS号（check-code）。"

    def add_arguments(self, parser: CommandParser) -> None:
        # No prefix matching: ``calc ls --s 5`` must reach the sub-command, not match --settings/--skip-checks.
        parser.allow_abbrev = False
        sub = parser.add_subparsers(dest="calculator", required=True, metavar="CALCULATOR")
        check = sub.add_parser(
            "check-code",
            help="check a code's check character: uscc, id (resident ID) or cas",
            description="校验统一社会信用代码（uscc）、公民身份号码（id）或 CAS 号（cas）。",
        )
        check.add_argument("--kind", required=True, choices=sorted(CHECKERS), help="which rule to apply")
        check.add_argument("value", help="the code to check")
        check.add_argument("--json", action="store_true", help='print {"valid": …, "message": …} as JSON')
        # calculators that modules register (lec, ls, major-hazard, accident-grade, …)
        for calculator in calculators():
            calculator.add_arguments(sub.add_parser(calculator.name, help=calculator.help))

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["calculator"] == "check-code":
            self._check_code(opts["kind"], opts["value"], as_json=opts["json"])
            return
        for calculator in calculators():
            if calculator.name == opts["calculator"]:
                status = calculator.run(opts, sys.stdin, self.stdout)
                if status:
                    sys.exit(status)

    def _check_code(self, kind: str, value: str, *, as_json: bool) -> None:
        result = CHECKERS[kind](value)
        if as_json:
            body: dict[str, Any] = {
                "valid": result.valid,
                "message": result.message,
                "code": result.code,
                "normalized": result.normalized,
            }
            if result.position is not None:
                body["position"] = result.position
            if result.expected is not None:
                body["expected"] = result.expected
            self.stdout.write(json.dumps(body, ensure_ascii=False))
        else:
            self.stdout.write(result.message)
