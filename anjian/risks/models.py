"""The risk register (安全风险分级管控): 风险分析对象 → 风险分析单元 → 风险事件 → 管控措施.

The chain follows the national 双重预防数字化 guidance (standards.md §5.4; field names of the 数据交换规范 in
``data-exchange.md``: hazardCode, riskUnitName, riskEventName, riskMeasureDesc, classify1,
troubleshootContent). Every row carries its enterprise, so scoping is one filter everywhere.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.domain import risk_matrix
from anjian.enterprises.models import enterprise_scope_q
from anjian.risks.choices import LEVEL_RANK, AssessMethod, MeasureKind, ObjectKind, RiskLevel

__all__ = ["ControlMeasure", "RiskAssessment", "RiskBandSettings", "RiskEvent", "RiskObject", "RiskUnit"]


class EnterpriseOwned(BaseModel):
    """Abstract: a row of one enterprise's register, visible as the enterprise is (三个必须)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible and changeable as its enterprise is."""
        return enterprise_scope_q(scope, action, prefix="enterprise__")

    def audit_related(self) -> models.Model | None:
        """The enterprise, so the register's changes show on 一企一档."""
        return self.enterprise


class RiskObject(EnterpriseOwned):
    """风险分析对象 (hazardCode): a plant area, installation, process or job."""

    code = models.CharField(_("对象编码"), max_length=50, blank=True, help_text=_("危险源编码（hazardCode）"))
    name = models.CharField(_("对象名称"), max_length=200)
    kind = models.CharField(_("对象类型"), max_length=16, choices=ObjectKind.choices, default=ObjectKind.AREA)
    is_major_hazard = models.BooleanField(_("构成重大危险源"), default=False)
    installation = models.ForeignKey(
        "majorhazards.HazardInstallation",
        verbose_name=_("对应重大危险源/装置"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_objects",
        help_text=_("该对象对应的重大危险源登记（同一企业）"),
    )
    department = models.CharField(_("责任部门"), max_length=100, blank=True)
    liable_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices, blank=True)

    class Meta:
        ordering = ["enterprise_id", "code", "name", "id"]
        verbose_name = _("风险分析对象")
        verbose_name_plural = _("风险分析对象")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:object_detail", args=[self.pk])

    def get_level_colour(self) -> str:
        return RiskLevel.colour_of(self.level)

    def clean(self) -> None:
        """The installation is one of the same enterprise; a major one makes the object a 重大危险源."""
        from django.core.exceptions import ValidationError

        inst = self.installation
        if inst is not None:
            if self.enterprise_id is not None and inst.enterprise_id != self.enterprise_id:
                raise ValidationError({"installation": _("重大危险源须属于同一企业")})
            if inst.is_major:
                self.is_major_hazard = True
        for name, low, high in (("lon", -180, 180), ("lat", -90, 90)):
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise ValidationError({name: _("坐标超出范围")})


