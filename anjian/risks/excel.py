"""Excel of the risk register: the three lists (export) and an import of the whole chain, one row per measure.

The import uses ``core.excel``'s column specs, parsers, template and ``ImportReport`` and follows its rules:
every row is validated first (cells, the enterprise in the user's change scope, the assessment on its
scale), then the valid rows are saved in one transaction, each in a savepoint; a row that changes
nothing is counted unchanged and not audited; rejected rows come back as (row, column, reason).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from anjian.core.access import restrict
from anjian.core.errors import AnjianError
from anjian.core.excel import (
    MAX_ROWS,
    CellError,
    Column,
    ImportReport,
    Sheet,
    UploadRefused,
    check_xlsx_upload,
    parse_bool,
    parse_text,
    safe_append,
)
from anjian.domain import risk_matrix
from anjian.risks.actions import do_import_chain_row, do_record_register_import
from anjian.risks.choices import AssessMethod, MeasureKind, ObjectKind
from anjian.risks.models import ControlMeasure, current_bands

__all__ = ["CHAIN_SHEET", "import_chain", "three_lists_xlsx"]

METHOD_CHOICES = [("lec", "LEC"), ("ls", "风险矩阵")]

CHAIN_SHEET = Sheet(
    title="风险清单导入",
    model=ControlMeasure,
    columns=(
        Column("统一社会信用代码", "uscc", required=True, width=22, help="企业的18位统一社会信用代码"),
        Column("风险分析对象", "object_name", required=True, width=20),
        Column("对象编码", "object_code", help="危险源编码（可空）"),
        Column("对象类型", "object_kind", choices=ObjectKind.choices),
        Column("构成重大危险源", "is_major_hazard", kind="bool", help="是/否"),
        Column("责任部门", "department"),
        Column("风险分析单元", "unit_name", required=True, width=20),
        Column("岗位", "post"),
        Column("风险事件", "event_name", required=True, width=20),
        Column("可能导致的后果", "consequence", width=20),
        Column("评价方法", "method", choices=METHOD_CHOICES, help="LEC 或 风险矩阵；不评价可空"),
        Column("L", "l", help="LEC：10/6/3/1/0.5/0.2/0.1；风险矩阵：1–5"),
        Column("E", "e", help="仅 LEC：10/6/3/2/1/0.5"),
        Column("C或S", "c", help="LEC 的 C：100/40/15/7/3/1；风险矩阵的 S：1–5"),
        Column("管控方式", "kind", required=True, choices=MeasureKind.choices),
        Column("管控措施", "description", required=True, width=30),
        Column("隐患排查内容", "check_content", width=30),
    ),
    help_text="每行一条管控措施；同一企业下同名的对象、单元、事件会合并。评价值变化时追加一条评价记录（保留历史）。",
)


@dataclass
class _Row:
    row: int
    enterprise: Any
    v: dict[str, Any]
    assessment: risk_matrix.RiskResult | None


def _header(ws: Any) -> tuple[dict[int, Column], list[str]]:
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    by_header = {c.header: c for c in CHAIN_SHEET.columns}
    mapping: dict[int, Column] = {}
    for idx, raw in enumerate(first):
        column = by_header.get(parse_text(raw).rstrip("*").strip())
        if column is not None and column not in mapping.values():
            mapping[idx] = column
    missing = [c.header for c in CHAIN_SHEET.columns if c.required and c not in mapping.values()]
    return mapping, missing


def import_chain(data: bytes, *, acting_user: Any) -> ImportReport:
    """Import object → unit → event → measure rows (see the module docstring)."""
    from anjian.enterprises.models import Enterprise

    report = ImportReport()
    try:
        # Bounded before it is parsed (size, unpacked size, compression ratio), as every import.
        data = check_xlsx_upload(data)
    except UploadRefused as exc:
        report.add_error(0, "", exc.message)
        return report
    try:
        # Formulas are kept (not their cached values) so that a formula cell is refused by name.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        ws = wb[CHAIN_SHEET.title] if CHAIN_SHEET.title in wb.sheetnames else wb.worksheets[0]
        mapping, missing = _header(ws)
    except Exception:  # any unreadable upload is one file-level error
        report.add_error(0, "", _("文件无法读取，请上传 .xlsx 格式的 Excel 文件"))
        return report
    if missing:
        report.add_error(1, "", _("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
        return report
    allowed = restrict(Enterprise.objects.all(), acting_user, "change")
    bands = current_bands()
    rows: list[_Row] = []
    for row_no, row_cells in enumerate(ws.iter_rows(min_row=2), start=2):
        cells = tuple(getattr(c, "value", None) for c in row_cells)
        formulas = {i for i, c in enumerate(row_cells) if getattr(c, "data_type", None) == "f"}
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        report.total_rows += 1
        if report.total_rows > MAX_ROWS:
            report.errors = []
            report.add_error(0, "", _("文件超过 %(max)d 行，请分批导入") % {"max": MAX_ROWS})
            report.total_rows = 0
            return report
        v: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for idx, column in mapping.items():
            raw = cells[idx] if idx < len(cells) else None
            if idx in formulas:
                errors.append((column.header, _("单元格是公式，请复制后“粘贴为数值”再导入")))
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if column.required:
                    errors.append((column.header, _("必填")))
                v[column.field] = False if column.kind == "bool" else ""
                continue
            try:
                v[column.field] = column.parse_cell(raw) if column.kind != "bool" else parse_bool(raw)
            except CellError as exc:
                errors.append((column.header, str(exc)))
        enterprise = None
        if not errors:
            enterprise = allowed.filter(uscc=str(v["uscc"]).strip().upper()).first()
            if enterprise is None:
                errors.append(("统一社会信用代码", _("找不到该企业，或无权修改其风险清单")))
        assessment = None
        if not errors and v.get("method"):
            try:
                if v["method"] == AssessMethod.LEC:
                    assessment = risk_matrix.assess_lec(
                        v.get("l") or "?", v.get("e") or "?", v.get("c") or "?", bands
                    )
                else:
                    assessment = risk_matrix.assess_ls(v.get("l") or "?", v.get("c") or "?", bands)
            except risk_matrix.RiskScaleError as exc:
                errors.append(("评价方法", str(exc)))
        for col, reason in errors:
            report.add_error(row_no, col, reason)
        if not errors:
            rows.append(_Row(row_no, enterprise, v, assessment))
    if report.total_rows == 0:
        report.add_error(0, "", _("文件中没有数据行：表头下面的行都是空的"))
        return report
    with transaction.atomic():
        for item in rows:
            try:
                with transaction.atomic():
                    created, changed = do_import_chain_row(
                        item.enterprise, item.v, item.assessment, acting_user=acting_user
                    )
            except (AnjianError, IntegrityError) as exc:
                report.add_error(item.row, "", getattr(exc, "message", _("与已有数据冲突")))
                continue
            if created:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
    if rows:
        do_record_register_import(
            rows[0].enterprise,
            f"新建 {report.created}，更新 {report.updated}，未变 {report.unchanged}，拒绝 {report.rejected}",
            acting_user=acting_user,
        )
    return report


def three_lists_xlsx(title: str, lists: tuple[list[list[str]], list[list[str]], list[list[str]]]) -> bytes:
    """The three lists, one sheet each, in the zone's filing shape (title row, header, rows)."""
    from anjian.risks.pdf import LIST_TITLES

    wb = Workbook()
    wb.remove(wb.active)
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for name, rows in zip(LIST_TITLES, lists, strict=True):
        ws = wb.create_sheet(name[:31].replace("（", "(").replace("）", ")"))
        safe_append(ws, [f"{title}　{name}"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        for r in rows:
            safe_append(ws, r)
        for cell in ws[2]:
            cell.font, cell.fill = head_font, head_fill
        for idx in range(1, len(rows[0]) + 1):
            ws.column_dimensions[chr(64 + idx)].width = 8 if idx == 1 else 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
