"""``anjian plan parse|import|reports``: the plan text on the command line.

* ``anjian plan parse FILE --json`` prints the parser's JSON without touching the database;
* ``anjian plan import FILE`` stores the plan (idempotent; a revised text shows its diff and asks first);
* ``anjian plan reports --user USERNAME [--task 2.3]`` lists the progress reports that user may read.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = "规划文本：解析（parse）、导入（import）、查看进展报告（reports）"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        p_parse = sub.add_parser("parse", help="解析规划文本，不写数据库")
        p_parse.add_argument("file")
        p_parse.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")
        p_parse.add_argument(
            "--plan-end", type=_date, default=dt.date(2025, 12, 31), help="规划期末（默认2025-12-31）"
        )

        p_import = sub.add_parser("import", help="导入或修订规划")
        p_import.add_argument("file")
        p_import.add_argument("--code", help="规划编号（默认取文件名）")
        p_import.add_argument("--start", type=_date, help="规划期起始日期（默认从标题识别）")
        p_import.add_argument("--end", type=_date, help="规划期截止日期（默认从标题识别）")
        p_import.add_argument("--dry-run", action="store_true", help="只显示变更，不写入")
        p_import.add_argument(
            "--yes", "--no-input", "--noinput", dest="yes", action="store_true", help="不询问，直接应用变更"
        )
        p_import.add_argument("--user", help="以该用户名义记录审计（默认“系统”）")
        p_import.add_argument("--reason", default="", help="变更原因（写入审计）")

        p_reports = sub.add_parser("reports", help="列出某用户可见的进展报告")
        p_reports.add_argument("--user", required=True, help="用户名")
        p_reports.add_argument("--task", help="任务编号，如 2.3")
        p_reports.add_argument("--year", type=int)
        p_reports.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    # --- parse -------------------------------------------------------------------------------------

    def handle_parse(self, *, file: str, as_json: bool, plan_end: dt.date, **_: Any) -> None:
        from anjian.domain.plan_text import parse_plan, plan_to_json
        from anjian.orgs.seed import registry

        parsed = parse_plan(_read(file), registry(), plan_end=plan_end)
        if as_json:
            self.stdout.write(_dumps(plan_to_json(parsed)))
            return
        self.stdout.write(parsed.title)
        for task in parsed.tasks:
            units = "、".join(task.lead_units or task.responsible_units) or "—"
            self.stdout.write(f"{task.code:>5}  {task.title}（{units}；指标{len(task.targets)}项）")
        self.stdout.write(f"共{len(parsed.tasks)}项任务，{len(parsed.warnings)}条警告")
        for warning in parsed.warnings:
            self.stdout.write(f"[{warning.code}] {warning.message}")

    # --- import ------------------------------------------------------------------------------------

    def handle_import(
        self,
        *,
        file: str,
        code: str | None,
        start: dt.date | None,
        end: dt.date | None,
        dry_run: bool,
        yes: bool,
        user: str | None,
        reason: str,
        **options: Any,
    ) -> None:
        from anjian.core.system import acting_user_for_cli
        from anjian.orgs.models import registry_from_db
        from anjian.plans.actions import do_import_plan
        from anjian.plans.models import Plan
        from anjian.plans.plan_import import prepare_import

        text = _read(file)
        stem = Path(file).stem
        plan_code = code or slugify(stem) or "plan"
        if (start is None) != (end is None):
            raise CommandError("--start 和 --end 需同时指定")
        try:
            acting_user = acting_user_for_cli(user)
        except LookupError as exc:
            raise CommandError(f"用户不存在：{user}") from exc
        try:
            prepared = prepare_import(
                text,
                registry_from_db(),
                code=plan_code,
                period=(start, end) if start and end else None,
                hint=stem,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        plan_code = prepared.code
        if prepared.unchanged:
            self.stdout.write(f"规划“{prepared.plan}”（{plan_code}）已是最新，无需导入，未做任何修改。")
            return
        diff = prepared.diff
        if diff.is_new:
            self.stdout.write(
                f"将新建规划“{prepared.parsed.title}”（{plan_code}），"
                f"{prepared.period_start} 至 {prepared.period_end}，共{len(prepared.specs)}项任务。"
            )
            others = list(Plan.objects.values_list("code", flat=True))
            if others:
                self.stdout.write(
                    f"（已有规划：{'、'.join(others)}；如要修订其中之一，请用 --code 指定其编号）"
                )
        else:
            self.stdout.write(f"规划“{prepared.plan}”（{plan_code}）的变更：")
            for line in diff.lines() or ["（任务无变化，仅原文格式变化）"]:
                self.stdout.write(line)
        if prepared.parsed.warnings:
            self.stdout.write(f"解析警告{len(prepared.parsed.warnings)}条：")
            for warning in prepared.parsed.warnings:
                self.stdout.write(f"  [{warning.code}] {warning.message}")
        if dry_run:
            self.stdout.write("试运行（--dry-run），未写入。")
            return
        if not diff.is_new and not yes:
            answer = input("应用以上变更？[y/N] ") if options.get("interactive", True) else ""
            if answer.strip().lower() not in {"y", "yes", "是"}:
                self.stdout.write("已取消，未写入。")
                return
        outcome = do_import_plan(prepared, acting_user=acting_user, reason=reason)
        verb = "已导入" if outcome.created else "已修订"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}规划“{outcome.plan}”，共{outcome.plan.tasks.count()}项任务。")
        )

    # --- reports -----------------------------------------------------------------------------------

    def handle_reports(
        self, *, user: str, task: str | None, year: int | None, as_json: bool, **_: Any
    ) -> None:
        from anjian.core.access import restrict
        from anjian.orgs.models import User
        from anjian.plans.models import ProgressReport

        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"用户不存在：{user}")
        qs = restrict(ProgressReport.objects.select_related("task", "unit"), account)
        if task:
            qs = qs.filter(task__code=task)
        if year:
            qs = qs.filter(year=year)
        rows: list[dict[str, Any]] = [
            {
                "id": r.pk,
                "task": r.task.code,
                "unit": r.unit.name,
                "year": r.year,
                "quarter": r.quarter,
                "status": r.status,
                "status_label": r.get_status_display(),
                "is_late": r.is_late,
                "submitted_at": r.submitted_at.isoformat(),
                "text": r.text,
            }
            for r in qs.order_by("task__position", "year", "quarter", "unit__code")
        ]
        if as_json:
            self.stdout.write(_dumps(rows))
            return
        for row in rows:
            late = "（逾期）" if row["is_late"] else ""
            self.stdout.write(
                f"{row['task']:>5}  {row['year']}Q{row['quarter']}  {row['unit']}  "
                f"{row['status_label']}{late}  {row['text'][:40]}"
            )
        self.stdout.write(f"共{len(rows)}份报告（用户 {user} 可见）")


def _read(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"无法读取文件：{file}（{exc.strerror}）") from exc


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
