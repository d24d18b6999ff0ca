"""The plan, its tasks, the units on each task, numeric targets, progress reports and 督办 notices."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.orgs.choices import UNIT_STAFF_ROLES
from anjian.plans.choices import Comparator, NoticeStatus, ReportStatus, TaskRole

if TYPE_CHECKING:
    from anjian.core.metrics import MetricValue
    from anjian.orgs.models import OrgUnit

__all__ = ["Plan", "PlanTask", "ProgressReport", "ReportEvidence", "SupervisionNotice", "Target", "TaskUnit"]

_GOV_ROLES = UNIT_STAFF_ROLES
METRIC_KEY_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


def _task_q(scope: Any, prefix: str = "") -> models.Q | None:
    """Tasks where one of the scope's units (own unit or a group containing it) has a role."""
    if scope.sees_all:
        return models.Q()
    if scope.role in _GOV_ROLES and scope.unit_ids:
        return models.Q(**{f"{prefix}units__unit_id__in": sorted(scope.unit_ids)})
    return None


# ---------------------------------------------------------------------------------------------------
# The plan and its tasks
# ---------------------------------------------------------------------------------------------------


class Plan(BaseModel):
    """An imported plan text (e.g. the 十四五 work-safety plan) with its period and parse warnings."""

    code = models.SlugField(_("编号"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    preamble = models.TextField(_("前言"), blank=True)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    source_sha256 = models.CharField(_("原文摘要"), max_length=64)
    source_text = models.TextField(_("原文"))
    warnings = models.JSONField(_("解析警告"), default=list, blank=True)

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("规划")
        verbose_name_plural = _("规划")

    def __str__(self) -> str:
        return self.title

    def warnings_display(self) -> list[dict[str, Any]]:
        """The parse warnings with a Chinese label for each code."""
        from anjian.domain.plan_text import WARNING_LABELS

        return [
            {**w, "label": WARNING_LABELS.get(w.get("code", ""), w.get("code", ""))} for w in self.warnings
        ]

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Every government user may read the plan; only zone-wide roles change it."""
        if scope.sees_all:
            return models.Q()
        if action == "view" and scope.role in _GOV_ROLES:
            return models.Q()
        return None

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("截止日期不能早于起始日期")})


class PlanTask(BaseModel):
    """One task of the plan (a section such as "4.14"), with its text and, through ``units``, its units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("规划"))
    code = models.CharField(_("编号"), max_length=16)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    chapter = models.CharField(_("章"), max_length=8)
    chapter_title = models.CharField(_("章标题"), max_length=200, blank=True)
    section = models.PositiveIntegerField(_("节"))
    title = models.CharField(_("任务"), max_length=300)
    text = models.TextField(_("任务内容"), blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("规划任务")
        verbose_name_plural = _("规划任务")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_task_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Department users see tasks their unit (or a group containing it) takes part in."""
        if action != "view":
            return models.Q() if scope.sees_all else None
        return _task_q(scope)

    def units_with_role(self, role: str) -> list[OrgUnit]:
        """The units with ``role`` in document order (uses prefetched ``units__unit`` when present)."""
        return [tu.unit for tu in self.units.all() if tu.role == role]

    @property
    def lead_units(self) -> list[OrgUnit]:
        """牵头单位."""
        return self.units_with_role(TaskRole.LEAD)

    @property
    def cooperating_units(self) -> list[OrgUnit]:
        """配合单位."""
        return self.units_with_role(TaskRole.COOPERATING)

    @property
    def responsible_units(self) -> list[OrgUnit]:
        """责任单位."""
        return self.units_with_role(TaskRole.RESPONSIBLE)


class TaskUnit(BaseModel):
    """A unit's role on a task; a group unit ("两镇") stands for each of its members."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="units", verbose_name=_("任务"))
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="plan_roles", verbose_name=_("单位")
    )
    role = models.CharField(_("角色"), max_length=20, choices=TaskRole.choices)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["task", "position", "id"]
        verbose_name = _("任务单位")
        verbose_name_plural = _("任务单位")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "role"], name="plans_taskunit_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.get_role_display()}：{self.unit.name}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible with the task."""
        if action != "view":
            return models.Q() if scope.sees_all else None
        return _task_q(scope, "task__")

    def audit_related(self) -> models.Model | None:
        return self.task


