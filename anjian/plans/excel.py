"""Excel for the plans app: the task breakdown (任务分解清单) export and the progress-report import."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from anjian.core.access import restrict
from anjian.core.excel import (
    CellError,
    Column,
    ImportReport,
    ImportRow,
    Sheet,
    import_rows,
    parse_int,
    safe_append,
    template,
)
from anjian.domain.org_names import normalize_name
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import ReportStatus, TaskRole
from anjian.plans.models import Plan, PlanTask, ProgressReport
from anjian.plans.selectors import (
    current_quarter,
    filing_units_for,
    quarter_in_plan,
    report_due_date,
    reporting_units,
)

__all__ = [
    "EXPORT_COLUMNS",
    "REPORT_IMPORT_COLUMNS",
    "export_tasks",
    "import_reports",
    "report_sheet",
    "report_template",
    "workbook_bytes",
]

EXPORT_COLUMNS = ("编号", "章节", "任务", "任务内容", "牵头单位", "配合单位", "责任单位", "指标", "完成时限")
UNIT_SHEET_COLUMNS = ("编号", "章节", "任务", "任务内容", "本单位角色", "牵头单位", "指标", "完成时限")
#: The title row above the header; the header is row 2 and tasks start at row 3.
HEADER_ROW = 2
REPORT_IMPORT_COLUMNS = ("任务编号", "单位", "年度", "季度", "状态", "进展情况")

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TITLE_FONT = Font(bold=True, size=14)
_WIDTHS = {
    "编号": 7,
    "章节": 22,
    "任务": 34,
    "牵头单位": 18,
    "配合单位": 26,
    "责任单位": 18,
    "本单位角色": 14,
    "任务内容": 60,
    "指标": 44,
    "完成时限": 14,
}


def _names(task: PlanTask, role: str) -> str:
    return "、".join(u.name for u in task.units_with_role(role))


def _targets(task: PlanTask) -> str:
    return "\n".join(f"{t.indicator}{t.goal_display}" for t in task.targets.all())


def _deadline(task: PlanTask) -> str:
    dates = sorted({t.deadline for t in task.targets.all() if t.deadline})
    if dates:
        return "\n".join(d.isoformat() for d in dates)
    return f"规划期内（{task.plan.period_end.isoformat()}前）"


def _chapter(task: PlanTask) -> str:
    return f"{task.chapter}、{task.chapter_title}"


def _sheet(
    wb: Workbook, title: str, columns: Iterable[str], rows: list[list[Any]], *, heading: str = ""
) -> None:
    """One sheet laid out like the zone's printed 任务分解清单: a title row, a header row, one row per task,
    printed landscape on A4, fitted to the page width, with the title and header repeated on every page."""
    ws = wb.create_sheet(title=_sheet_title(title, wb))
    columns = list(columns)
    safe_append(ws, [heading or title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(row=1, column=1).font = _TITLE_FONT
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    safe_append(ws, columns)
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row in rows:
        safe_append(ws, row)
    for index, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 14)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for cell in row:
            cell.alignment = _WRAP
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _sheet_title(title: str, wb: Workbook) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in wb.sheetnames:
        candidate = f"{clean[:28]}-{n}"
        n += 1
    return candidate


def export_tasks(
    tasks: Iterable[PlanTask], *, unit: OrgUnit | None = None, per_unit: bool = True
) -> Workbook:
    """The task breakdown: sheet "任务分解清单" (one row per task), then one sheet per unit with its tasks.

    ``tasks`` must already be scoped to the user; prefetch ``units__unit__members`` and ``targets``.
    With ``unit`` only that unit's tasks (directly or through a group) and its own sheet are written.
    """
    tasks = list(tasks)
    by_unit: dict[OrgUnit, list[tuple[PlanTask, list[str]]]] = {}
    for task in tasks:
        for member, roles in reporting_units(task).items():
            by_unit.setdefault(member, []).append((task, roles))
    if unit is not None:
        tasks = [t for t, _roles in by_unit.get(unit, [])]
        by_unit = {unit: by_unit.get(unit, [])}
    wb = Workbook()
    wb.remove(wb.active)
    rows = [
        [
            t.code,
            _chapter(t),
            t.title,
            t.text,
            _names(t, TaskRole.LEAD),
            _names(t, TaskRole.COOPERATING),
            _names(t, TaskRole.RESPONSIBLE),
            _targets(t),
            _deadline(t),
        ]
        for t in tasks
    ]
    plan_title = tasks[0].plan.title if tasks else ""
    _sheet(wb, "任务分解清单", EXPORT_COLUMNS, rows, heading=f"{plan_title}任务分解清单")
    if per_unit:
        for member in sorted(by_unit, key=lambda u: (u.kind, u.code)):
            unit_rows = [
                [
                    t.code,
                    _chapter(t),
                    t.title,
                    t.text,
                    "、".join(str(TaskRole(r).label) for r in roles),
                    _names(t, TaskRole.LEAD) or _names(t, TaskRole.RESPONSIBLE),
                    _targets(t),
                    _deadline(t),
                ]
                for t, roles in by_unit[member]
            ]
            _sheet(
                wb,
                member.name,
                UNIT_SHEET_COLUMNS,
                unit_rows,
                heading=f"{plan_title}任务分解清单（{member.name}）",
            )
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------
# Progress-report import (任务编号, 单位, 年度, 季度, 状态, 进展情况)
# ---------------------------------------------------------------------------------------------------


def _parse_quarter(value: Any) -> int:
    text = str(value).strip().upper()
    match = re.fullmatch(r"(?:第)?\s*([1-4一二三四])\s*(?:季度)?|Q([1-4])", text)
    if match:
        digit = match.group(1) or match.group(2)
        return int("一二三四".index(digit) + 1) if digit in "一二三四" else int(digit)
    raise CellError(f"“{value}”不是有效季度，应填1至4")


def _parse_year(value: Any) -> int:
    text = str(value).strip().removesuffix("年") if isinstance(value, str) else value
    year = parse_int(text)
    if not 2000 <= year <= 2100:
        raise CellError(f"“{value}”不是有效年度")
    return year


def _unit_parser(value: Any) -> OrgUnit:
    name = normalize_name(str(value or ""))
    unit = OrgUnit.objects.filter(name=name).first() or OrgUnit.objects.filter(aliases__name=name).first()
    if unit is None:
        raise CellError(f"找不到单位“{value}”")
    return unit


def report_sheet(plan: Plan, user: Any) -> Sheet:
    """The sheet spec of the report import; task codes resolve within ``plan`` and the user's scope."""
    tasks = restrict(PlanTask.objects.filter(plan=plan).select_related("plan"), user)

    def task_parser(value: Any) -> PlanTask:
        code = str(value).strip()
        if isinstance(value, float):
            code = f"{value:g}"
        task = tasks.filter(code=code).first()
        if task is None:
            raise CellError(f"找不到任务“{code}”（或无权报送）")
        return task

    return Sheet(
        title="进展报告",
        model=ProgressReport,
        key=("task", "unit", "year", "quarter"),
        help_text="每行一份季度进展报告：只能为本单位参与的任务报送；已过报送期限的报告不能再修改。",
        columns=(
            Column(
                "任务编号",
                "task",
                required=True,
                parse=task_parser,
                value=lambda r: r.task.code,
                width=10,
                help="如 2.3",
            ),
            Column(
                "单位",
                "unit",
                required=True,
                parse=_unit_parser,
                value=lambda r: r.unit.name,
                width=20,
                help="本单位名称或简称",
            ),
            Column("年度", "year", required=True, parse=_parse_year, kind="int", width=8),
            Column("季度", "quarter", required=True, parse=_parse_quarter, kind="int", width=8, help="1至4"),
            Column("状态", "status", required=True, choices=ReportStatus.choices, width=10),
            Column("进展情况", "text", required=True, width=60),
        ),
    )


