"""Emergency management (plan chapter 六): plans, resources, drills and their improvements, incidents with
their grade (国务院令第493号), reporting checklist, command timeline and consequence footprints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.assessment.choices import AccidentGrade
from anjian.core.models import BaseModel
from anjian.domain import accident_grade as grading
from anjian.emergency.choices import (
    ROAD_OR_FIRE,
    ImprovementStatus,
    IncidentKind,
    IncidentStatus,
    PlanKind,
    PlanLevel,
    ResourceKind,
    TeamType,
    TimelineKind,
)

__all__ = [
    "Drill",
    "EmergencyPlan",
    "Footprint",
    "Improvement",
    "Incident",
    "IncidentRevision",
    "Resource",
    "TimelineEntry",
    "owned_q",
]

#: Plans are reviewed every three years (《生产安全事故应急预案管理办法》第三十五条: 每三年至少评估一次).
PLAN_REVIEW_YEARS = 3


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------------------------
# Scope: rows owned by an enterprise, by a unit, or by the zone
# ---------------------------------------------------------------------------------------------


def owned_q(scope: Any, action: str = "view", prefix: str = "", *, public: bool = False) -> models.Q | None:
    """Rows of emergency data (reaching ``enterprise`` and ``owner_unit`` through ``prefix``) in ``scope``.

    Zone-wide roles: all. The commander: reads all. Department and town staff: read the zone-level rows
    (no enterprise) and the enterprises they may see (``enterprise_scope_q``); change their own unit's rows
    and those of the enterprises they supervise. Enterprise users: their own enterprise's rows (and, with
    ``public``, the zone-level rows too — e.g. public rescue resources — read only).
    """
    from anjian.enterprises.models import enterprise_scope_q

    if scope.sees_all:
        return models.Q()
    if scope.is_commander:
        return models.Q() if action == "view" else None
    ent = enterprise_scope_q(scope, action, prefix=f"{prefix}enterprise__")
    if ent is not None:
        ent = models.Q(**{f"{prefix}enterprise__isnull": False}) & ent
    if scope.is_enterprise:
        if public and action == "view":
            zone = models.Q(**{f"{prefix}enterprise__isnull": True})
            return zone if ent is None else ent | zone
        return ent
    if scope.is_department and scope.org_id is not None:
        if action == "view":
            own = models.Q(**{f"{prefix}enterprise__isnull": True})
        else:
            own = models.Q(
                **{f"{prefix}enterprise__isnull": True, f"{prefix}owner_unit_id__in": sorted(scope.unit_ids)}
            )
        return own if ent is None else own | ent
    return None


class OwnedModel(BaseModel):
    """An emergency row that belongs to an enterprise, a unit, or the zone (neither)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return owned_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @property
    def owner_name(self) -> str:
        if self.enterprise_id:
            return str(self.enterprise.display_name)  # type: ignore[union-attr]
        if self.owner_unit_id:
            return str(self.owner_unit.name)  # type: ignore[union-attr]
        return "示范区"


