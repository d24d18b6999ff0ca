"""The enterprise registry: grids, enterprises (一企一档), licences, standardisation, supervision rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.batch import clean_fields as batch_clean_fields
from anjian.core.models import BaseModel
from anjian.domain.check_digits import check_uscc
from anjian.enterprises.choices import (
    ACTIVE_STATES,
    EnterpriseStatus,
    Industry,
    LicenceKind,
    LicenceState,
    Scale,
    StandardizationGrade,
)
from anjian.enterprises.geometry import plot_error, point_error, zone_error
from anjian.orgs.choices import GOVERNMENT_ROLES
from anjian.orgs.models import OrgUnit

__all__ = ["Enterprise", "Grid", "Licence", "Standardization", "SupervisionRule"]

#: Licences whose validity ends within this many days are "即将到期" (the default of the pages).
EXPIRING_DAYS = 90
#: Standardisation certificates are re-reviewed every three years (三年复评).
REVIEW_YEARS = 3

#: ``orgs.OrgUnit`` code of 腾格里技术产业园区管委会 (see ``anjian.orgs.seed``).
PARK_COMMITTEE_CODE = "YQGW"

GOV_READ_ROLES = GOVERNMENT_ROLES  # kept as a name for callers; the group lives in orgs.choices


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------------------------
# Scope rules, shared by the enterprise and the objects that belong to it
# ---------------------------------------------------------------------------------------------


def enterprise_scope_q(scope: Any, action: str = "view", prefix: str = "") -> models.Q | None:
    """Enterprises ``scope`` may ``action``, as a ``Q`` on a model reaching them through ``prefix``.

    View: zone-wide roles and the commander see all; department staff see the enterprises their unit
    (or a group it belongs to) supervises, and a town sees the enterprises in its town; enterprise users
    and gate operators see their own enterprise only. Change: zone-wide roles and the supervising
    department; an enterprise user changes its own enterprise (limited fields, enforced by the form).
    The park's management committee (腾格里技术产业园区管委会) sees every enterprise in the park.
    """
    if scope.sees_all:
        return models.Q()
    if scope.is_commander:
        return models.Q() if action == "view" else None
    if scope.is_enterprise_side:
        if scope.is_gate and action != "view":
            return None
        if not scope.enterprise_ids:
            return None
        return models.Q(**{f"{prefix}id__in": sorted(scope.enterprise_ids)})
    if scope.is_department and scope.unit_ids:
        units = sorted(scope.unit_ids)
        q = models.Q(**{f"{prefix}supervising_unit_id__in": units})
        if action == "view":
            q |= models.Q(**{f"{prefix}town_id__in": units})
            # Evaluated inside the same query: no extra round trip for every scoped list.
            is_park = models.Exists(OrgUnit.objects.filter(pk__in=units, code=PARK_COMMITTEE_CODE))
            q |= models.Q(**{f"{prefix}in_park": True}) & models.Q(is_park)
        return q
    return None


# ---------------------------------------------------------------------------------------------
# Grid
# ---------------------------------------------------------------------------------------------


class Grid(BaseModel):
    """A safety-supervision grid (网格) of a town, with the grid staff responsible for it."""

    code = models.CharField(_("网格编码"), max_length=32, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    town = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属镇"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind": "town"},
    )
    in_park = models.BooleanField(_("园区网格"), default=False)
    staff_name = models.CharField(_("网格员"), max_length=50, blank=True)
    staff_phone = models.CharField(_("网格员电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Government roles see every grid; enterprise users see their enterprise's grid; a town edits its own."""
        if scope.sees_all:
            return models.Q()
        if action == "view":
            if scope.role in GOV_READ_ROLES:
                return models.Q()
            if scope.enterprise_ids:
                return models.Q(enterprises__id__in=sorted(scope.enterprise_ids))
            return None
        if scope.is_department and scope.unit_ids:
            return models.Q(town_id__in=sorted(scope.unit_ids))
        return None

    def clean(self) -> None:
        if self.town_id is not None and self.town.kind != "town":
            raise ValidationError({"town": _("网格必须属于一个镇")})


# ---------------------------------------------------------------------------------------------
# Supervision rule (三个必须)
# ---------------------------------------------------------------------------------------------


