"""The registry's map layers in and out: enterprise points and plot outlines as GeoJSON, points as Excel.

An enterprise is matched by its unified social credit code (``uscc``); these files only place enterprises
that exist (the registry creates them). Every change goes through
:func:`anjian.enterprises.actions.do_update_enterprise` (validation, one audit row per changed enterprise, the
map's caches dropped). Points must lie in the zone (``ANJIAN_ZONE_BBOX``), plots must be valid polygons in
the zone; coordinates copied from 高德/腾讯 maps are GCJ-02 and are converted when the file says so.

GeoJSON is all or nothing (a file with a bad feature saves nothing, as for the zone's geography); the Excel
of points follows the platform's Excel rule (every row checked first; good rows saved, bad rows reported).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.core.access import restrict, scope_of
from anjian.core.choices import AuditEvent
from anjian.core.excel import Column, ImportReport, ImportRow, Sheet, export, import_rows, parse_text
from anjian.domain.check_digits import check_uscc
from anjian.domain.geodesy import gcj02_to_wgs84
from anjian.enterprises import actions as enterprise_actions
from anjian.enterprises.models import Enterprise
from anjian.geo.geojson_io import FeatureReport, ImportResult, _FileError, _to_wgs84, parse_upload
from anjian.geo.models import POLYGON_TYPES, geometry_error

__all__ = [
    "ENTERPRISE_TARGETS",
    "export_enterprise_collection",
    "export_points",
    "import_enterprise_collection",
    "import_points",
    "may_place_enterprises",
    "point_error",
    "points_sheet",
]

#: GeoJSON targets of the registry: the point layer and the plot layer.
ENTERPRISE_TARGETS: dict[str, str] = {"enterprises": "企业位置（点）", "plots": "企业地块轮廓（面）"}


def may_place_enterprises(user: Any) -> bool:
    """Government users place enterprises (each one still checked against their change scope); an enterprise
    does not move itself on the map."""
    scope = scope_of(user)
    return scope.user_id is not None and scope.is_government


def point_error(lon: float, lat: float) -> str | None:
    """A Chinese reason why WGS 84 ``lon``/``lat`` cannot be an enterprise's location (outside the zone,
    latitude and longitude swapped), or ``None``."""
    return geometry_error({"type": "Point", "coordinates": [lon, lat]}, ("Point",))


def _changeable(user: Any) -> set[int]:
    if not may_place_enterprises(user):
        return set()
    return set(restrict(Enterprise.objects.all(), user, "change").values_list("pk", flat=True))


def _normalise_uscc(value: Any) -> str:
    text = str(value or "").strip()
    return check_uscc(text).normalized if text else ""


# ---------------------------------------------------------------------------------------------
# GeoJSON
# ---------------------------------------------------------------------------------------------


def _popup_properties(e: Enterprise) -> dict[str, Any]:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "industry": e.get_industry_display(),
        "major_hazard": e.major_hazard,
        "key_process": e.key_process,
        "key_chemical": e.key_chemical,
    }


def export_enterprise_collection(target: str, user: Any) -> dict[str, Any]:
    """The enterprises the user may see as points (``enterprises``) or plot outlines (``plots``), WGS 84."""
    qs = restrict(Enterprise.objects.all(), user).order_by("pk")
    features = []
    if target == "plots":
        for e in qs.filter(plot_geojson__isnull=False):
            if e.plot_geojson:
                features.append(
                    {
                        "type": "Feature",
                        "id": e.pk,
                        "geometry": e.plot_geojson,
                        "properties": _popup_properties(e),
                    }
                )
    else:
        for e in qs.filter(lon__isnull=False, lat__isnull=False):
            geometry = {"type": "Point", "coordinates": [float(e.lon), float(e.lat)]}  # type: ignore[arg-type]
            features.append(
                {"type": "Feature", "id": e.pk, "geometry": geometry, "properties": _popup_properties(e)}
            )
    return {"type": "FeatureCollection", "name": ENTERPRISE_TARGETS.get(target, target), "features": features}


def _check_feature(
    target: str, feat: Any, report: FeatureReport, *, gcj02: bool, changeable: set[int]
) -> tuple[Enterprise, dict[str, Any]] | None:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        report.errors.append(_("不是 GeoJSON Feature"))
        return None
    props = feat.get("properties") or {}
    if not isinstance(props, dict):
        report.errors.append(_("properties 应为对象"))
        return None
    code = _normalise_uscc(props.get("uscc"))
    report.name = str(props.get("name") or code)[:100]
    enterprise = Enterprise.objects.filter(uscc=code).first() if code else None
    if not code:
        report.errors.append(_("缺少统一社会信用代码（properties.uscc）"))
    elif enterprise is None or enterprise.pk not in changeable:
        # The same answer for "no such enterprise" and "not yours": the file learns nothing about others.
        report.errors.append(_("统一社会信用代码 %(code)s：没有您可修改的该企业") % {"code": code})
    geometry = feat.get("geometry")
    if gcj02 and isinstance(geometry, dict):
        geometry = {**geometry, "coordinates": _to_wgs84(geometry.get("coordinates"))}
    changes: dict[str, Any] = {}
    if target == "plots":
        error = geometry_error(geometry, POLYGON_TYPES)
        if error:
            report.errors.append(error)
        else:
            changes["plot_geojson"] = geometry
    else:
        error = geometry_error(geometry, ("Point",))
        if error:
            report.errors.append(error)
        else:
            lon, lat = geometry["coordinates"][:2]  # type: ignore[index]
            changes = {"lon": Decimal(f"{float(lon):.6f}"), "lat": Decimal(f"{float(lat):.6f}")}
    if report.errors or enterprise is None:
        return None
    return enterprise, changes


def import_enterprise_collection(
    target: str, data: bytes, *, acting_user: Any, reason: str = "", gcj02: bool = False
) -> ImportResult:
    """Check every feature; when all pass, place every enterprise (one audit row per changed enterprise)."""
    if target not in ENTERPRISE_TARGETS:
        return ImportResult(target, [], file_error=_("未知的图层：%(t)s") % {"t": target})
    try:
        doc = parse_upload(data)
    except _FileError as exc:
        return ImportResult(target, [], file_error=str(exc))
    changeable = _changeable(acting_user)
    reports: list[FeatureReport] = []
    planned: list[tuple[FeatureReport, Enterprise, dict[str, Any]]] = []
    seen: dict[int, int] = {}
    for i, feat in enumerate(doc["features"], start=1):
        report = FeatureReport(index=i, name="")
        checked = _check_feature(target, feat, report, gcj02=gcj02, changeable=changeable)
        if checked is not None:
            enterprise, changes = checked
            if enterprise.pk in seen:
                report.errors.append(_("与第 %(n)s 个要素是同一企业") % {"n": seen[enterprise.pk]})
            else:
                seen[enterprise.pk] = i
                planned.append((report, enterprise, changes))
        reports.append(report)
    result = ImportResult(target, reports)
    if not reports:
        result.file_error = _("文件中没有要素")
    if not result.ok:
        return result
    message = _("导入 GeoJSON：%(what)s") % {"what": ENTERPRISE_TARGETS[target]}
    with transaction.atomic():
        for report, enterprise, changes in planned:
            stamp = enterprise.updated_at
            enterprise_actions.do_update_enterprise(
                enterprise, changes, acting_user=acting_user, reason=reason, message=message
            )
            report.outcome = "unchanged" if enterprise.updated_at == stamp else "updated"
    return result


# ---------------------------------------------------------------------------------------------
# Excel of points
# ---------------------------------------------------------------------------------------------


def _parse_uscc(value: Any) -> str:
    return _normalise_uscc(parse_text(value))


def points_sheet() -> Sheet:
    """企业位置点: code, name (for reading), longitude and latitude."""
    return Sheet(
        title="企业位置",
        model=Enterprise,
        key=("uscc",),
        help_text=_(
            "按统一社会信用代码匹配已登记的企业，填写其位置（经纬度，十进制度）。"
            "导入时选择坐标系：WGS 84（GPS、奥维、天地图）或 GCJ-02（高德、腾讯地图拾取的坐标，自动换算）。"
            "位置必须在示范区范围内。"
        ),
        columns=(
            Column("统一社会信用代码", "uscc", required=True, parse=_parse_uscc, width=24),
            Column("企业名称", "name", read_only=True, width=32),
            Column("经度", "lon", required=True, kind="decimal", help=_("如 105.250000")),
            Column("纬度", "lat", required=True, kind="decimal", help=_("如 37.840000")),
        ),
    )


def export_points(user: Any) -> bytes:
    """Every enterprise the user may see, with its location (empty when not yet placed)."""
    rows = restrict(Enterprise.objects.all(), user).order_by("name", "pk")
    return export(rows, points_sheet())


def import_points(file: Any, user: Any, *, gcj02: bool = False) -> ImportReport:
    """Place enterprises from an Excel of points (rows checked first; each saved row audited)."""
    changeable = _changeable(user)

    def lookup(values: dict[str, Any]) -> Enterprise | None:
        return Enterprise.objects.filter(uscc=values.get("uscc") or "").first()

    def can_change(obj: Enterprise, created: bool) -> str | None:
        if created or obj.pk not in changeable:
            return _("没有您可修改的该企业（点位表只登记已有企业的位置，新企业请在企业名录中登记）")
        return None

    def prepare(obj: Enterprise, values: dict[str, Any], created: bool) -> None:
        lon, lat = values.get("lon"), values.get("lat")
        if lon is None or lat is None:
            return
        x, y = float(lon), float(lat)
        if gcj02:
            x, y = gcj02_to_wgs84(x, y)
        error = point_error(x, y)
        if error:
            raise ValidationError({"lon": error})
        obj.lon, obj.lat = Decimal(f"{x:.6f}"), Decimal(f"{y:.6f}")

    def save_row(row: ImportRow) -> None:
        enterprise_actions.do_update_enterprise(
            row.obj,
            {},
            acting_user=user,
            before=row.before,
            event=AuditEvent.IMPORTED,
            message=_("Excel 导入企业位置第 %(row)d 行") % {"row": row.row},
        )

    return import_rows(
        file,
        points_sheet(),
        acting_user=user,
        lookup=lookup,
        can_change=can_change,
        prepare=prepare,
        save_row=save_row,
    )
