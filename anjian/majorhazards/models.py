"""The 重大危险源 register: installations, their inventories, grading history, 包保 responsibility and checks.

Identification and grading follow GB 18218-2018 (``anjian.domain.gb18218``); the grade stored on an
installation is always the result of its current inventory (``actions.regrade``), and every grading is kept
in :class:`Grading`. 包保 follows 应急管理部《危险化学品企业重大危险源安全包保责任制办法（试行）》(2021).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.core.uploads import check_uploaded_file
from anjian.enterprises.geometry import plot_error, point_error
from anjian.enterprises.models import enterprise_scope_q
from anjian.majorhazards.choices import (
    GRADE_COLOURS,
    FilingStatus,
    GapKind,
    Grade,
    InstallationStatus,
    PhysicalState,
    ResponsibilityLevel,
    UnitKind,
)

__all__ = [
    "Grading",
    "HazardInstallation",
    "InventoryLine",
    "Responsibility",
    "ResponsibilityCheck",
    "ResponsibilityGap",
    "installation_scope_q",
]


def installation_scope_q(scope: Any, action: str = "view", prefix: str = "") -> models.Q | None:
    """Installations (or rows reaching one through ``prefix``, e.g. ``"installation__"``) in ``scope``.

    Visible as their enterprise is (``enterprise_scope_q``); changed by zone-wide roles, the supervising
    department and the enterprise itself (an enterprise identifies and declares its own 重大危险源).
    Other modules pointing at an installation reuse this with their own prefix.
    """
    return enterprise_scope_q(scope, action, prefix=f"{prefix}enterprise__")


# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------


class HazardInstallation(BaseModel):
    """A production or storage unit of an enterprise, identified (and graded) by GB 18218-2018.

    ``is_major``, ``s_value``, ``r_value``, ``alpha`` and ``grade`` are written only by
    ``actions.regrade`` from the inventory lines and ``population_500m``; never edit them directly.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="hazard_installations",
    )
    code = models.CharField(
        _("重大危险源编号"), max_length=40, unique=True, help_text=_("备案编号或企业内部编号，全区唯一")
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("如：液氯储罐区、氯乙烯合成装置"))
    unit_kind = models.CharField(_("单元类型"), max_length=16, choices=UnitKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=InstallationStatus.choices, default=InstallationStatus.IN_USE
    )
    population_500m = models.PositiveIntegerField(
        _("500米内常住人口"),
        default=0,
        help_text=_("厂区边界向外扩展500米范围内常住人口数（GB 18218-2018 表5）"),
    )
    identified_on = models.DateField(_("辨识日期"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    # Map
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    outline_geojson = models.JSONField(
        _("范围轮廓"), null=True, blank=True, help_text=_("GeoJSON Polygon 或 MultiPolygon，WGS 84 经纬度")
    )
    # Grading (written by actions.regrade only)
    is_major = models.BooleanField(_("构成重大危险源"), default=False, editable=False)
    s_value = models.DecimalField(
        _("辨识指标S"), max_digits=14, decimal_places=4, null=True, blank=True, editable=False
    )
    r_value = models.DecimalField(
        _("分级指标R"), max_digits=14, decimal_places=4, null=True, blank=True, editable=False
    )
    alpha = models.DecimalField(
        _("校正系数α"), max_digits=4, decimal_places=2, null=True, blank=True, editable=False
    )
    grade = models.PositiveSmallIntegerField(
        _("等级"), choices=Grade.choices, null=True, blank=True, editable=False, db_index=True
    )
    graded_at = models.DateTimeField(_("分级时间"), null=True, blank=True, editable=False)
    grading_error = models.CharField(_("分级错误"), max_length=300, blank=True, editable=False)
    # Filing (备案)
    filing_status = models.CharField(
        _("备案状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.NOT_FILED
    )
    filing_number = models.CharField(_("备案编号"), max_length=64, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    # Safety assessment (安全评估报告)
    assessment_report_no = models.CharField(_("安全评估报告编号"), max_length=64, blank=True)
    assessment_agency = models.CharField(_("评估机构"), max_length=200, blank=True)
    assessed_on = models.DateField(_("安全评估报告日期"), null=True, blank=True)
    assessment_conclusion = models.CharField(_("评估结论"), max_length=300, blank=True)
    assessment_file = models.FileField(
        _("安全评估报告文件"), upload_to="majorhazards/assessments/%Y/", blank=True
    )

    class Meta:
        ordering = ["enterprise__name", "code", "id"]
        verbose_name = _("重大危险源")
        verbose_name_plural = _("重大危险源")
        indexes = [models.Index(fields=["is_major", "grade"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self) -> str:
        return reverse("majorhazards:installation_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """See :func:`installation_scope_q`."""
        return installation_scope_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def get_grade_colour(self) -> str:
        return GRADE_COLOURS.get(self.grade or 0, "secondary")

    def get_filing_status_colour(self) -> str:
        return FilingStatus.colour_of(self.filing_status)

    def get_status_colour(self) -> str:
        return InstallationStatus.colour_of(self.status)

    @property
    def grade_label(self) -> str:
        """一级…四级, or 不构成 when the installation is not a 重大危险源."""
        if self.grading_error:
            return str(_("无法分级"))
        if not self.is_major or self.grade is None:
            return str(_("不构成"))
        return str(Grade(self.grade).label)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.code:
            self.code = self.code.strip()
        if self.name:
            self.name = self.name.strip()
        for field, error in (("lon", point_error(self.lon, None)), ("lat", point_error(None, self.lat))):
            if error:
                errors[field] = error
        if (self.lon is None) != (self.lat is None):
            errors["lat" if self.lat is None else "lon"] = str(_("经度和纬度应同时填写"))
        error = plot_error(self.outline_geojson)
        if error:
            errors["outline_geojson"] = error
        if self.filing_status == FilingStatus.FILED and not self.filed_on:
            errors["filed_on"] = str(_("已备案时必须填写备案日期"))
        if self.assessed_on and self.assessed_on > timezone.localdate():
            errors["assessed_on"] = str(_("安全评估报告日期不能晚于今天"))
        try:
            check_uploaded_file(self.assessment_file, label=str(_("安全评估报告文件")))
        except ValidationError as exc:
            errors["assessment_file"] = "；".join(exc.messages)
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Inventory
# ---------------------------------------------------------------------------------------------


class InventoryLine(BaseModel):
    """One hazardous chemical in an installation with its maximum quantity (GB 18218-2018 §4.2.2).

    The substance is named by Chinese name, alias or CAS (GB 18218-2018 Table 1) or, when not in Table 1,
    given its hazard category (Table 2 symbol such as ``W5.1``). An explicit ``category`` also overrides
    the category kept for a Table 1 chemical when β is taken from Table 4.
    """

    installation = models.ForeignKey(
        HazardInstallation, verbose_name=_("重大危险源"), on_delete=models.CASCADE, related_name="inventory"
    )
    substance = models.CharField(_("危险化学品名称"), max_length=100)
    cas = models.CharField(_("CAS号"), max_length=16, blank=True)
    category = models.CharField(
        _("危险性类别"), max_length=8, blank=True, help_text=_("GB 18218-2018 表2 代号，如 W5.1、J3")
    )
    max_quantity_t = models.DecimalField(
        _("最大存量（吨）"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0"))],
    )
    physical_state = models.CharField(_("物理状态"), max_length=16, choices=PhysicalState.choices, blank=True)
    container = models.CharField(_("容器/设备"), max_length=100, blank=True, help_text=_("如：2×500m³ 球罐"))
    temperature_c = models.DecimalField(
        _("操作温度（℃）"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    pressure_mpa = models.DecimalField(
        _("操作压力（MPa）"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    conditions = models.CharField(_("工艺条件"), max_length=200, blank=True)

    class Meta:
        ordering = ["installation", "id"]
        verbose_name = _("危险化学品存量")
        verbose_name_plural = _("危险化学品存量")

    def __str__(self) -> str:
        return f"{self.substance} {self.max_quantity_t} t"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return installation_scope_q(scope, action, prefix="installation__")

    def audit_related(self) -> models.Model | None:
        return self.installation

    def clean(self) -> None:
        self.substance = (self.substance or "").strip()
        self.cas = (self.cas or "").strip()
        self.category = (self.category or "").strip().upper()
        if self.max_quantity_t is not None and self.max_quantity_t < 0:
            raise ValidationError({"max_quantity_t": _("最大存量不能为负数")})


class Grading(BaseModel):
    """One identification and grading of an installation (its history); the latest one is on the installation."""

    installation = models.ForeignKey(
        HazardInstallation, verbose_name=_("重大危险源"), on_delete=models.CASCADE, related_name="gradings"
    )
    graded_at = models.DateTimeField(_("分级时间"), db_index=True)
    is_major = models.BooleanField(_("构成重大危险源"), default=False)
    s_value = models.DecimalField(_("辨识指标S"), max_digits=14, decimal_places=4, null=True, blank=True)
    r_value = models.DecimalField(_("分级指标R"), max_digits=14, decimal_places=4, null=True, blank=True)
    alpha = models.DecimalField(_("校正系数α"), max_digits=4, decimal_places=2, null=True, blank=True)
    population = models.PositiveIntegerField(_("500米内常住人口"), default=0)
    grade = models.PositiveSmallIntegerField(_("等级"), choices=Grade.choices, null=True, blank=True)
    previous_grade = models.PositiveSmallIntegerField(
        _("原等级"), choices=Grade.choices, null=True, blank=True
    )
    contributions = models.JSONField(_("计算明细"), default=list, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    reason = models.CharField(_("触发原因"), max_length=200, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-graded_at", "-id"]
        verbose_name = _("辨识分级记录")
        verbose_name_plural = _("辨识分级记录")

    def __str__(self) -> str:
        return f"{self.installation} {self.graded_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        if action != "view":
            return None
        return installation_scope_q(scope, action, prefix="installation__")

    def audit_related(self) -> models.Model | None:
        return self.installation

    @property
    def grade_changed(self) -> bool:
        return self.grade != self.previous_grade


# ---------------------------------------------------------------------------------------------
# 包保 responsibility
# ---------------------------------------------------------------------------------------------


class Responsibility(BaseModel):
    """A 包保责任人 of one level for an installation, from ``since`` until ``until`` (open while ``until`` is empty)."""

    installation = models.ForeignKey(
        HazardInstallation,
        verbose_name=_("重大危险源"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    level = models.CharField(_("包保层级"), max_length=16, choices=ResponsibilityLevel.choices)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="hazard_duties"
    )
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("解除日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["installation", "level", "-since", "-id"]
        verbose_name = _("包保责任人")
        verbose_name_plural = _("包保责任人")
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "level"],
                condition=models.Q(until__isnull=True),
                name="majorhazards_one_current_per_level",
                violation_error_message=_("该层级已有在任包保责任人，请先解除"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.installation.name} {self.get_level_display()} {self.person.name}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return installation_scope_q(scope, action, prefix="installation__")

    def audit_related(self) -> models.Model | None:
        return self.installation

    def get_level_colour(self) -> str:
        return ResponsibilityLevel.colour_of(self.level)

    @property
    def is_current(self) -> bool:
        return self.until is None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.person_id is not None and self.installation_id is not None:
            if self.person.employer_enterprise_id != self.installation.enterprise_id:
                errors["person"] = str(_("包保责任人必须是本企业人员"))
            elif not self.person.is_active:
                errors["person"] = str(_("%(name)s 已离职，不能担任包保责任人") % {"name": self.person.name})
        if self.since and self.until and self.until < self.since:
            errors["until"] = str(_("解除日期不能早于起始日期"))
        if errors:
            raise ValidationError(errors)


class ResponsibilityCheck(BaseModel):
    """One periodic 包保 check (履职检查) logged by the responsible person, usually on a phone."""

    installation = models.ForeignKey(
        HazardInstallation, verbose_name=_("重大危险源"), on_delete=models.CASCADE, related_name="checks"
    )
    responsibility = models.ForeignKey(
        Responsibility,
        verbose_name=_("包保责任"),
        on_delete=models.PROTECT,
        related_name="checks",
    )
    level = models.CharField(_("包保层级"), max_length=16, choices=ResponsibilityLevel.choices)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="hazard_checks"
    )
    checked_at = models.DateTimeField(_("检查时间"), db_index=True)
    findings = models.TextField(_("检查情况"), blank=True)
    problems_found = models.PositiveSmallIntegerField(_("发现问题数"), default=0)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("包保履职检查")
        verbose_name_plural = _("包保履职检查")
        indexes = [models.Index(fields=["installation", "level", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.installation.name} {self.get_level_display()} {self.checked_at:%Y-%m-%d}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return installation_scope_q(scope, action, prefix="installation__")

    def audit_related(self) -> models.Model | None:
        return self.installation


class ResponsibilityGap(BaseModel):
    """A gap found by the job (missing person, lapsed certificate, missed check, filing, assessment age).

    Open while ``resolved_at`` is empty; the job closes a gap when it no longer finds it.
    """

    installation = models.ForeignKey(
        HazardInstallation, verbose_name=_("重大危险源"), on_delete=models.CASCADE, related_name="gaps"
    )
    kind = models.CharField(_("缺口类型"), max_length=24, choices=GapKind.choices)
    level = models.CharField(_("包保层级"), max_length=16, choices=ResponsibilityLevel.choices, blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.CharField(_("说明"), max_length=300)
    found_at = models.DateTimeField(_("发现时间"))
    resolved_at = models.DateTimeField(_("消除时间"), null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-found_at", "-id"]
        verbose_name = _("包保缺口")
        verbose_name_plural = _("包保缺口")
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "kind", "level"],
                condition=models.Q(resolved_at__isnull=True),
                name="majorhazards_one_open_gap",
            )
        ]

    def __str__(self) -> str:
        return f"{self.installation.name} {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        if action != "view":
            return None
        return installation_scope_q(scope, action, prefix="installation__")

    def audit_related(self) -> models.Model | None:
        return self.installation

    def get_kind_colour(self) -> str:
        return GapKind.colour_of(self.kind)
