"""GeoJSON import and export of the zone's geography (RFC 7946, WGS 84 ``[lon, lat]``).

Import checks every feature first (geometry type, coordinate order, inside the zone, not self-intersecting,
required properties, known grid/town) and reports a Chinese message per feature; a file with any bad
feature saves nothing. Features are matched to stored rows by ``code``: a known code updates the row, a
new one creates it; an unchanged feature writes nothing. Export writes the same properties, so an
exported file imports back unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.core.access import restrict
from anjian.domain.geodesy import gcj02_to_wgs84
from anjian.enterprises.models import Grid
from anjian.geo import actions
from anjian.geo.choices import AreaKind, FunctionalZone, LandCover, RoadGrade
from anjian.geo.models import LINE_TYPES, POLYGON_TYPES, Area, Road, geometry_error
from anjian.orgs.models import OrgUnit

__all__ = [
    "MAX_FEATURES",
    "MAX_UPLOAD_BYTES",
    "TARGETS",
    "FeatureReport",
    "ImportResult",
    "export_collection",
    "import_collection",
    "parse_upload",
]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_FEATURES = 5000

#: What a file can hold: every area kind, and roads.
TARGETS: dict[str, str] = {**{str(v): str(label) for v, label in AreaKind.choices}, "roads": "道路"}


@dataclass
class FeatureReport:
    """One feature's outcome: its position in the file (1-based), name, and errors or what happened."""

    index: int
    name: str
    errors: list[str] = field(default_factory=list)
    outcome: str = ""  # created / updated / unchanged


@dataclass
class ImportResult:
    """The whole import: nothing is saved when ``ok`` is false."""

    target: str
    features: list[FeatureReport]
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and all(not f.errors for f in self.features)

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.features if f.errors) + (1 if self.file_error else 0)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.features if f.outcome == outcome)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class _FileError(Exception):
    pass


