"""The yearly assessment: a scheme per year with its scoring rules and veto conditions, the recorded veto
events and manual adjustments, and the stored result of each unit (with its lines explained).

The scoring itself is pure and lives in ``anjian.domain.assessment``; these models hold its inputs
(rules, events, adjustments) and its outputs (results).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.assessment.choices import (
    AccidentGrade,
    Grade,
    RuleKind,
    SchemeState,
    VetoEventKind,
    VetoEventSource,
    VetoKind,
)
from anjian.assessment.constants import ASSESSED_KINDS, MAX_ADJUSTMENT
from anjian.core.models import BaseModel
from anjian.domain import assessment as scoring
from anjian.orgs.choices import UNIT_STAFF_ROLES

__all__ = ["AssessmentResult", "AssessmentScheme", "ManualAdjustment", "ScoringRule", "VetoEvent", "VetoRule"]

# Government roles outside the committee office: they read the schemes and their own unit's result.
_UNIT_ROLES = UNIT_STAFF_ROLES


def _scheme_q(scope: Any, action: str, prefix: str = "") -> models.Q | None:
    """Schemes and their rules are read by every government user and changed by zone-wide roles."""
    if scope.sees_all:
        return models.Q()
    if action == "view" and scope.role in _UNIT_ROLES:
        return models.Q()
    return None


def _own_unit_q(scope: Any, action: str) -> models.Q | None:
    """Zone-wide roles see every unit's rows; a department user reads (only) its own unit's rows."""
    if scope.sees_all:
        return models.Q()
    if action == "view" and scope.role in _UNIT_ROLES and scope.org_id is not None:
        return models.Q(unit_id=scope.org_id)
    return None


def default_grade_bands() -> dict[str, str]:
    """优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60."""
    return scoring.DEFAULT_BANDS.as_mapping()


# ---------------------------------------------------------------------------------------------------------
# The scheme and its rules
# ---------------------------------------------------------------------------------------------------------


class AssessmentScheme(BaseModel):
    """The assessment of one year: its rules, veto conditions, grade thresholds and, once run, results.

    Rule edits, veto events and adjustments after a run set ``needs_rerun``; a finalised scheme is locked.
    """

    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True)
    name = models.CharField(_("名称"), max_length=200)
    grade_bands = models.JSONField(
        _("等级分数线"),
        default=default_grade_bands,
        help_text=_('如 {"excellent": 90, "good": 80, "pass": 60}'),
    )
    is_final = models.BooleanField(_("已确认"), default=False)
    finalised_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    last_run_at = models.DateTimeField(_("最近计算时间"), null=True, blank=True)
    as_of = models.DateField(_("数据截止日期"), null=True, blank=True)
    needs_rerun = models.BooleanField(_("待重新计算"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name or f"{self.year}年度安全生产考核"

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Every government user reads schemes; zone-wide roles change them."""
        return _scheme_q(scope, action)

    def clean(self) -> None:
        try:
            bands = scoring.GradeBands.from_mapping(self.grade_bands)
        except (ValueError, AttributeError) as exc:
            raise ValidationError({"grade_bands": _("等级分数线须为数字")}) from exc
        if errors := bands.errors():
            raise ValidationError({"grade_bands": errors})
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("考核年度须在 2000 至 2100 之间")})

    @property
    def bands(self) -> scoring.GradeBands:
        """The grade thresholds as the scoring function takes them."""
        return scoring.GradeBands.from_mapping(self.grade_bands)

    @property
    def state(self) -> SchemeState:
        """未计算 / 已计算 / 待重新计算 / 已确认."""
        if self.is_final:
            return SchemeState.FINAL
        if self.last_run_at is None:
            return SchemeState.DRAFT
        return SchemeState.STALE if self.needs_rerun else SchemeState.COMPUTED

    def domain_rules(self) -> tuple[list[scoring.ScoringRule], list[scoring.VetoRule]]:
        """The scheme's rules as the scoring function takes them (uses prefetched rules when present)."""
        rules = [r.as_domain() for r in self.rules.all()]
        vetoes = [v.as_domain() for v in self.vetoes.all()]
        return rules, vetoes

    @property
    def max_points(self) -> Decimal:
        """The sum of the rules' points (the grade thresholds assume 100)."""
        return sum((r.max_points for r in self.rules.all()), Decimal(0))


class ScoringRule(BaseModel):
    """One scoring rule of a scheme: kind, title, the most points it gives, and its parameters."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("考核方案")
    )
    kind = models.CharField(_("规则类型"), max_length=32, choices=RuleKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name = _("计分规则")
        verbose_name_plural = _("计分规则")

    def __str__(self) -> str:
        return f"{self.title}（{Decimal(self.max_points).normalize():f} 分）"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Read with the scheme; changed by zone-wide roles."""
        return _scheme_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.scheme

    def clean(self) -> None:
        if self.max_points is None or not self.kind:
            return
        if errors := scoring.check_rule(self.kind, self.max_points, self.params or {}):
            raise ValidationError(errors)

    def as_domain(self) -> scoring.ScoringRule:
        """The rule as the scoring function takes it."""
        return scoring.ScoringRule(
            scoring.RuleKind(self.kind), self.title, Decimal(self.max_points), dict(self.params or {})
        )

    @property
    def description(self) -> str:
        """How the rule computes its points."""
        return scoring.describe_rule(self.as_domain())


