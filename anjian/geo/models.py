"""Geography of the zone: areas (boundaries, towns, grids, functional zones, base map) and roads.

Geometries are GeoJSON dicts in WGS 84 ``[lon, lat]`` (RFC 7946), checked by
:func:`anjian.domain.geodesy.geometry_problem` against the zone's bounding area. Areas and roads are public
geography inside the platform: every logged-in user may see them; the committee office (and admins) change
them, and a town changes the grid areas of its own grids.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.domain.geodesy import area_m2, geometry_problem, length_m
from anjian.geo.choices import AreaKind, FunctionalZone, LandCover, RoadGrade
from anjian.geo.zone import zone_bbox

__all__ = ["Area", "Road", "geometry_error"]

POLYGON_TYPES = ("Polygon", "MultiPolygon")
LINE_TYPES = ("LineString", "MultiLineString")


def geometry_error(geometry: Any, allowed: tuple[str, ...]) -> str | None:
    """A Chinese reason why ``geometry`` cannot be stored, or ``None``."""
    if not isinstance(geometry, dict) or geometry.get("type") not in allowed:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        return _g("几何类型应为 %(allowed)s，实际为“%(kind)s”") % {
            "allowed": " 或 ".join(allowed),
            "kind": kind,
        }
    problem = geometry_problem(geometry, zone_bbox())
    if problem is None:
        return None
    if problem.code == "order":
        return _g("坐标顺序应为 [经度, 纬度]：%(at)s 像是把纬度写在了前面") % {"at": problem.detail}
    if problem.code == "outside":
        b = zone_bbox()
        return _g("坐标 %(at)s 不在示范区范围内（经度 %(w)s–%(e)s，纬度 %(s)s–%(n)s）") % {
            "at": problem.detail,
            "w": b.west,
            "e": b.east,
            "s": b.south,
            "n": b.north,
        }
    if problem.code == "invalid":
        if "Self-intersection" in problem.detail or "Ring Self-intersection" in problem.detail:
            return _g("图形自相交（边线交叉）：%(at)s") % {"at": problem.detail.split("[", 1)[-1].rstrip("]")}
        return _g("图形无效：%(detail)s") % {"detail": problem.detail}
    if problem.code == "empty":
        return _g("图形没有坐标")
    return _g("不是有效的 GeoJSON 几何：坐标应为数字数组")


def _scope_q(scope: Any, action: str) -> models.Q | None:
    if action == "view":
        return models.Q() if scope.user_id is not None else None
    return models.Q() if scope.sees_all else None


class Area(BaseModel):
    """An outlined area of the zone: its boundary, the park's, a town, a grid, a functional zone or base land."""

    kind = models.CharField(_("类型"), max_length=16, choices=AreaKind.choices)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    geometry = models.JSONField(_("范围"), help_text=_("GeoJSON Polygon 或 MultiPolygon，WGS 84 经纬度"))
    town = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="geo_areas",
        limit_choices_to={"kind": "town"},
    )
    grid = models.OneToOneField(
        "enterprises.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="area",
    )
    function = models.CharField(_("功能"), max_length=16, choices=FunctionalZone.choices, blank=True)
    land_cover = models.CharField(_("地类"), max_length=16, choices=LandCover.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}·{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("geo:area_edit", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Everyone logged in sees the geography; the committee office changes it; a town its grids' areas."""
        q = _scope_q(scope, action)
        if q is None and action != "view" and scope.is_department and scope.unit_ids:
            return models.Q(kind=AreaKind.GRID, grid__town_id__in=sorted(scope.unit_ids))
        return q

    @property
    def area_km2(self) -> float:
        """Area in km² (measured in the CGCS2000 3° zone)."""
        return area_m2(self.geometry) / 1e6

    def clean(self) -> None:
        errors: dict[str, str] = {}
        error = geometry_error(self.geometry, POLYGON_TYPES)
        if error:
            errors["geometry"] = error
        if self.kind == AreaKind.GRID and self.grid_id is None:
            errors["grid"] = _g("网格区域必须关联一个网格")
        if self.kind != AreaKind.GRID and self.grid_id is not None:
            errors["grid"] = _g("只有网格区域可以关联网格")
        if self.kind == AreaKind.TOWN and self.town_id is None:
            errors["town"] = _g("镇域必须选择所属镇")
        if self.town is not None and self.town.kind != "town":
            errors["town"] = _g("所选单位不是镇")
        if self.kind == AreaKind.FUNCTIONAL and not self.function:
            errors["function"] = _g("功能分区必须选择功能")
        if self.kind == AreaKind.BASE and not self.land_cover:
            errors["land_cover"] = _g("底图要素必须选择地类")
        if self.grid is not None and self.town_id is not None and self.grid.town_id != self.town_id:
            errors["town"] = _g("网格不属于所选的镇")
        if errors:
            raise ValidationError(errors)


class Road(BaseModel):
    """A road as its centreline with a carriageway width (the fire-water rules measure along it)."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    grade = models.CharField(_("等级"), max_length=16, choices=RoadGrade.choices, default=RoadGrade.BRANCH)
    width_m = models.DecimalField(
        _("路面宽度（米）"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("120"))],
    )
    geometry = models.JSONField(
        _("中心线"), help_text=_("GeoJSON LineString 或 MultiLineString，WGS 84 经纬度")
    )
    in_park = models.BooleanField(_("园区道路"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("道路")
        verbose_name_plural = _("道路")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("geo:road_edit", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Everyone logged in sees roads; the committee office changes them."""
        return _scope_q(scope, action)

    @property
    def length_m(self) -> float:
        """Centreline length in metres (CGCS2000 3° zone)."""
        return length_m(self.geometry)

    def clean(self) -> None:
        error = geometry_error(self.geometry, LINE_TYPES)
        if error:
            raise ValidationError({"geometry": error})