def parse_upload(data: bytes) -> dict[str, Any]:
    """Decode an uploaded file as a GeoJSON FeatureCollection; ``_FileError`` with a Chinese reason."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _FileError(_("文件超过 5 MB，请分批导入"))
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _FileError(_("不是有效的 GeoJSON 文件（JSON 解析失败：%(e)s）") % {"e": exc}) from exc
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise _FileError(_("文件应为 GeoJSON FeatureCollection（含 features 数组）"))
    if len(doc["features"]) > MAX_FEATURES:
        raise _FileError(_("要素超过 %(n)s 个，请分批导入") % {"n": MAX_FEATURES})
    crs = doc.get("crs")
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
        if name and not any(tag in name for tag in ("4326", "CRS84", "4490")):
            raise _FileError(_("坐标系应为 WGS 84 经纬度（EPSG:4326），文件声明为“%(crs)s”") % {"crs": name})
    return doc


def _choice(value: Any, choices: Any, label: str) -> tuple[str, str | None]:
    text = str(value or "").strip()
    for v, lab in choices:
        if text in (v, str(lab)):
            return v, None
    options = "、".join(str(lab) for _v, lab in choices)
    return "", _("%(label)s“%(value)s”无效，应为：%(options)s") % {
        "label": label,
        "value": text,
        "options": options,
    }


def _to_wgs84(coords: Any) -> Any:
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float) and len(coords) >= 2:
        lon, lat = gcj02_to_wgs84(float(coords[0]), float(coords[1]))
        return [round(lon, 7), round(lat, 7)]
    if isinstance(coords, list):
        return [_to_wgs84(c) for c in coords]
    return coords


def _build(target: str, feat: Any, report: FeatureReport, *, gcj02: bool) -> Area | Road | None:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        report.errors.append(_("不是 GeoJSON Feature"))
        return None
    props = feat.get("properties") or {}
    if not isinstance(props, dict):
        report.errors.append(_("properties 应为对象"))
        return None
    name = str(props.get("name") or "").strip()
    code = str(props.get("code") or "").strip()
    report.name = name or code
    if not name:
        report.errors.append(_("缺少名称（properties.name）"))
    if not code:
        report.errors.append(_("缺少编码（properties.code）"))
    geometry = feat.get("geometry")
    if gcj02 and isinstance(geometry, dict):
        geometry = {**geometry, "coordinates": _to_wgs84(geometry.get("coordinates"))}
    allowed = LINE_TYPES if target == "roads" else POLYGON_TYPES
    error = geometry_error(geometry, allowed)
    if error:
        report.errors.append(error)
    note = str(props.get("note") or "")[:300]
    obj: Area | Road
    if target == "roads":
        road = Road.objects.filter(code=code).first() if code else None
        obj = road or Road(code=code)
        obj.name, obj.geometry, obj.note = name, geometry, note
        try:
            obj.width_m = Decimal(str(props.get("width_m")))
        except (InvalidOperation, ValueError):
            report.errors.append(_("缺少路面宽度（properties.width_m，单位米）"))
        grade, err = _choice(props.get("grade") or RoadGrade.BRANCH, RoadGrade.choices, _("道路等级"))
        obj.grade = grade or obj.grade
        if err:
            report.errors.append(err)
        obj.in_park = bool(props.get("in_park", True))
    else:
        area = Area.objects.filter(code=code).first() if code else None
        if area is not None and area.kind != target:
            report.errors.append(
                _("编码 %(code)s 已用于“%(kind)s”，不能导入为另一类")
                % {"code": code, "kind": area.get_kind_display()}
            )
        obj = area or Area(code=code, kind=target)
        obj.name, obj.geometry, obj.note = name, geometry, note
        if target == AreaKind.GRID:
            grid = (
                Grid.objects.filter(code=str(props.get("grid_code") or "").strip())
                .select_related("town")
                .first()
            )
            if grid is None:
                report.errors.append(
                    _("网格编码“%(code)s”在网格登记中不存在") % {"code": props.get("grid_code") or ""}
                )
            else:
                obj.grid, obj.town = grid, grid.town
        if target == AreaKind.TOWN:
            town = OrgUnit.objects.filter(kind="town", name=str(props.get("town") or "").strip()).first()
            if town is None:
                report.errors.append(_("镇“%(town)s”不存在") % {"town": props.get("town") or ""})
            else:
                obj.town = town
        if target == AreaKind.FUNCTIONAL:
            value, err = _choice(props.get("function"), FunctionalZone.choices, _("功能"))
            obj.function = value
            if err:
                report.errors.append(err)
        if target == AreaKind.BASE:
            value, err = _choice(props.get("land_cover"), LandCover.choices, _("地类"))
            obj.land_cover = value
            if err:
                report.errors.append(err)
    if not report.errors:
        try:
            obj.full_clean()
        except ValidationError as exc:
            report.errors.extend(m for m in exc.messages if m not in report.errors)
    return obj


def import_collection(
    target: str, data: bytes, *, acting_user: Any, reason: str = "", gcj02: bool = False
) -> ImportResult:
    """Check every feature of ``data``; when all pass, save them all (one audit row per change)."""
    if target not in TARGETS:
        return ImportResult(target, [], file_error=_("未知的图层：%(t)s") % {"t": target})
    try:
        doc = parse_upload(data)
    except _FileError as exc:
        return ImportResult(target, [], file_error=str(exc))
    reports: list[FeatureReport] = []
    objects: list[Area | Road] = []
    seen: dict[str, int] = {}
    model = Road if target == "roads" else Area
    changeable = set(restrict(model.objects.all(), acting_user, "change").values_list("pk", flat=True))
    for i, feat in enumerate(doc["features"], start=1):
        report = FeatureReport(index=i, name="")
        obj = _build(target, feat, report, gcj02=gcj02)
        code = getattr(obj, "code", "") if obj is not None else ""
        if code and code in seen:
            report.errors.append(_("编码 %(code)s 与第 %(n)s 个要素重复") % {"code": code, "n": seen[code]})
        elif code:
            seen[code] = i
        if obj is not None and obj.pk is not None and obj.pk not in changeable:
            report.errors.append(_("无权修改已有的“%(name)s”") % {"name": obj.name})
        reports.append(report)
        if obj is not None:
            objects.append(obj)
    result = ImportResult(target, reports)
    if not reports:
        result.file_error = _("文件中没有要素")
    if not result.ok:
        return result
    with transaction.atomic():
        for obj, report in zip(objects, reports, strict=True):
            before = obj.updated_at
            is_new = obj.pk is None
            if isinstance(obj, Road):
                actions.do_save_road(obj, acting_user=acting_user, reason=reason)
            else:
                actions.do_save_area(obj, acting_user=acting_user, reason=reason)
            report.outcome = "created" if is_new else ("unchanged" if obj.updated_at == before else "updated")
    return result


def _properties(obj: Area | Road) -> dict[str, Any]:
    if isinstance(obj, Road):
        return {
            "code": obj.code,
            "name": obj.name,
            "grade": obj.grade,
            "width_m": float(obj.width_m),
            "in_park": obj.in_park,
            "note": obj.note,
            "length_m": round(obj.length_m, 1),
        }
    props: dict[str, Any] = {"code": obj.code, "name": obj.name, "kind": obj.kind, "note": obj.note}
    if obj.kind == AreaKind.GRID and obj.grid is not None:
        props["grid_code"] = obj.grid.code
    if obj.kind == AreaKind.TOWN and obj.town is not None:
        props["town"] = obj.town.name
    if obj.kind == AreaKind.FUNCTIONAL:
        props["function"] = obj.function
    if obj.kind == AreaKind.BASE:
        props["land_cover"] = obj.land_cover
    props["area_m2"] = round(obj.area_km2 * 1e6, 1)
    return props


def export_collection(target: str, user: Any) -> dict[str, Any]:
    """The stored ``target`` layer the user may see, as a FeatureCollection (WGS 84)."""
    if target == "roads":
        rows: list[Area | Road] = list(restrict(Road.objects.all(), user))
    else:
        rows = list(restrict(Area.objects.filter(kind=target).select_related("grid", "town"), user))
    return {
        "type": "FeatureCollection",
        "name": TARGETS.get(target, target),
        "features": [
            {"type": "Feature", "id": obj.pk, "geometry": obj.geometry, "properties": _properties(obj)}
            for obj in rows
        ],
    }