class Target(BaseModel):
    """A numeric goal of a task ("达标率不低于100%，到2025年底"), optionally bound to a live metric."""

    task = models.ForeignKey(
        PlanTask, on_delete=models.CASCADE, related_name="targets", verbose_name=_("任务")
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    indicator = models.CharField(_("指标"), max_length=200)
    comparator = models.CharField(_("比较"), max_length=4, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    metric_key = models.CharField(_("绑定指标"), max_length=100, blank=True)
    source = models.TextField(_("原文"), blank=True)

    class Meta:
        ordering = ["task", "position", "id"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self) -> str:
        return f"{self.indicator} {self.goal_display}"

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.task_id]) + f"#target-{self.pk}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible with the task; only zone-wide roles bind metrics."""
        if action != "view":
            return models.Q() if scope.sees_all else None
        return _task_q(scope, "task__")

    def audit_related(self) -> models.Model | None:
        return self.task

    def clean(self) -> None:
        # A key may name a metric that its module has not registered yet; it then shows "尚未接入指标".
        self.metric_key = (self.metric_key or "").strip()
        if self.metric_key and not METRIC_KEY_RE.fullmatch(self.metric_key):
            raise ValidationError(
                {"metric_key": _("指标键格式应为“模块.指标”，如 standardization.above_scale_rate")}
            )
        if self.comparator and self.comparator not in Comparator.values:
            raise ValidationError({"comparator": _("比较方式无效")})

    @property
    def is_metric_registered(self) -> bool:
        """Whether the bound metric is provided by a module (otherwise the page says 尚未接入指标)."""
        from anjian.core import metrics

        return bool(self.metric_key) and metrics.get(self.metric_key) is not None

    @property
    def value_display(self) -> str:
        """The goal value without trailing zeros ("100", "2", "75.5")."""
        text = format(self.value.normalize(), "f") if isinstance(self.value, Decimal) else str(self.value)
        return text

    @property
    def goal_display(self) -> str:
        """The goal in words: "不低于100%"."""
        return f"{Comparator(self.comparator).label}{self.value_display}{self.unit}"

    def current(self, as_of: dt.date | None = None) -> MetricValue | None:
        """The bound metric's value as of ``as_of``; ``None`` when no metric is bound or registered."""
        from anjian.core import metrics

        if not self.metric_key:
            return None
        return metrics.compute(self.metric_key, as_of)

    def on_track(self, as_of: dt.date | None = None, current: MetricValue | None = None) -> bool | None:
        """Whether the metric meets the goal as of ``as_of``; ``None`` when there is no value (尚未接入指标).

        ">=" / "<=" / "==" compare the value with the goal; "+=" (an increase by N) expects the metric to
        count the increase since the plan's start. ``current`` may be passed to avoid computing twice.
        """
        measured = current if current is not None else self.current(as_of)
        if measured is None or measured.value is None:
            return None
        value = Decimal(measured.value)
        goal = Decimal(self.value)
        if self.comparator == Comparator.AT_MOST:
            return value <= goal
        if self.comparator == Comparator.EQUAL:
            return value == goal
        return value >= goal

    def progress_percent(self, current: MetricValue | None) -> float | None:
        """How far the measured value is towards the goal, 0–100 (for a progress bar); ``None`` without a
        value. "不高于" goals are 100 while met, else goal ÷ value."""
        if current is None or current.value is None or not self.value:
            return None
        actual, goal = Decimal(current.value), Decimal(self.value)
        ratio = actual / goal * 100
        if self.comparator == Comparator.AT_MOST:
            ratio = Decimal(100) if actual <= goal else goal / actual * 100
        return float(max(Decimal(0), min(Decimal(100), ratio)))


# ---------------------------------------------------------------------------------------------------
# Supervision: quarterly progress reports and 督办 notices
# ---------------------------------------------------------------------------------------------------


