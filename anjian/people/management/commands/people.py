"""``anjian people export|import|template|expiring|metrics``: the people registers on the command line.

* ``anjian people export persons|certificates|trainings FILE --user USERNAME`` writes what that user sees;
* ``anjian people import REGISTER FILE --user USERNAME [--json]`` imports as that user (same validation,
  scope and audit as the page) and prints the report; exit status 1 when a row was rejected;
* ``anjian people template REGISTER FILE`` writes the empty import template;
* ``anjian people expiring --user USERNAME [--days 30|60|90] [--json]`` lists certificates about to expire;
* ``anjian people metrics [--as-of YYYY-MM-DD] [--json]`` prints the four people metrics.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from anjian.people.constants import EXPIRING_WINDOWS

METRIC_KEYS = (
    "people.three_types_certified_rate",
    "people.enforcement_qualified_rate",
    "people.special_training_coverage",
    "people.leader_rotation_rate",
)
REGISTER_CHOICES = ("persons", "certificates", "trainings")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _user(username: str) -> Any:
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"用户不存在：{username}") from exc


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


class Command(BaseCommand):
    help = "人员证书：导出（export）、导入（import）、模板（template）、到期证书（expiring）、指标（metrics）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        p_export = sub.add_parser("export", help="导出该用户可见的台账为 .xlsx")
        p_export.add_argument("register", choices=REGISTER_CHOICES)
        p_export.add_argument("file")
        p_export.add_argument("--user", required=True, help="以该用户的可见范围导出")

        p_import = sub.add_parser("import", help="从 .xlsx 导入台账（先校验整个文件，无效行逐行报告）")
        p_import.add_argument("register", choices=REGISTER_CHOICES)
        p_import.add_argument("file")
        p_import.add_argument("--user", required=True, help="以该用户名义导入（决定可修改范围并记入审计）")
        p_import.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON 报告")

        p_template = sub.add_parser("template", help="生成导入模板")
        p_template.add_argument("register", choices=REGISTER_CHOICES)
        p_template.add_argument("file")

        p_expiring = sub.add_parser("expiring", help="列出即将到期的证书")
        p_expiring.add_argument("--user", required=True)
        p_expiring.add_argument("--days", type=int, choices=EXPIRING_WINDOWS, default=EXPIRING_WINDOWS[0])
        p_expiring.add_argument("--json", dest="as_json", action="store_true")

        p_metrics = sub.add_parser("metrics", help="计算人员相关指标")
        p_metrics.add_argument("--as-of", type=_date, help="统计日期（默认今天）")
        p_metrics.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_export(self, *, register: str, file: str, user: str, **_: Any) -> None:
        from anjian.people import excel
        from anjian.people.access import visible_rows

        acting = _user(user)
        rows = visible_rows(register, acting)
        with Path(file).open("wb") as out:
            count = excel.export_file(register, rows, acting, out)
        self.stdout.write(f"已导出 {count} 行到 {file}")

    def handle_import(self, *, register: str, file: str, user: str, as_json: bool, **_: Any) -> None:
        from anjian.people import excel

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        report = excel.import_file(register, path.read_bytes(), acting_user=_user(user))
        if as_json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self.stdout.write(report.summary())
            for error in sorted(report.errors, key=lambda e: (e.row, e.column)):
                self.stdout.write(f"第{error.row}行 {error.column or '—'}：{error.reason}")
        if not report.ok:
            raise SystemExit(1)

    def handle_template(self, *, register: str, file: str, **_: Any) -> None:
        from anjian.people import excel

        # Lookups are not used to write a template, so no user is needed.
        Path(file).write_bytes(excel.template_bytes(register))
        self.stdout.write(f"已生成模板 {file}")

    def handle_expiring(self, *, user: str, days: int, as_json: bool, **_: Any) -> None:
        from anjian.people.access import visible_certificates

        today = timezone.localdate()
        certs = (
            visible_certificates(_user(user))
            .of_active_people()
            .current()
            .expiring_within(today, days)
            .order_by("expires_on", "id")
        )
        rows = [
            {
                "person": c.person.name,
                "employer": str(c.person.employer or ""),
                "kind": c.get_kind_display(),
                "number": c.number,
                "expires_on": c.expires_on,
                "days_left": c.days_left(today),
            }
            for c in certs
        ]
        if as_json:
            self.stdout.write(_dumps(rows))
            return
        for r in rows:
            self.stdout.write(
                f"{r['expires_on']}  剩{r['days_left']:>3}天  {r['person']}  {r['employer']}  "
                f"{r['kind']} {r['number']}"
            )
        self.stdout.write(f"共 {len(rows)} 本证书将在 {days} 天内到期")

    def handle_metrics(self, *, as_of: dt.date | None, as_json: bool, **_: Any) -> None:
        from anjian.core.metrics import compute, get

        day = as_of or timezone.localdate()
        out = []
        for key in METRIC_KEYS:
            value = compute(key, day)
            definition = get(key)
            assert value is not None and definition is not None
            out.append(
                {
                    "key": key,
                    "label": definition.label,
                    "value": value.value,
                    "numerator": value.numerator,
                    "denominator": value.denominator,
                    "detail": value.detail,
                }
            )
        if as_json:
            self.stdout.write(_dumps({"as_of": day, "metrics": out}))
            return
        for m in out:
            shown = "—" if m["value"] is None else f"{m['value']}%"
            self.stdout.write(f"{m['label']}：{shown}（{m['numerator']}/{m['denominator']}）")