class SupervisionRule(BaseModel):
    """三个必须: the department that supervises enterprises of one industry (seeded from the plan)."""

    industry = models.CharField(_("行业"), max_length=32, choices=Industry.choices, unique=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("监管部门"),
        on_delete=models.PROTECT,
        related_name="supervision_rules",
    )
    note = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        ordering = ["industry"]
        verbose_name = _("监管部门规则")
        verbose_name_plural = _("监管部门规则")

    def __str__(self) -> str:
        return f"{self.get_industry_display()} → {self.unit}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Government roles read the table; zone-wide roles (the committee office) change it."""
        if scope.sees_all:
            return models.Q()
        if action == "view" and scope.role in GOV_READ_ROLES:
            return models.Q()
        return None

    def clean(self) -> None:
        if self.unit_id is not None and self.unit.kind not in {"department", "committee", "town", "rescue"}:
            raise ValidationError({"unit": _("监管部门应为职能部门、镇或议事协调机构")})


# ---------------------------------------------------------------------------------------------
# Enterprise
# ---------------------------------------------------------------------------------------------


class Enterprise(BaseModel):
    """An enterprise of the zone, keyed by its 统一社会信用代码 (GB 32100-2015); the root of 一企一档.

    ``supervising_unit`` follows from ``industry`` through :class:`SupervisionRule` unless
    ``supervision_overridden`` (then ``supervision_override_reason`` says why). ``org_unit`` is the
    enterprise-side unit that its users belong to; it is created together with the enterprise.
    """

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    town = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所在镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_enterprises",
        limit_choices_to={"kind": "town"},
    )
    in_park = models.BooleanField(_("位于腾格里技术产业园区"), default=False)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    plot_geojson = models.JSONField(
        _("地块轮廓"), null=True, blank=True, help_text=_("GeoJSON Polygon 或 MultiPolygon，WGS 84 经纬度")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    scale = models.CharField(_("规模"), max_length=16, choices=Scale.choices, default=Scale.SMALL)
    industry = models.CharField(_("行业"), max_length=32, choices=Industry.choices)
    key_process = models.BooleanField(_("涉及重点监管危险化工工艺"), default=False)
    key_chemical = models.BooleanField(_("涉及重点监管危险化学品"), default=False)
    major_hazard = models.BooleanField(_("构成危险化学品重大危险源"), default=False)
    legal_rep = models.CharField(_("法定代表人"), max_length=50, blank=True)
    principal = models.CharField(_("主要负责人"), max_length=50, blank=True)
    safety_manager_name = models.CharField(_("安全管理负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    employees = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True)
    supervising_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("行业监管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_enterprises",
    )
    supervision_overridden = models.BooleanField(_("手工指定监管部门"), default=False)
    supervision_override_reason = models.CharField(_("指定理由"), max_length=300, blank=True)
    org_unit = models.OneToOneField(
        "orgs.OrgUnit",
        verbose_name=_("企业端单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            models.Index(fields=["industry"]),
            models.Index(fields=["status", "scale"]),
            # The list's order: a page of a province's enterprises needs no sort of all of them (issue 8).
            models.Index(fields=["name", "id"], name="enterprise_list"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """See :func:`enterprise_scope_q`."""
        return enterprise_scope_q(scope, action)

    @property
    def display_name(self) -> str:
        """The short name when there is one."""
        return self.short_name or self.name

    @property
    def is_active(self) -> bool:
        """在营 or 停产 (counted in registers and rates)."""
        return self.status in ACTIVE_STATES

    @property
    def two_key_one_major(self) -> bool:
        """涉及“两重点一重大”."""
        return self.key_process or self.key_chemical or self.major_hazard

    def get_status_colour(self) -> str:
        return EnterpriseStatus.colour_of(self.status)

    def clean_fields(self, exclude: Any = None) -> None:
        # Normalise first (full-width digits, spaces, case) so the length check sees the real code;
        # a code that is still too long is left to clean(), which says so in the code's own terms.
        exclude = set(exclude or ())
        if self.uscc:
            self.uscc = check_uscc(self.uscc).normalized
            if len(self.uscc) > 18:
                exclude.add("uscc")
        # ``Model.clean_fields``, with an import batch's quick checks when one is active.
        batch_clean_fields(self, exclude)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        # An empty code is reported by the field itself ("这个字段不能为空").
        if self.uscc:
            result = check_uscc(self.uscc)
            if result.valid:
                self.uscc = result.normalized
            else:
                errors["uscc"] = result.message
        if self.name:
            self.name = self.name.strip()
        error = point_error(self.lon, None)
        if error:
            errors["lon"] = error
        error = point_error(None, self.lat)
        if error:
            errors["lat"] = error
        if (self.lon is None) != (self.lat is None):
            errors["lat" if self.lat is None else "lon"] = str(_("经度和纬度应同时填写"))
        error = plot_error(self.plot_geojson)
        if error:
            errors["plot_geojson"] = error
        if not {"lon", "lat", "plot_geojson"} & set(errors):
            errors.update(zone_error(self.lon, self.lat, self.plot_geojson))
        if self.town is not None and self.town.kind != "town":
            errors["town"] = str(_("所在镇必须是一个镇"))
        if self.grid is not None and self.town is not None and self.grid.town_id != self.town_id:
            errors["grid"] = str(
                _("网格“%(grid)s”不属于%(town)s") % {"grid": self.grid.name, "town": self.town.name}
            )
        if self.supervision_overridden:
            if self.supervising_unit_id is None:
                errors["supervising_unit"] = str(_("手工指定监管部门时必须选择监管部门"))
            if not (self.supervision_override_reason or "").strip():
                errors["supervision_override_reason"] = str(_("手工指定监管部门时必须填写理由"))
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Licence
# ---------------------------------------------------------------------------------------------


class Licence(BaseModel):
    """A safety-related licence (许可证) of an enterprise with its validity."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(_("许可证类型"), max_length=32, choices=LicenceKind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"))
    scope = models.TextField(_("许可范围"), blank=True)

    class Meta:
        ordering = ["valid_until", "id"]
        indexes = [models.Index(fields=["valid_until", "id"], name="licence_list")]
        verbose_name = _("许可证")
        verbose_name_plural = _("许可证")
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="licence_kind_number_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible with the enterprise; changed by zone-wide roles and the supervising department."""
        if action != "view" and scope.is_enterprise:
            return None
        return enterprise_scope_q(scope, action, prefix="enterprise__")

    def state(self, as_of: dt.date | None = None, days: int = EXPIRING_DAYS) -> LicenceState:
        """有效 / 即将到期 (ends within ``days``) / 已过期, on ``as_of`` (today by default)."""
        today = as_of or timezone.localdate()
        if self.valid_until < today:
            return LicenceState.EXPIRED
        if self.valid_until <= today + dt.timedelta(days=days):
            return LicenceState.EXPIRING
        return LicenceState.VALID

    def days_left(self, as_of: dt.date | None = None) -> int:
        """Days until ``valid_until`` (negative once expired)."""
        return (self.valid_until - (as_of or timezone.localdate())).days

    def clean(self) -> None:
        if self.issued_on and self.valid_until and self.valid_until < self.issued_on:
            raise ValidationError({"valid_until": _("有效期至不能早于发证日期")})
        if self.number:
            self.number = self.number.strip()


# ---------------------------------------------------------------------------------------------
# Standardisation
# ---------------------------------------------------------------------------------------------


class Standardization(BaseModel):
    """A 安全生产标准化 grading (or 小微企业规范化) of an enterprise, with its three-year re-review date.

    An enterprise's history keeps every grading; ``is_current`` marks the one in force.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="standardizations"
    )
    grade = models.CharField(_("等级"), max_length=16, choices=StandardizationGrade.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=64, unique=True)
    issued_on = models.DateField(_("发证日期"))
    review_due = models.DateField(_("复评到期日"), blank=True, help_text=_("默认为发证日期后三年"))
    agency = models.CharField(_("评审机构"), max_length=200, blank=True)
    is_current = models.BooleanField(_("当前有效等级"), default=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["-issued_on", "-id"], name="standardization_list")]
        verbose_name = _("安全生产标准化")
        verbose_name_plural = _("安全生产标准化")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_grade_display()}（{self.certificate_no}）"

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible with the enterprise; changed by zone-wide roles and the supervising department."""
        if action != "view" and scope.is_enterprise:
            return None
        return enterprise_scope_q(scope, action, prefix="enterprise__")

    def get_grade_colour(self) -> str:
        return StandardizationGrade.colour_of(self.grade)

    def is_valid_on(self, as_of: dt.date) -> bool:
        """In force on ``as_of``: current, issued by then, and its re-review not overdue."""
        return self.is_current and self.issued_on <= as_of and self.review_due >= as_of

    def clean(self) -> None:
        if self.issued_on and not self.review_due:
            self.review_due = add_years(self.issued_on, REVIEW_YEARS)
        if self.issued_on and self.review_due and self.review_due <= self.issued_on:
            raise ValidationError({"review_due": _("复评到期日应晚于发证日期")})
        if self.certificate_no:
            self.certificate_no = self.certificate_no.strip()
        if (
            self.grade
            and self.enterprise_id is not None
            and self.grade == StandardizationGrade.SMALL
            and self.enterprise.scale == Scale.ABOVE
        ):
            raise ValidationError({"grade": _("规模以上企业应评定一级、二级或三级，不适用小微企业规范化")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.issued_on and not self.review_due:
            self.review_due = add_years(self.issued_on, REVIEW_YEARS)
        super().save(*args, **kwargs)