class ProgressReport(BaseModel):
    """A unit's progress on a task for one quarter (private to that unit, the lead units and the office)."""

    task = models.ForeignKey(
        PlanTask, on_delete=models.CASCADE, related_name="reports", verbose_name=_("任务")
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="progress_reports", verbose_name=_("报送单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, f"第{q}季度") for q in range(1, 5)])
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices)
    text = models.TextField(_("进展情况"))
    due_date = models.DateField(_("报送期限"))
    submitted_at = models.DateTimeField(_("报送时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    is_late = models.BooleanField(_("逾期"), default=False)
    revision = models.PositiveIntegerField(_("修改次数"), default=0)

    class Meta:
        ordering = ["task", "-year", "-quarter", "unit"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "year", "quarter"], name="plans_report_unique_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.unit.name} {self.year}年第{self.quarter}季度"

    def get_absolute_url(self) -> str:
        return reverse("plans:report_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Private: the filing unit, the task's lead units and zone-wide roles read; only the filing unit edits."""
        if scope.sees_all:
            return models.Q()
        if scope.role not in _GOV_ROLES or scope.org_id is None:
            return None
        own = models.Q(unit_id=scope.org_id)
        if action != "view":
            return own
        lead_tasks = TaskUnit.objects.filter(role=TaskRole.LEAD, unit_id__in=sorted(scope.unit_ids)).values(
            "task_id"
        )
        return own | models.Q(task_id__in=lead_tasks)

    def audit_related(self) -> models.Model | None:
        return self.task

    @property
    def status_colour(self) -> str:
        """Badge colour of the status."""
        return ReportStatus.colour_of(self.status)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            errors["quarter"] = _("季度必须是1至4")
        if self.status and self.status not in ReportStatus.values:
            errors["status"] = _("状态必须是：未开始、推进中、已完成、滞后")
        if not (self.text or "").strip():
            errors["text"] = _("请填写进展情况")
        if errors:
            raise ValidationError(errors)


def _evidence_path(instance: ReportEvidence, filename: str) -> str:
    return f"plans/evidence/{instance.report.year}/{instance.report_id}/{filename}"


class ReportEvidence(BaseModel):
    """A file supporting a progress report (photo, minutes, document)."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("进展报告")
    )
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:evidence_download", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible with its report."""
        q = ProgressReport.scope_q(scope, action)
        if q is None:
            return None
        return q if not q else models.Q(report__in=ProgressReport.objects.filter(q).values("pk"))

    def audit_related(self) -> models.Model | None:
        return self.report


class SupervisionNotice(BaseModel):
    """A 督办 notice from the committee office to a unit: 下发 → 签收 → 回复 → 办结."""

    task = models.ForeignKey(
        PlanTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("任务"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="supervision_notices",
        verbose_name=_("督办单位"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("督办内容"))
    due_date = models.DateField(_("办理期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.SENT
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("下发人"),
    )
    sent_at = models.DateTimeField(_("下发时间"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    answer = models.TextField(_("回复"), blank=True)
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回复人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")

    def __str__(self) -> str:
        return f"{self.title}（{self.unit.name}）"

    def get_absolute_url(self) -> str:
        return reverse("plans:notice_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """The committee office sees all; a unit sees the notices addressed to it (or to a group it is in)."""
        if scope.sees_all:
            return models.Q()
        if scope.role in _GOV_ROLES and scope.unit_ids:
            return models.Q(unit_id__in=sorted(scope.unit_ids))
        return None

    def audit_related(self) -> models.Model | None:
        return self.task

    def clean(self) -> None:
        if not (self.title or "").strip():
            raise ValidationError({"title": _("请填写督办标题")})
        if not (self.body or "").strip():
            raise ValidationError({"body": _("请填写督办内容")})

    @property
    def status_colour(self) -> str:
        """Badge colour of the status."""
        return NoticeStatus.colour_of(self.status)

    @property
    def is_open(self) -> bool:
        """Not yet closed."""
        return self.status != NoticeStatus.CLOSED
