"""``anjian assessment run YEAR`` / ``anjian assessment show YEAR [--unit NAME] [--json]``.

``run`` computes the year's assessment (``--create`` makes the scheme with the default rules first);
``show`` prints the ranked results, or one unit's lines explained, as text or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anjian.assessment import actions
from anjian.assessment.models import AssessmentResult, AssessmentScheme
from anjian.core.errors import AnjianError
from anjian.orgs.models import OrgUnit


def _result_json(result: AssessmentResult) -> dict[str, Any]:
    return {
        "year": result.scheme.year,
        "unit": result.unit.name,
        "rank": result.rank,
        "total": str(result.total),
        "max_points": str(result.max_points),
        "grade": result.grade,
        "grade_label": result.get_grade_display(),
        "vetoed": result.vetoed,
        "veto_reason": result.veto_reason,
        "summary": result.summary,
        "lines": result.lines,
        "checks": result.checks,
    }


class Command(BaseCommand):
    help = "Yearly assessment: run YEAR | show YEAR [--unit NAME] [--json]（年度考核：计算、查看）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="compute the year's results")
        run.add_argument("year", type=int)
        run.add_argument("--as-of", type=dt.date.fromisoformat, help="data cut-off date (YYYY-MM-DD)")
        run.add_argument(
            "--create", action="store_true", help="create the scheme with default rules if missing"
        )
        show = sub.add_parser("show", help="print the year's results or one unit's lines")
        show.add_argument("year", type=int)
        show.add_argument("--unit", help="unit name or alias")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        from anjian.core.system import system_user

        scheme = AssessmentScheme.objects.filter(year=opts["year"]).first()
        try:
            if opts["subcommand"] == "run":
                if scheme is None and opts["create"]:
                    scheme = actions.do_create_scheme(opts["year"], acting_user=system_user())
                if scheme is None:
                    raise CommandError(f"{opts['year']} 年度没有考核方案（加 --create 以默认规则新建）")
                actions.do_run_assessment(scheme, acting_user=system_user(), as_of=opts["as_of"])
                scheme.refresh_from_db()
                self._print_table(scheme)
                return
        except AnjianError as exc:
            raise CommandError(exc.message) from exc
        if scheme is None:
            raise CommandError(f"{opts['year']} 年度没有考核方案")
        results = AssessmentResult.objects.filter(scheme=scheme).select_related("scheme", "unit")
        if opts["unit"]:
            unit = (
                OrgUnit.objects.filter(name=opts["unit"]).first()
                or OrgUnit.objects.filter(aliases__name=opts["unit"]).first()
            )
            result = results.filter(unit=unit).first() if unit is not None else None
            if result is None:
                raise CommandError(f"{opts['year']} 年度没有“{opts['unit']}”的考核结果")
            if opts["json"]:
                self.stdout.write(json.dumps(_result_json(result), ensure_ascii=False, indent=2))
                return
            self.stdout.write(f"{result.unit.name} {scheme.year} 年度：{result.summary}")
            for line in result.lines:
                self.stdout.write(f"- {line['title']}：{line['explanation']}")
            for check in result.checks:
                self.stdout.write(f"- [否决条件] {check['title']}：{check['explanation']}")
            return
        if opts["json"]:
            self.stdout.write(json.dumps([_result_json(r) for r in results], ensure_ascii=False, indent=2))
            return
        self._print_table(scheme)

    def _print_table(self, scheme: AssessmentScheme) -> None:
        self.stdout.write(f"{scheme}（{scheme.state.label}，数据截至 {scheme.as_of or '—'}）")
        for r in AssessmentResult.objects.filter(scheme=scheme).select_related("unit"):
            veto = f"  一票否决：{r.veto_reason}" if r.vetoed else ""
            self.stdout.write(
                f"{r.rank:>3}  {r.unit.name:<14} {r.total:>6} 分  {r.get_grade_display()}{veto}"
            )
