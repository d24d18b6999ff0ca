"""Park fire infrastructure (plan 八.六): hydrants, fire pools, foam stations, fire stations, roads with width,
fire zones with their design fire-water flow, and inspections of each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.core.uploads import PHOTO_KINDS, check_uploaded_file
from anjian.fire.choices import FacilityStatus, HydrantType, InspectionResult

__all__ = [
    "FacilityModel",
    "FirePool",
    "FireRoad",
    "FireStation",
    "FireZone",
    "FoamStation",
    "Hydrant",
    "Inspection",
    "fire_q",
]


def fire_q(scope: Any, action: str = "view", prefix: str = "") -> models.Q | None:
    """Fire infrastructure is the park's: every government user and every enterprise user reads the park's
    (no enterprise) facilities; an enterprise reads its own too, never another's. Zone-wide roles change
    all; an enterprise user changes its own facilities."""
    if scope.sees_all:
        return models.Q()
    if scope.is_unit_staff:
        return models.Q() if action == "view" else None
    if scope.is_enterprise and scope.enterprise_ids:
        own = models.Q(**{f"{prefix}enterprise_id__in": sorted(scope.enterprise_ids)})
        if action == "view":
            return own | models.Q(**{f"{prefix}enterprise__isnull": True})
        return own
    return None


def _geometry_error(value: Any, kinds: tuple[str, ...]) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dict) or value.get("type") not in kinds:
        return str(_("几何须为 GeoJSON %(kinds)s") % {"kinds": "/".join(kinds)})
    try:
        from shapely.geometry import shape

        geom = shape(value)
    except Exception:  # shapely raises several kinds for malformed input
        return str(_("几何坐标无效"))
    if geom.is_empty:
        return str(_("几何为空"))
    minx, miny, maxx, maxy = geom.bounds
    if not (70 <= minx <= maxx <= 140 and 0 <= miny <= maxy <= 60):
        return str(_("坐标须为 WGS 84 经纬度（中国境内）"))
    return None


class FacilityModel(BaseModel):
    """A point facility: code, name, location, owner (the park when no enterprise), status."""

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=FacilityStatus.choices, default=FacilityStatus.OK
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return fire_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def get_status_colour(self) -> str:
        return FacilityStatus.colour_of(self.status)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.lon is not None and not (Decimal(70) <= Decimal(self.lon) <= Decimal(140)):
            errors["lon"] = _("经度应在70至140之间（WGS 84）")
        if self.lat is not None and not (Decimal(0) <= Decimal(self.lat) <= Decimal(60)):
            errors["lat"] = _("纬度应在0至60之间（WGS 84）")
        if errors:
            raise ValidationError(errors)


class Hydrant(FacilityModel):
    """An outdoor fire hydrant (室外消火栓)."""

    hydrant_type = models.CharField(
        _("类型"), max_length=20, choices=HydrantType.choices, default=HydrantType.UNDERGROUND
    )
    pressure_mpa = models.DecimalField(
        _("最近测得压力（MPa）"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("消火栓")
        verbose_name_plural = _("消火栓")

    def get_absolute_url(self) -> str:
        return reverse("fire:facility_detail", args=["hydrant", self.pk])


class FirePool(FacilityModel):
    """A fire pool (消防水池) and its volume."""

    volume_m3 = models.DecimalField(
        _("有效容积（立方米）"), max_digits=10, decimal_places=1, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("消防水池")
        verbose_name_plural = _("消防水池")

    def get_absolute_url(self) -> str:
        return reverse("fire:facility_detail", args=["pool", self.pk])


class FoamStation(FacilityModel):
    """A fixed foam station (固定泡沫站)."""

    foam_m3 = models.DecimalField(
        _("泡沫液储量（立方米）"),
        max_digits=8,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("泡沫站")
        verbose_name_plural = _("泡沫站")

    def get_absolute_url(self) -> str:
        return reverse("fire:facility_detail", args=["foam", self.pk])


class FireStation(FacilityModel):
    """A fire station (消防站) with its vehicles and staff."""

    vehicles = models.PositiveSmallIntegerField(_("消防车（辆）"), default=0)
    staff = models.PositiveSmallIntegerField(_("人员"), default=0)
    phone = models.CharField(_("值班电话"), max_length=30, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("消防站")
        verbose_name_plural = _("消防站")

    def get_absolute_url(self) -> str:
        return reverse("fire:facility_detail", args=["station", self.pk])


class FireRoad(BaseModel):
    """A fire-water road (消防给水道路): a park road, or a stretch of one, along which the fire main runs and
    hydrants are checked (plan 八.六); the check uses these, or every park-map road when none is registered."""

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("道路名称"), max_length=100)
    width_m = models.DecimalField(
        _("路宽（米）"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    geometry = models.JSONField(_("中心线"), help_text=_("GeoJSON LineString，WGS 84"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("道路")
        verbose_name_plural = _("道路")

    def __str__(self) -> str:
        return f"{self.name}（{self.width_m:g}米）"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        if scope.sees_all:
            return models.Q()
        return models.Q() if action == "view" and (scope.is_unit_staff or scope.is_enterprise) else None

    def clean(self) -> None:
        error = _geometry_error(self.geometry, ("LineString",))
        if error:
            raise ValidationError({"geometry": error})


class FireZone(BaseModel):
    """A fire zone (防火分区/消防分区) and its design fire-water flow."""

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    design_flow_lps = models.DecimalField(
        _("设计消防用水量（升/秒）"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0))],
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    geometry = models.JSONField(_("范围"), null=True, blank=True, help_text=_("GeoJSON Polygon，WGS 84"))

    class Meta:
        ordering = ["-design_flow_lps", "code"]
        verbose_name = _("消防分区")
        verbose_name_plural = _("消防分区")

    def __str__(self) -> str:
        return f"{self.name}（{self.design_flow_lps:g}升/秒）"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return fire_q(scope, action)

    def clean(self) -> None:
        error = _geometry_error(self.geometry, ("Polygon", "MultiPolygon"))
        if error:
            raise ValidationError({"geometry": error})


_FACILITY_FIELDS = ("hydrant", "pool", "foam_station", "station")


class Inspection(BaseModel):
    """An inspection of one facility: pressure (hydrants), damage, findings, a photo."""

    hydrant = models.ForeignKey(
        Hydrant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("消火栓"),
    )
    pool = models.ForeignKey(
        FirePool,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("消防水池"),
    )
    foam_station = models.ForeignKey(
        FoamStation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("泡沫站"),
    )
    station = models.ForeignKey(
        FireStation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("消防站"),
    )
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.CharField(_("检查人"), max_length=50)
    pressure_mpa = models.DecimalField(
        _("压力（MPa）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    result = models.CharField(
        _("结论"), max_length=20, choices=InspectionResult.choices, default=InspectionResult.OK
    )
    findings = models.CharField(_("发现问题"), max_length=300, blank=True)
    photo = models.ImageField(_("照片"), upload_to="fire/inspections/%Y/%m/", null=True, blank=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("设施检查")
        verbose_name_plural = _("设施检查")

    def __str__(self) -> str:
        return f"{self.inspected_on:%Y-%m-%d} {self.facility}：{self.get_result_display()}"

    @property
    def facility(self) -> FacilityModel | None:
        return self.hydrant or self.pool or self.foam_station or self.station

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """An inspection is visible (and changeable) with its facility."""
        if scope.sees_all:
            return models.Q()
        q: models.Q | None = None
        for name in _FACILITY_FIELDS:
            rule = fire_q(scope, action, prefix=f"{name}__")
            if rule is None:
                return None
            term = models.Q(**{f"{name}__isnull": False}) & rule
            q = term if q is None else q | term
        return q

    def audit_related(self) -> models.Model | None:
        return self.facility

    def get_result_colour(self) -> str:
        return InspectionResult.colour_of(self.result)

    def clean(self) -> None:
        chosen = [f for f in (self.hydrant_id, self.pool_id, self.foam_station_id, self.station_id) if f]
        if len(chosen) != 1:
            raise ValidationError(_("每次检查须且只能对应一个设施"))
        if self.pressure_mpa is not None and not (Decimal(0) <= self.pressure_mpa <= Decimal(5)):
            raise ValidationError({"pressure_mpa": _("压力应在0至5 MPa之间")})
        try:
            check_uploaded_file(self.photo, label=str(_("照片")), allowed=PHOTO_KINDS)
        except ValidationError as exc:
            raise ValidationError({"photo": exc.messages}) from exc
