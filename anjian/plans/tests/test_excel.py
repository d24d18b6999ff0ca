"""Excel: the task breakdown export by unit, and the report import (validate all, save valid, report bad)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.plans.excel import REPORT_IMPORT_COLUMNS, export_tasks, import_reports, workbook_bytes
from anjian.plans.models import ProgressReport
from anjian.plans.selectors import visible_tasks

pytestmark = pytest.mark.django_db


def workbook(rows: list[list]) -> bytes:
    """An .xlsx with the report-import header and ``rows``."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(REPORT_IMPORT_COLUMNS))
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_export_lists_tasks_with_units_targets_and_deadlines(small_plan, committee_user):
    # when the office exports the whole plan
    wb = load_workbook(
        io.BytesIO(workbook_bytes(export_tasks(visible_tasks(committee_user).prefetch_related("targets"))))
    )
    ws = wb["任务分解清单"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    # then a title row, a header row, and one row per task with its text, units by role, targets and deadlines
    assert "任务分解清单" in ws["A1"].value
    assert [c.value for c in ws[2]][3] == "任务内容"
    assert rows[0][:3] == ["1.1", "一、健全落实安全责任", "强化安全监管责任"]
    assert rows[0][4:] == [
        "应急管理局",
        "市场监督管理局、两镇",
        None,
        "规模以上企业安全生产标准化达标率不低于100%",
        "2025-12-31",
    ]
    assert rows[1][:3] == ["1.2", "一、健全落实安全责任", "严格执法检查"]
    assert rows[1][4:7] == [None, None, "综合执法局"]
    assert rows[1][8] == "规划期内（2025-12-31前）"
    assert ws.auto_filter.ref == "A2:I5"
    # and it prints like the zone's document: landscape, fitted to the width, title and header on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    # and one sheet per reporting unit
    assert "腾格里镇" in wb.sheetnames and "综合执法局" in wb.sheetnames
    assert [c.value for c in wb["综合执法局"]["A"][2:]] == ["1.2", "2.1"]


def test_export_filtered_by_unit(small_plan, committee_user, unit):
    wb = export_tasks(visible_tasks(committee_user), unit=unit("腾格里镇"))
    assert wb.sheetnames == ["任务分解清单", "腾格里镇"]
    assert [c.value for c in wb["任务分解清单"]["A"][2:]] == ["1.1", "2.1"]
    assert [c.value for c in wb["腾格里镇"]["E"][2:]] == ["配合单位", "配合单位"]


def test_import_saves_valid_rows_and_reports_bad_ones(small_plan, user_factory):
    # given a 综合执法局 user and a file with one good row and five bad ones
    user = user_factory(org="综合执法局")
    data = workbook(
        [
            ["1.2", "综合执法局", 2021, 1, "推进中", "开展专项执法检查30次。"],
            ["9.9", "综合执法局", 2021, 1, "推进中", "x"],
            ["1.2", "综合执法局", 2021, 2, "差不多", "x"],
            ["1.2", "应急管理局", 2021, 2, "已完成", "x"],
            ["1.2", "综合执法局", 2020, 4, "已完成", "x"],
            ["1.2", "综合执法局", "2021年", "第3季度", "已完成", ""],
        ]
    )
    # when imported
    report = import_reports(data, small_plan, acting_user=user)
    # then the good row is saved (audited once) and each bad row is reported with row, column and reason
    assert report.created == 1
    errors = {(e.row, e.column): e.reason for e in report.errors}
    assert errors[(3, "任务编号")] == "找不到任务“9.9”（或无权报送）"
    assert errors[(4, "状态")].startswith("“差不多”不在可选值中")
    assert errors[(5, "")] == "只能为本单位参与的任务报送进展"
    assert errors[(6, "")] == "2020年第4季度不在规划期内"
    assert errors[(7, "进展情况")] == "必填"
    assert ProgressReport.objects.get().text == "开展专项执法检查30次。"
    assert AuditEntry.objects.filter(event_type=AuditEvent.REPORT_SUBMITTED).count() == 1
    # when the same file is imported again; then nothing changes
    audits = AuditEntry.objects.count()
    again = import_reports(data, small_plan, acting_user=user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert AuditEntry.objects.count() == audits