class RiskUnit(EnterpriseOwned):
    """风险分析单元 (riskUnitName): its level is the highest of its events; it carries its notice card."""

    risk_object = models.ForeignKey(
        RiskObject, verbose_name=_("风险分析对象"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("单元名称"), max_length=200)
    post = models.CharField(_("岗位"), max_length=100, blank=True)
    liable_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("包保责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hazards = models.TextField(_("主要危险有害因素"), blank=True)
    emergency_actions = models.TextField(_("应急处置措施"), blank=True)
    emergency_phones = models.CharField(_("应急电话"), max_length=300, blank=True)
    level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices, blank=True)

    class Meta:
        ordering = ["risk_object_id", "name", "id"]
        verbose_name = _("风险分析单元")
        verbose_name_plural = _("风险分析单元")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:unit_detail", args=[self.pk])

    def get_level_colour(self) -> str:
        return RiskLevel.colour_of(self.level)


class RiskEvent(EnterpriseOwned):
    """风险事件 (riskEventName): what can go wrong, its consequence, and its current assessment."""

    unit = models.ForeignKey(
        RiskUnit, verbose_name=_("风险分析单元"), on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField(_("风险事件"), max_length=200)
    description = models.TextField(_("风险描述"), blank=True)
    consequence = models.CharField(_("可能导致的后果"), max_length=300, blank=True)
    method = models.CharField(_("评价方法"), max_length=8, choices=AssessMethod.choices, blank=True)
    score = models.DecimalField(_("风险值"), max_digits=10, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices, blank=True)
    assessed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "name", "id"]
        verbose_name = _("风险事件")
        verbose_name_plural = _("风险事件")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:unit_detail", args=[self.unit_id])

    def get_level_colour(self) -> str:
        return RiskLevel.colour_of(self.level)

    @property
    def level_rank(self) -> int:
        return LEVEL_RANK.get(self.level, 0)


class RiskAssessment(EnterpriseOwned):
    """One assessment of a risk event (kept: a re-assessment adds a row, the event shows the latest)."""

    event = models.ForeignKey(
        RiskEvent, verbose_name=_("风险事件"), on_delete=models.CASCADE, related_name="assessments"
    )
    method = models.CharField(_("评价方法"), max_length=8, choices=AssessMethod.choices)
    likelihood = models.DecimalField(_("L"), max_digits=5, decimal_places=2)
    exposure = models.DecimalField(_("E"), max_digits=5, decimal_places=2, null=True, blank=True)
    consequence = models.DecimalField(_("C / S"), max_digits=6, decimal_places=2)
    score = models.DecimalField(_("风险值"), max_digits=10, decimal_places=2)
    level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices)
    assessed_at = models.DateTimeField(_("评价时间"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("风险评价记录")
        verbose_name_plural = _("风险评价记录")

    def __str__(self) -> str:
        return f"{self.event} {self.get_method_display()} {self.score}"


class ControlMeasure(EnterpriseOwned):
    """管控措施 (riskMeasureDesc, classify1, troubleshootContent) with its responsible person."""

    event = models.ForeignKey(
        RiskEvent, verbose_name=_("风险事件"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(
        _("管控方式"), max_length=16, choices=MeasureKind.choices, default=MeasureKind.ENGINEERING
    )
    description = models.TextField(_("管控措施"))
    check_content = models.TextField(_("隐患排查内容"), blank=True)
    liable_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["event_id", "kind", "id"]
        verbose_name = _("管控措施")
        verbose_name_plural = _("管控措施")

    def __str__(self) -> str:
        return self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse("risks:unit_detail", args=[self.event.unit_id])


class RiskBandSettings(BaseModel):
    """The zone's band edges (one row; the reference's defaults until changed on the settings page)."""

    lec_major = models.DecimalField(
        _("LEC 重大风险下限（D >）"), max_digits=7, decimal_places=2, default=Decimal("320")
    )
    lec_larger = models.DecimalField(
        _("LEC 较大风险下限（D >）"), max_digits=7, decimal_places=2, default=Decimal("160")
    )
    lec_general = models.DecimalField(
        _("LEC 一般风险下限（D >）"), max_digits=7, decimal_places=2, default=Decimal("70")
    )
    lec_low_split = models.DecimalField(
        _("LEC 稍有危险界限（D <）"), max_digits=7, decimal_places=2, default=Decimal("20")
    )
    ls_major = models.PositiveSmallIntegerField(_("风险矩阵 重大风险下限（R ≥）"), default=20)
    ls_larger = models.PositiveSmallIntegerField(_("风险矩阵 较大风险下限（R ≥）"), default=10)
    ls_general = models.PositiveSmallIntegerField(_("风险矩阵 一般风险下限（R ≥）"), default=4)

    class Meta:
        ordering = ["id"]
        verbose_name = _("风险分级界限")
        verbose_name_plural = _("风险分级界限")

    def __str__(self) -> str:
        return str(_("风险分级界限"))

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Everyone signed in reads the bands; the committee office changes them."""
        if scope.sees_all:
            return models.Q()
        return models.Q() if action == "view" and scope.user_id else None

    def as_bands(self) -> risk_matrix.Bands:
        return risk_matrix.Bands(
            lec_major=self.lec_major,
            lec_larger=self.lec_larger,
            lec_general=self.lec_general,
            lec_low_split=self.lec_low_split,
            ls_major=self.ls_major,
            ls_larger=self.ls_larger,
            ls_general=self.ls_general,
        )


def current_bands() -> risk_matrix.Bands:
    """The zone's bands (the reference defaults when none are stored)."""
    row = RiskBandSettings.objects.order_by("id").first()
    return row.as_bands() if row is not None else risk_matrix.DEFAULT_BANDS