class VetoRule(BaseModel):
    """One veto (一票否决) condition of a scheme: met, the unit is 不合格 whatever its points."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="vetoes", verbose_name=_("考核方案")
    )
    kind = models.CharField(_("否决条件类型"), max_length=32, choices=VetoKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name = _("一票否决条件")
        verbose_name_plural = _("一票否决条件")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Read with the scheme; changed by zone-wide roles."""
        return _scheme_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.scheme

    def clean(self) -> None:
        if not self.kind:
            return
        if errors := scoring.check_veto(self.kind, self.params or {}):
            raise ValidationError(errors)

    def as_domain(self) -> scoring.VetoRule:
        """The condition as the scoring function takes it."""
        return scoring.VetoRule(scoring.VetoKind(self.kind), self.title, dict(self.params or {}))

    @property
    def description(self) -> str:
        """What triggers the veto."""
        return scoring.describe_veto(self.as_domain())


# ---------------------------------------------------------------------------------------------------------
# Inputs recorded by the committee office
# ---------------------------------------------------------------------------------------------------------


class VetoEvent(BaseModel):
    """An event in a unit's remit that veto rules look at, e.g. a 较大 accident.

    The committee office records accidents here today; the incidents module, once it exists, will create
    them itself (``source = incidents``). The ``accident_at_least`` veto rule reads only these rows.
    """

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="veto_events", verbose_name=_("责任单位")
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    kind = models.CharField(
        _("类型"), max_length=20, choices=VetoEventKind.choices, default=VetoEventKind.ACCIDENT
    )
    grade = models.CharField(_("事故等级"), max_length=20, choices=AccidentGrade.choices)
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    description = models.CharField(_("事件概况"), max_length=300)
    source = models.CharField(
        _("来源"), max_length=20, choices=VetoEventSource.choices, default=VetoEventSource.MANUAL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        ordering = ["-year", "-occurred_on", "-id"]
        verbose_name = _("否决事项")
        verbose_name_plural = _("否决事项")

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}年 {self.get_grade_display()}{self.get_kind_display()}：{self.description}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Zone-wide roles see and record all; a unit reads the events in its own remit."""
        return _own_unit_q(scope, action)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.description or "").strip():
            errors["description"] = _("请填写事件概况")
        if self.occurred_on is not None and self.year is not None and self.occurred_on.year != self.year:
            errors["occurred_on"] = _("发生日期须在考核年度内")
        if self.unit_id is not None and self.unit.kind not in ASSESSED_KINDS:
            errors["unit"] = _("责任单位须为职能部门或镇")
        if errors:
            raise ValidationError(errors)

    @property
    def grade_colour(self) -> str:
        """Badge colour of the accident grade."""
        return AccidentGrade.colour_of(self.grade)

    def as_domain(self) -> scoring.VetoEventFact:
        """The event as the scoring function takes it."""
        return scoring.VetoEventFact(
            kind=self.kind,
            grade=str(self.get_grade_display()),
            description=self.description,
            occurred_on=self.occurred_on,
            source=str(self.get_source_display()),
        )


class ManualAdjustment(BaseModel):
    """Points added or taken off a unit's score by the committee office, with the reason."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("考核方案")
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="assessment_adjustments",
        verbose_name=_("单位"),
    )
    points = models.DecimalField(_("调整分值"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("理由"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调整人"),
    )

    class Meta:
        ordering = ["scheme", "unit", "id"]
        verbose_name = _("人工调整")
        verbose_name_plural = _("人工调整")

    def __str__(self) -> str:
        return f"{self.unit.name} {self.points:+.1f} 分：{self.reason}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Zone-wide roles see and make all; a unit reads its own."""
        return _own_unit_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.scheme

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.points is not None and (self.points == 0 or abs(self.points) > MAX_ADJUSTMENT):
            errors["points"] = _("调整分值须在 -%(max)s 到 +%(max)s 之间且不为 0") % {"max": MAX_ADJUSTMENT}
        if not (self.reason or "").strip():
            errors["reason"] = _("请填写调整理由")
        if self.unit_id is not None and self.unit.kind not in ASSESSED_KINDS:
            errors["unit"] = _("只能对职能部门或镇加减分")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------


class AssessmentResult(BaseModel):
    """A unit's computed assessment in a scheme: total, grade, veto, and every line explained."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="results", verbose_name=_("考核方案")
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="assessment_results", verbose_name=_("单位")
    )
    rank = models.PositiveSmallIntegerField(_("排名"), default=0)
    total = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    max_points = models.DecimalField(_("满分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("等级"), max_length=20, choices=Grade.choices)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    veto_reason = models.TextField(_("否决原因"), blank=True)
    summary = models.TextField(_("结论"), blank=True)
    lines = models.JSONField(_("得分明细"), default=list)
    checks = models.JSONField(_("否决条件核查"), default=list)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["scheme", "rank", "unit"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit"], name="assessment_result_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.year}年 {self.unit.name} {self.total} 分 {self.get_grade_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:result_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Zone-wide roles see every result; a department user sees only its own unit's."""
        return _own_unit_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.scheme

    @property
    def grade_colour(self) -> str:
        """Badge colour of the grade."""
        return Grade.colour_of(self.grade)
