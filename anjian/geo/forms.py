"""Forms of the park map: areas and roads (geometry drawn on the map or pasted), enterprise locations, imports."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from anjian.domain.geodesy import gcj02_to_wgs84
from anjian.enterprises.models import Grid
from anjian.geo.enterprise_io import ENTERPRISE_TARGETS
from anjian.geo.geojson_io import MAX_UPLOAD_BYTES, TARGETS
from anjian.geo.models import Area, Road
from anjian.geo.zone import zone_bbox
from anjian.orgs.models import OrgUnit

__all__ = [
    "AreaForm",
    "DeleteForm",
    "GeoJSONImportForm",
    "LocationForm",
    "PlotForm",
    "PointsImportForm",
    "RoadForm",
]

CRS_CHOICES = (
    ("wgs84", _("WGS 84（GPS、奥维、天地图）")),
    ("gcj02", _("GCJ-02（高德、腾讯地图拾取的坐标）")),
)
CRS_HELP = _(
    "系统保存 WGS 84 经纬度。在地图上绘制的图形已是 WGS 84；从高德、腾讯地图复制的坐标请选 GCJ-02，保存时自动换算。"
)


def _convert(coords: Any) -> Any:
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float) and len(coords) >= 2:
        lon, lat = gcj02_to_wgs84(float(coords[0]), float(coords[1]))
        return [round(lon, 7), round(lat, 7)]
    if isinstance(coords, list):
        return [_convert(c) for c in coords]
    return coords


class _GeometryForm(forms.ModelForm):  # type: ignore[type-arg]
    """Geometry as GeoJSON text (the map editor fills it), with the coordinate system it is in."""

    geometry_text = forms.CharField(
        label=_("几何（GeoJSON）"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "geo-geometry-input", "spellcheck": "false"}),
        help_text=_("在左侧地图上绘制或拖动顶点即可；也可粘贴 GeoJSON 几何，坐标顺序为 [经度, 纬度]。"),
    )
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84", help_text=CRS_HELP)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False, help_text=_("将记入变更记录"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.geometry and not self.is_bound:
            self.initial["geometry_text"] = json.dumps(self.instance.geometry, ensure_ascii=False)

    def clean_geometry_text(self) -> Any:
        text = self.cleaned_data["geometry_text"]
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_g("不是有效的 GeoJSON：%(e)s") % {"e": exc}) from exc
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        geometry = data.get("geometry_text")
        if isinstance(geometry, dict) and data.get("crs") == "gcj02":
            geometry = {**geometry, "coordinates": _convert(geometry.get("coordinates"))}
        if geometry is not None:
            self.instance.geometry = geometry
        return data

    def _post_clean(self) -> None:
        # Model validation (geometry in the zone, not self-intersecting…) runs in the action; here only the
        # form's own fields are copied to the instance.
        opts = self._meta
        try:
            self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]


class AreaForm(_GeometryForm):
    """An area: kind-specific fields are shown for its kind only."""

    class Meta:
        model = Area
        fields = ["code", "name", "town", "grid", "function", "land_cover", "note"]

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        self.fields["town"].queryset = OrgUnit.objects.filter(kind="town")  # type: ignore[attr-defined]
        self.fields["grid"].queryset = Grid.objects.select_related("town")  # type: ignore[attr-defined]
        keep = {
            "grid": kind == "grid",
            "town": kind == "town",
            "function": kind == "functional",
            "land_cover": kind == "base",
        }
        for name, shown in keep.items():
            if not shown:
                del self.fields[name]
            else:
                self.fields[name].required = True


class RoadForm(_GeometryForm):
    """A road centreline and its width."""

    class Meta:
        model = Road
        fields = ["code", "name", "grade", "width_m", "in_park", "note"]


class DeleteForm(forms.Form):
    """Deleting needs a reason."""

    reason = forms.CharField(label=_("删除理由"), max_length=500)


class LocationForm(forms.Form):
    """An enterprise's location, in the system the coordinates were copied from."""

    lon = forms.DecimalField(label=_("经度"), max_digits=10, decimal_places=7)
    lat = forms.DecimalField(label=_("纬度"), max_digits=10, decimal_places=7)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84", help_text=CRS_HELP)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False, help_text=_("将记入变更记录"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lon, lat = data.get("lon"), data.get("lat")
        if lon is None or lat is None:
            return data
        x, y = float(lon), float(lat)
        if data.get("crs") == "gcj02":
            x, y = gcj02_to_wgs84(x, y)
        box = zone_bbox()
        if not box.contains(x, y):
            if box.contains(y, x):
                raise forms.ValidationError(
                    _g("经纬度像是填反了：经度约 %(lon)s、纬度约 %(lat)s")
                    % {"lon": round(y, 3), "lat": round(x, 3)}
                )
            raise forms.ValidationError(
                _g(
                    "该点（经度 %(lon)s，纬度 %(lat)s）不在示范区范围内（经度 %(w)s–%(e)s，纬度 %(s)s–%(n)s），请检查坐标。"
                )
                % {
                    "lon": round(x, 6),
                    "lat": round(y, 6),
                    "w": box.west,
                    "e": box.east,
                    "s": box.south,
                    "n": box.north,
                }
            )
        data["wgs_lon"] = Decimal(f"{x:.6f}")
        data["wgs_lat"] = Decimal(f"{y:.6f}")
        return data


class PlotForm(forms.Form):
    """An enterprise's plot outline (地块轮廓), drawn on the map or pasted, in the system it is in."""

    geometry_text = forms.CharField(
        label=_("地块轮廓（GeoJSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "geo-geometry-input", "spellcheck": "false"}),
        help_text=_(
            "在左侧地图上点击描出地块边界，拖动顶点调整；也可粘贴 GeoJSON 多边形，坐标顺序为 [经度, 纬度]。清空即删除轮廓。"
        ),
    )
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84", help_text=CRS_HELP)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False, help_text=_("将记入变更记录"))

    def clean_geometry_text(self) -> Any:
        text = (self.cleaned_data.get("geometry_text") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_g("不是有效的 GeoJSON：%(e)s") % {"e": exc}) from exc
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def clean(self) -> dict[str, Any]:
        from anjian.geo.models import POLYGON_TYPES, geometry_error

        data = super().clean() or {}
        geometry = data.get("geometry_text")
        if geometry is None:
            return data
        if isinstance(geometry, dict) and data.get("crs") == "gcj02":
            geometry = {**geometry, "coordinates": _convert(geometry.get("coordinates"))}
        error = geometry_error(geometry, POLYGON_TYPES)
        if error:
            self.add_error("geometry_text", error)
        data["geometry"] = geometry
        return data


class PointsImportForm(forms.Form):
    """An Excel of enterprise points, in one coordinate system."""

    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84", help_text=CRS_HELP)


class GeoJSONImportForm(forms.Form):
    """Upload a GeoJSON FeatureCollection into one layer."""

    target = forms.ChoiceField(label=_("导入到"), choices=[*TARGETS.items(), *ENTERPRISE_TARGETS.items()])
    file = forms.FileField(
        label=_("GeoJSON 文件"), help_text=_("FeatureCollection，WGS 84 经纬度，不超过 5 MB")
    )
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84", help_text=CRS_HELP)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)

    def __init__(self, *args: Any, targets: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if targets is not None:
            field = self.fields["target"]
            field.choices = [(v, label) for v, label in field.choices if v in targets]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_g("文件超过 5 MB，请分批导入"))
        return upload
