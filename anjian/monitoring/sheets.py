"""Excel import/export of monitoring points (core.excel column specs; the per-row report used elsewhere)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from anjian.core.access import restrict
from anjian.core.excel import (
    Column,
    ImportReport,
    ImportRow,
    Sheet,
    StoredScope,
    bulk_savers,
    default_save_row,
    import_rows,
    parse_decimal,
)
from anjian.enterprises.sheets import _enterprise_parser
from anjian.monitoring.choices import MonitoringEvent, PointKind
from anjian.monitoring.models import MonitoringPoint

__all__ = ["import_points", "point_sheet"]


def _float(value: Any) -> float:
    return float(parse_decimal(value))


def point_sheet(user: Any) -> Sheet:
    """The 监测点 sheet; a point is identified by its enterprise and tag (位号)."""
    number: dict[str, Any] = {"parse": _float, "kind": "decimal"}
    return Sheet(
        title="监测点",
        model=MonitoringPoint,
        key=("enterprise", "tag"),
        help_text=_(
            "每行一个监测点，以企业统一社会信用代码和位号识别：已有位号按行更新，新位号新建。"
            "可燃气体报警值默认按 GB/T 50493-2019：一级 25%LEL、二级 50%LEL；有毒气体一级 100%OEL、二级 200%OEL。"
        ),
        columns=(
            Column(
                "统一社会信用代码",
                "enterprise",
                required=True,
                parse=_enterprise_parser(user),
                value=lambda p: p.enterprise.uscc,
                width=22,
            ),
            Column(
                "企业名称", "enterprise_name", read_only=True, value=lambda p: p.enterprise.name, width=30
            ),
            Column("位号", "tag", required=True),
            Column("名称", "name", required=True, width=24),
            Column("类型", "kind", required=True, choices=PointKind.choices),
            Column("单位", "unit"),
            Column("量程下限", "range_low", **number),
            Column("量程上限", "range_high", **number),
            Column("低低报（二级）", "ll", **number),
            Column("低报（一级）", "l", **number),
            Column("高报（一级）", "h", **number),
            Column("高高报（二级）", "hh", **number),
            Column("回差", "deadband", empty=0.0, **number),
            Column("报警延时（秒）", "on_delay_s", empty=0.0, **number),
            Column("消警延时（秒）", "off_delay_s", empty=0.0, **number),
            Column("采集周期（秒）", "expected_interval_s", kind="int", empty=10),
            Column("离线判定（秒）", "offline_after_s", kind="int", empty=60),
            Column("经度", "lon", **number),
            Column("纬度", "lat", **number),
            Column("启用", "enabled", kind="bool", empty=True),
        ),
    )


def import_points(file: Any, user: Any) -> ImportReport:
    """Import points of enterprises ``user`` may change; every row checked by the point's own rules."""

    changeable = StoredScope(restrict(MonitoringPoint.objects.all(), user, "change"))

    def can_change(obj: MonitoringPoint, created: bool) -> str | None:
        if created or changeable(obj):
            return None
        return _("该监测点不在您的管理范围内")

    def save_row(row: ImportRow) -> None:
        default_save_row(row, event=MonitoringEvent.POINTS_IMPORTED)

    # A point's save adds nothing: many rows go through core's bulk writers, a refused chunk through save_row.
    return import_rows(
        file,
        point_sheet(user),
        acting_user=user,
        can_change=can_change,
        save_row=save_row,
        preload=changeable.load,
        **bulk_savers(user, MonitoringEvent.POINTS_IMPORTED),
    )