def report_template(plan: Plan, user: Any) -> bytes:
    """An empty report-import workbook with a 填写说明 sheet and a status dropdown."""
    return template(
        report_sheet(plan, user),
        example={
            "任务编号": "2.3",
            "单位": "应急管理局",
            "年度": 2024,
            "季度": 3,
            "状态": "推进中",
            "进展情况": "完成12家企业标准化复评，3家企业整改中。",
        },
    )


def import_reports(file: Any, plan: Plan, *, acting_user: Any) -> ImportReport:
    """Validate the whole file, then file every valid row through ``do_submit_report`` (one audit row each)."""
    from anjian.plans.actions import do_submit_report

    spec = report_sheet(plan, acting_user)
    today = timezone.localdate()

    def lookup(values: dict[str, Any]) -> ProgressReport | None:
        return ProgressReport.objects.filter(
            task=values["task"],
            unit=values["unit"],
            year=values["year"],
            quarter=values["quarter"],
        ).first()

    def prepare(obj: ProgressReport, values: dict[str, Any], created: bool) -> None:
        if created:
            obj.due_date = report_due_date(obj.year, obj.quarter)
            obj.submitted_at = timezone.now()

    def can_change(obj: ProgressReport, created: bool) -> str | None:
        if obj.unit not in filing_units_for(obj.task, acting_user):
            return "只能为本单位参与的任务报送进展"
        if not quarter_in_plan(obj.task.plan, obj.year, obj.quarter):
            return f"{obj.year}年第{obj.quarter}季度不在规划期内"
        if (obj.year, obj.quarter) > current_quarter(today):
            return "不能报送尚未开始的季度"
        if not created:
            stored = ProgressReport.objects.only("status", "text").get(pk=obj.pk)
            if (stored.status, stored.text) == (obj.status, obj.text):
                return None  # unchanged: reported as such, never refused
        if not created and today > obj.due_date:
            return f"已过报送期限（{obj.due_date}），不能再修改该季度报告"
        return None

    def save_row(row: ImportRow) -> None:
        v = row.values
        do_submit_report(
            v["task"],
            v["unit"],
            v["year"],
            v["quarter"],
            status=v["status"],
            text=v["text"],
            acting_user=acting_user,
            reason=f"Excel 导入第{row.row}行",
        )

    return import_rows(
        file,
        spec,
        acting_user=acting_user,
        lookup=lookup,
        prepare=prepare,
        can_change=can_change,
        save_row=save_row,
    )