def _point_errors(obj: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    lon, lat = getattr(obj, "lon", None), getattr(obj, "lat", None)
    if (lon is None) != (lat is None):
        errors["lat" if lat is None else "lon"] = str(_("经度和纬度应同时填写"))
    if lon is not None and not (Decimal(70) <= Decimal(lon) <= Decimal(140)):
        errors["lon"] = str(_("经度应在70至140之间（WGS 84）"))
    if lat is not None and not (Decimal(0) <= Decimal(lat) <= Decimal(60)):
        errors["lat"] = str(_("纬度应在0至60之间（WGS 84）"))
    return errors


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------


class EmergencyPlan(OwnedModel):
    """An emergency plan (综合/专项/现场处置方案) of an enterprise, a department or the zone."""

    title = models.CharField(_("预案名称"), max_length=200)
    kind = models.CharField(_("预案类型"), max_length=20, choices=PlanKind.choices)
    level = models.CharField(_("层级"), max_length=20, choices=PlanLevel.choices)
    version = models.CharField(_("版本"), max_length=20, default="1.0")
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    approved_by = models.CharField(_("批准人"), max_length=50, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_no = models.CharField(_("备案编号"), max_length=64, blank=True)
    review_due = models.DateField(_("评估到期"), null=True, blank=True, help_text=_("批准后每三年评估一次"))
    scenarios = models.TextField(_("适用情形"), blank=True)
    linked_risks = models.TextField(_("关联风险"), blank=True)
    installations = models.ManyToManyField(
        "majorhazards.HazardInstallation",
        verbose_name=_("关联危险源"),
        blank=True,
        related_name="emergency_plans",
    )

    class Meta:
        ordering = ["review_due", "title"]
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"

    def get_absolute_url(self) -> str:
        return reverse("emergency:plan_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.level == PlanLevel.ENTERPRISE and not self.enterprise_id:
            errors["enterprise"] = _("企业预案须选择企业")
        if self.level != PlanLevel.ENTERPRISE and self.enterprise_id:
            errors["enterprise"] = _("部门或示范区预案不应选择企业")
        if self.level == PlanLevel.DEPARTMENT and not self.owner_unit_id:
            errors["owner_unit"] = _("部门预案须选择责任单位")
        if self.filed_on and self.approved_on and self.filed_on < self.approved_on:
            errors["filed_on"] = _("备案日期不能早于批准日期")
        if errors:
            raise ValidationError(errors)

    def derive(self) -> None:
        """Review due three years after approval."""
        self.review_due = add_years(self.approved_on, PLAN_REVIEW_YEARS) if self.approved_on else None

    def review_overdue(self, today: dt.date | None = None) -> bool:
        return self.review_due is not None and self.review_due < (today or timezone.localdate())

    @property
    def is_filed(self) -> bool:
        return self.filed_on is not None


# ---------------------------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------------------------


class Resource(OwnedModel):
    """An emergency resource: a rescue team, equipment, materials, a shelter or a medical point."""

    kind = models.CharField(_("类别"), max_length=20, choices=ResourceKind.choices)
    team_type = models.CharField(_("队伍类型"), max_length=20, choices=TeamType.choices, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    quantity = models.DecimalField(
        _("数量"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    unit_label = models.CharField(_("计量单位"), max_length=20, default="个")
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("应急资源")
        verbose_name_plural = _("应急资源")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Public (zone-level) resources are also read by enterprise users, for 'nearest to me'."""
        return owned_q(scope, action, public=True)

    def get_absolute_url(self) -> str:
        return reverse("emergency:resource_list") + f"?kind={self.kind}"

    def clean(self) -> None:
        errors: dict[str, Any] = _point_errors(self)
        if self.kind == ResourceKind.TEAM and not self.team_type:
            errors["team_type"] = _("救援队伍须选择队伍类型")
        if self.kind != ResourceKind.TEAM and self.team_type:
            errors["team_type"] = _("只有救援队伍填写队伍类型")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Drills and improvements
# ---------------------------------------------------------------------------------------------


class Drill(OwnedModel):
    """A drill of a plan: when, the scenario, who took part, how it went."""

    plan = models.ForeignKey(
        EmergencyPlan,
        verbose_name=_("演练预案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drills",
    )
    title = models.CharField(_("演练名称"), max_length=200)
    held_on = models.DateField(_("演练日期"))
    scenario = models.TextField(_("演练情景"))
    participants = models.PositiveIntegerField(_("参演人数"), default=0)
    participant_units = models.CharField(_("参演单位"), max_length=300, blank=True)
    evaluation = models.TextField(_("演练评估"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("emergency:drill_detail", args=[self.pk])


class Improvement(BaseModel):
    """An improvement a drill raised, tracked to done."""

    drill = models.ForeignKey(
        Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="improvements"
    )
    description = models.CharField(_("整改事项"), max_length=300)
    owner_name = models.CharField(_("责任人"), max_length=50, blank=True)
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("演练整改项")
        verbose_name_plural = _("演练整改项")

    def __str__(self) -> str:
        return self.description

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return owned_q(scope, action, prefix="drill__")

    def audit_related(self) -> models.Model | None:
        return self.drill

    def get_absolute_url(self) -> str:
        return self.drill.get_absolute_url()

    def overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.status == ImprovementStatus.OPEN
            and self.due_on is not None
            and self.due_on < (today or timezone.localdate())
        )


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


class Incident(OwnedModel):
    """An accident (事故) as reported: time, place, casualties and loss → grade; then command and follow-up.

    ``reports_done`` maps reporting-checklist keys (see ``anjian.domain.accident_grade``) to the ISO time the
    report was made. ``veto_unit_ids`` lists the units whose assessment veto event this incident created.
    """

    title = models.CharField(_("事故简述"), max_length=200)
    kind = models.CharField(
        _("事故类别"), max_length=20, choices=IncidentKind.choices, default=IncidentKind.PRODUCTION
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    known_at = models.DateTimeField(_("单位负责人接报时间"))
    place = models.CharField(_("发生地点"), max_length=200)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    town = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("属地镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveIntegerField(_("重伤人数"), default=0, help_text=_("含急性工业中毒"))
    loss_cny = models.DecimalField(
        _("直接经济损失（元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    grade = models.CharField(
        _("事故等级"), max_length=20, choices=AccidentGrade.choices, default=AccidentGrade.GENERAL
    )
    grade_by = models.CharField(_("定级依据"), max_length=20, blank=True)
    first_grade = models.CharField(
        _("首报等级"), max_length=20, choices=AccidentGrade.choices, default=AccidentGrade.GENERAL
    )
    summary = models.TextField(_("事故概况"), blank=True)
    cause = models.TextField(_("原因分析"), blank=True)
    reports_done = models.JSONField(_("已报告"), default=dict, blank=True)
    veto_unit_ids = models.JSONField(_("已触发否决的单位"), default=list, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接报人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("事故")
        verbose_name_plural = _("事故")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("emergency:incident_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = _point_errors(self)
        if self.occurred_at and self.known_at and self.known_at < self.occurred_at:
            errors["known_at"] = _("接报时间不能早于发生时间")
        if self.occurred_at and self.occurred_at > timezone.now() + dt.timedelta(minutes=5):
            errors["occurred_at"] = _("发生时间不能晚于当前时间")
        if self.town_id and self.town.kind != "town":  # type: ignore[union-attr]
            errors["town"] = _("属地须为镇")
        if errors:
            raise ValidationError(errors)

    @property
    def road_or_fire(self) -> bool:
        return self.kind in ROAD_OR_FIRE

    @property
    def grade_enum(self) -> grading.AccidentGrade:
        return grading.grade_from_label(self.grade) or grading.AccidentGrade.GENERAL

    def grade_result(self) -> grading.GradeResult:
        return grading.grade_accident(self.deaths, self.injuries, self.loss_cny)

    def get_grade_colour(self) -> str:
        return AccidentGrade.colour_of(self.grade)

    def get_status_colour(self) -> str:
        return IncidentStatus.colour_of(self.status)

    def done_times(self) -> dict[str, dt.datetime]:
        return {k: dt.datetime.fromisoformat(v) for k, v in (self.reports_done or {}).items()}

    def checklist(self) -> list[grading.ChecklistItem]:
        """The first report's items, then one round per casualty change inside the 补报 window."""
        done = self.done_times()
        first = grading.grade_from_label(self.first_grade) or grading.AccidentGrade.GENERAL
        items = grading.reporting_checklist(first, self.known_at, done=done)
        for revision in self.revisions.all():
            if revision.within_window:
                after = grading.grade_from_label(revision.grade_after) or grading.AccidentGrade.GENERAL
                items += grading.reporting_checklist(
                    after,
                    revision.changed_at,
                    done=done,
                    prefix=f"r{revision.round_no}-",
                    label_prefix=f"第{revision.round_no}次补报：",
                )
        return items

    def supplement_window_ends(self) -> dt.datetime:
        return self.occurred_at + dt.timedelta(days=grading.supplement_window_days(self.road_or_fire))


class IncidentRevision(BaseModel):
    """A casualty change: the numbers and grade before and after, and whether it falls in the 补报 window."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="revisions"
    )
    round_no = models.PositiveSmallIntegerField(_("补报次序"))
    changed_at = models.DateTimeField(_("变化时间"))
    deaths = models.PositiveIntegerField(_("死亡人数"))
    injuries = models.PositiveIntegerField(_("重伤人数"))
    loss_cny = models.DecimalField(_("直接经济损失（元）"), max_digits=14, decimal_places=2)
    grade_before = models.CharField(_("原等级"), max_length=20, choices=AccidentGrade.choices)
    grade_after = models.CharField(_("新等级"), max_length=20, choices=AccidentGrade.choices)
    within_window = models.BooleanField(_("在补报期限内"))
    explanation = models.CharField(_("说明"), max_length=300)

    class Meta:
        ordering = ["round_no"]
        unique_together = [("incident", "round_no")]
        verbose_name = _("伤亡变化")
        verbose_name_plural = _("伤亡变化")

    def __str__(self) -> str:
        return self.explanation

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return owned_q(scope, action, prefix="incident__")


class TimelineEntry(BaseModel):
    """One line of an incident's command timeline: a decision, a resource dispatched, a follow-up report."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="timeline"
    )
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类型"), max_length=20, choices=TimelineKind.choices)
    text = models.CharField(_("内容"), max_length=500)
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("调派资源"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispatches",
    )
    quantity = models.DecimalField(_("调派数量"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("指挥时间线")
        verbose_name_plural = _("指挥时间线")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%m-%d %H:%M} {self.get_kind_display()}：{self.text}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return owned_q(scope, action, prefix="incident__")

    def get_kind_colour(self) -> str:
        return TimelineKind.colour_of(self.kind)


class Footprint(OwnedModel):
    """A Gaussian-plume consequence footprint of a continuous release (``anjian.domain.plume``)."""

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("事故"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footprints",
    )
    name = models.CharField(_("名称"), max_length=200)
    substance = models.CharField(_("泄漏物质"), max_length=100)
    lon = models.DecimalField(_("泄漏点经度"), max_digits=9, decimal_places=6)
    lat = models.DecimalField(_("泄漏点纬度"), max_digits=9, decimal_places=6)
    release_gs = models.FloatField(_("泄漏速率（克/秒）"))
    height_m = models.FloatField(_("泄漏高度（米）"), default=0)
    wind_speed = models.FloatField(_("风速（米/秒）"))
    wind_from_deg = models.FloatField(_("风向（度，来向）"), help_text=_("风的来向，正北为0，顺时针"))
    daytime = models.BooleanField(_("白天"), default=True)
    insolation = models.CharField(
        _("日照"),
        max_length=10,
        choices=[("strong", _("强")), ("moderate", _("中等")), ("slight", _("弱"))],
        default="moderate",
    )
    cloud_oktas = models.PositiveSmallIntegerField(_("云量（成）"), default=0)
    stability = models.CharField(_("大气稳定度"), max_length=5, blank=True)
    level1_label = models.CharField(_("高浓度阈值名称"), max_length=50, default="IDLH")
    level1_mg_m3 = models.FloatField(_("高浓度阈值（毫克/立方米）"))
    level2_label = models.CharField(_("低浓度阈值名称"), max_length=50, default="防护行动浓度")
    level2_mg_m3 = models.FloatField(_("低浓度阈值（毫克/立方米）"))
    result = models.JSONField(_("计算结果"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("泄漏影响范围")
        verbose_name_plural = _("泄漏影响范围")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("emergency:footprint_detail", args=[self.pk])


class WeatherStation(BaseModel):
    """A weather station that reports over the monitoring ingest: its wind-speed and wind-direction points.

    The footprint form takes the wind from the newest readings of the zone's station (``selectors.
    station_wind``) when they are recent; otherwise the weather is entered by hand. Zone-wide: every signed-in
    user reads it (the wind is no secret), the committee office sets it up.
    """

    name = models.CharField(_("名称"), max_length=100)
    wind_speed_point = models.ForeignKey(
        "monitoring.MonitoringPoint",
        verbose_name=_("风速测点（米/秒）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    wind_direction_point = models.ForeignKey(
        "monitoring.MonitoringPoint",
        verbose_name=_("风向测点（度，来向）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    max_age_minutes = models.PositiveSmallIntegerField(
        _("数据有效期（分钟）"), default=30, help_text=_("超过此时间没有新读数时不再采用")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("气象站")
        verbose_name_plural = _("气象站")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        if scope.sees_all:
            return models.Q()
        return models.Q() if action == "view" and scope.user_id else None
