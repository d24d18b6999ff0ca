"""Excel sheets of the 重大危险源 register (installations and their inventories) through ``core.excel``.

Cells naming another object (the enterprise by its code, the installation by its number) are looked up
inside the importing user's scope. Rows are saved by the register's actions, so an import validates,
audits and re-grades exactly like the pages and the API; an inventory import re-grades each touched
installation once, after all its rows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anjian.core.access import restrict
from anjian.core.excel import CellError, Column, ImportReport, ImportRow, Sheet, import_rows, parse_text
from anjian.domain.check_digits import check_uscc
from anjian.enterprises.models import Enterprise
from anjian.majorhazards import actions
from anjian.majorhazards.choices import FilingStatus, InstallationStatus, PhysicalState, UnitKind
from anjian.majorhazards.models import HazardInstallation, InventoryLine

__all__ = ["import_installations", "import_inventory", "installation_sheet", "inventory_sheet"]


def _message(row: ImportRow) -> str:
    return _("Excel 导入第 %(row)d 行") % {"row": row.row}


def _may_change(obj: Any, user: Any) -> bool:
    return (
        obj.pk is not None and restrict(type(obj)._default_manager.filter(pk=obj.pk), user, "change").exists()
    )


def _enterprise_parser(user: Any) -> Any:
    def parse(value: Any) -> Enterprise:
        result = check_uscc(parse_text(value))
        if not result.valid:
            raise CellError(result.message)
        found = restrict(Enterprise.objects.all(), user).filter(uscc=result.normalized).first()
        if found is None:
            raise CellError(_("企业“%(code)s”不存在或无权查看") % {"code": result.normalized})
        return found

    return parse


def installation_sheet(user: Any) -> Sheet:
    """The 重大危险源 sheet for ``user``."""
    return Sheet(
        title="重大危险源",
        model=HazardInstallation,
        key=("code",),
        help_text=_(
            "每行一处重大危险源（生产单元或储存单元），以重大危险源编号识别：已有编号更新，新编号新建。"
            "等级由“危险化学品存量”表按 GB 18218-2018 自动计算，不能在此填写。备案情况由监管部门登记。"
        ),
        columns=(
            Column("重大危险源编号", "code", required=True, width=18),
            Column("名称", "name", required=True, width=24),
            Column(
                "企业统一社会信用代码",
                "enterprise",
                required=True,
                parse=_enterprise_parser(user),
                value=lambda i: i.enterprise.uscc,
                width=22,
            ),
            Column("单元类型", "unit_kind", required=True, choices=UnitKind.choices),
            Column("状态", "status", choices=InstallationStatus.choices, empty=InstallationStatus.IN_USE),
            Column(
                "500米内常住人口",
                "population_500m",
                kind="int",
                empty=0,
                help=_("厂区边界向外扩展500米范围内常住人口数（GB 18218-2018 表5）"),
            ),
            Column("辨识日期", "identified_on", kind="date"),
            Column("经度", "lon", kind="decimal"),
            Column("纬度", "lat", kind="decimal"),
            Column("范围轮廓", "outline_geojson", kind="json", width=30, help=_("GeoJSON Polygon，WGS 84")),
            Column("备案状态", "filing_status", choices=FilingStatus.choices, empty=FilingStatus.NOT_FILED),
            Column("备案编号", "filing_number"),
            Column("备案日期", "filed_on", kind="date"),
            Column("安全评估报告编号", "assessment_report_no"),
            Column("评估机构", "assessment_agency", width=24),
            Column("安全评估报告日期", "assessed_on", kind="date"),
            Column("评估结论", "assessment_conclusion", width=24),
            Column("说明", "description", width=24),
            Column("等级", "grade", read_only=True, value=lambda i: i.grade_label),
            Column("辨识指标S", "s_value", read_only=True),
            Column("分级指标R", "r_value", read_only=True),
        ),
    )


def import_installations(file: Any, user: Any) -> ImportReport:
    """Import installations as ``user`` (new numbers create, known numbers update, within the user's scope)."""

    def can_change(obj: HazardInstallation, created: bool) -> str | None:
        if created:
            if obj.enterprise_id is None:
                return None  # the required column reports it
            return None if _may_change(obj.enterprise, user) else _("无权为该企业登记重大危险源")
        if not _may_change(obj, user):
            return _("重大危险源编号已被其他企业使用或无权修改")
        return None

    def save_row(row: ImportRow) -> None:
        actions.do_save_installation(row.obj, acting_user=user, message=_message(row))

    return import_rows(
        file, installation_sheet(user), acting_user=user, can_change=can_change, save_row=save_row
    )


def _installation_parser(user: Any) -> Any:
    def parse(value: Any) -> HazardInstallation:
        code = parse_text(value).strip()
        found = restrict(HazardInstallation.objects.all(), user, "change").filter(code=code).first()
        if found is None:
            raise CellError(_("重大危险源“%(code)s”不存在或无权修改") % {"code": code})
        return found

    return parse


def inventory_sheet(user: Any) -> Sheet:
    """The 危险化学品存量 sheet for ``user``: one row per substance of an installation."""
    return Sheet(
        title="危险化学品存量",
        model=InventoryLine,
        key=("installation", "substance"),
        help_text=_(
            "每行一种危险化学品在一处重大危险源中的最大存量（吨）。名称或CAS号按 GB 18218-2018 表1 匹配；"
            "不在表1中的物质须填写危险性类别（表2代号，如 W5.1、J3）。同一重大危险源中同名物质按名称更新。"
            "导入后自动重新辨识分级。"
        ),
        columns=(
            Column(
                "重大危险源编号",
                "installation",
                required=True,
                parse=_installation_parser(user),
                value=lambda line: line.installation.code,
                width=18,
            ),
            Column("危险化学品名称", "substance", required=True, width=20),
            Column("CAS号", "cas"),
            Column("危险性类别", "category", help=_("GB 18218-2018 表2 代号，表1物质可不填")),
            Column("最大存量（吨）", "max_quantity_t", required=True, kind="decimal"),
            Column("物理状态", "physical_state", choices=PhysicalState.choices),
            Column("容器/设备", "container", width=20),
            Column("操作温度（℃）", "temperature_c", kind="decimal"),
            Column("操作压力（MPa）", "pressure_mpa", kind="decimal"),
            Column("工艺条件", "conditions", width=20),
        ),
    )


def import_inventory(file: Any, user: Any) -> ImportReport:
    """Import inventory lines as ``user``; each touched installation is re-graded once afterwards."""
    touched: dict[int, HazardInstallation] = {}

    def lookup(values: dict[str, Any]) -> InventoryLine | None:
        installation, substance = values.get("installation"), (values.get("substance") or "").strip()
        if installation is None:
            return None
        return InventoryLine.objects.filter(installation=installation, substance=substance).first()

    def prepare(obj: InventoryLine, values: dict[str, Any], created: bool) -> None:
        obj.clean()
        actions.check_inventory_line(obj)

    def can_change(obj: InventoryLine, created: bool) -> str | None:
        installation = obj.installation if obj.installation_id else None
        if installation is not None and not _may_change(installation, user):
            return _("无权修改该重大危险源")
        return None

    def save_row(row: ImportRow) -> None:
        line = row.obj
        actions.do_save_inventory_line(line, acting_user=user, reason=_message(row), regrade_after=False)
        touched[line.installation_id] = line.installation

    report = import_rows(
        file,
        inventory_sheet(user),
        acting_user=user,
        lookup=lookup,
        prepare=prepare,
        can_change=can_change,
        save_row=save_row,
    )
    for installation in touched.values():
        try:
            actions.regrade(installation, acting_user=user, reason=_("Excel 导入危险化学品存量"))
        except ValidationError:  # pragma: no cover - lines were checked one by one
            continue
    return report
