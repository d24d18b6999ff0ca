"""Monitoring points, their alarm state, readings (append-only, 1-minute rollups), alarms and their handling."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel
from anjian.domain.alarm_rules import PointRules, PointState
from anjian.enterprises.models import enterprise_scope_q
from anjian.monitoring.choices import AlarmLevel, AlarmStatus, AlarmType, PointKind, RejectReason

#: Chinese labels of the rule events (``anjian.domain.alarm_rules.EVENTS``).
EVENT_LABELS = {
    "raised": "报警",
    "changed": "级别变化",
    "cleared": "消警",
    "device_fault": "设备故障",
    "device_ok": "设备恢复",
    "offline": "离线",
    "online": "恢复在线",
    "rate_high": "变化率超限",
    "rate_ok": "变化率恢复",
}

__all__ = [
    "Alarm",
    "AlarmLog",
    "Escalation",
    "GatewayToken",
    "IngestCounter",
    "MonitoringPoint",
    "PointAlarmState",
    "Reading",
    "ReadingRollup",
]


def _scoped(scope: Any, action: str) -> models.Q | None:
    return enterprise_scope_q(scope, action, prefix="enterprise__")


# ---------------------------------------------------------------------------------------------
# Points
# ---------------------------------------------------------------------------------------------


#: The point fields the alarm rules read, in ``point_rules`` order (the ingest registry reads them as rows).
RULE_FIELDS = ("h", "hh", "l", "ll", "deadband", "on_delay_s", "off_delay_s", "offline_after_s", "roc_per_s")


def point_rules(
    h: float | None,
    hh: float | None,
    l: float | None,  # noqa: E741 - the standard's name
    ll: float | None,
    deadband: float | None,
    on_delay_s: float | None,
    off_delay_s: float | None,
    offline_after_s: int | None,
    roc_per_s: float | None,
) -> PointRules:
    """The pure rules from a point's stored fields (model instance or a row: the ingest registry reads rows)."""
    return PointRules(
        h=h,
        hh=hh,
        l=l,
        ll=ll,
        deadband=deadband or 0.0,
        on_delay_s=on_delay_s or 0.0,
        off_delay_s=off_delay_s or 0.0,
        offline_after_s=float(offline_after_s) if offline_after_s else None,
        roc_per_s=roc_per_s,
    )


class MonitoringPoint(BaseModel):
    """A sensor (监测点) of an enterprise, with its alarm configuration.

    Thresholds: H/HH are the 一级/二级 high alarms, L/LL the low ones; gas detectors default to
    GB/T 50493-2019 (see ``anjian.domain.alarm_rules.gas_detector_defaults``).
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="monitoring_points",
    )
    installation = models.ForeignKey(
        "majorhazards.HazardInstallation",
        verbose_name=_("所属装置/重大危险源"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_points",
    )
    tag = models.CharField(_("位号"), max_length=64)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    range_low = models.FloatField(_("量程下限"), null=True, blank=True)
    range_high = models.FloatField(_("量程上限"), null=True, blank=True)
    ll = models.FloatField(_("低低报（二级）"), null=True, blank=True)
    l = models.FloatField(_("低报（一级）"), null=True, blank=True)  # noqa: E741 - the standard's name
    h = models.FloatField(_("高报（一级）"), null=True, blank=True)
    hh = models.FloatField(_("高高报（二级）"), null=True, blank=True)
    deadband = models.FloatField(_("回差"), default=0)
    on_delay_s = models.FloatField(_("报警延时（秒）"), default=0)
    off_delay_s = models.FloatField(_("消警延时（秒）"), default=0)
    roc_per_s = models.FloatField(_("变化率限值（每秒）"), null=True, blank=True)
    expected_interval_s = models.PositiveIntegerField(_("采集周期（秒）"), default=10)
    offline_after_s = models.PositiveIntegerField(_("离线判定（秒）"), default=60)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["enterprise_id", "tag"]
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "tag"], name="monitoring_point_tag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:point_detail", args=[self.pk])

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible and changed with the enterprise (the enterprise configures its own points)."""
        return _scoped(scope, action)

    def rules(self) -> PointRules:
        """The pure rules of this point."""
        return point_rules(*(getattr(self, name) for name in RULE_FIELDS))

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        problems = self.rules().problems()
        if problems:
            errors["h"] = "；".join(problems)
        if self.range_low is not None and self.range_high is not None and self.range_high <= self.range_low:
            errors["range_high"] = _("量程上限应大于下限")
        if self.lon is not None and not -180 <= self.lon <= 180:
            errors["lon"] = _("经度应在 -180 到 180 之间")
        if self.lat is not None and not -90 <= self.lat <= 90:
            errors["lat"] = _("纬度应在 -90 到 90 之间")
        if self.tag:
            self.tag = self.tag.strip()
        if self.installation is not None and self.installation.enterprise_id != self.enterprise_id:
            errors["installation"] = _("所属装置应属于同一企业")
        if errors:
            raise ValidationError(errors)


class PointAlarmState(models.Model):
    """The alarm-rule state of one point, written by the ingest worker in the same transaction as the readings.

    ``last_ms`` is the newest reading evaluated; after a crash the worker resumes from here, and the broker
    redelivers what was not acknowledged, so no reading is lost and no alarm repeats.
    """

    point = models.OneToOneField(
        MonitoringPoint,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="alarm_state",
        verbose_name=_("监测点"),
    )
    last_ms = models.BigIntegerField(_("最新读数时间"), null=True)
    last_v = models.FloatField(_("最新值"), null=True)
    level = models.CharField(_("报警级别"), max_length=2, blank=True)
    fault = models.BooleanField(_("设备故障"), default=False)
    offline = models.BooleanField(_("离线"), default=False)
    rate_high = models.BooleanField(_("变化率超限"), default=False)
    timers = models.JSONField(_("延时计时"), default=dict)

    class Meta:
        ordering = ["point_id"]
        verbose_name = _("监测点状态")
        verbose_name_plural = _("监测点状态")

    def __str__(self) -> str:
        return f"{self.point_id}: {self.level or '正常'}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return enterprise_scope_q(scope, action, prefix="point__enterprise__") if action == "view" else None

    def to_state(self) -> PointState:
        """The pure state."""
        timers = self.timers or {}
        return PointState(
            last_ms=self.last_ms,
            last_v=self.last_v,
            level=self.level or None,
            fault=self.fault,
            offline=self.offline,
            rate_high=self.rate_high,
            enter_ms=timers.get("enter", {}),
            exit_ms=timers.get("exit", {}),
        )


# ---------------------------------------------------------------------------------------------
# Readings and rollups
# ---------------------------------------------------------------------------------------------


class Reading(models.Model):
    """One reading, unique per (point, time); epoch milliseconds (UTC). Append-only, written in bulk.

    On PostgreSQL the table is declaratively partitioned by day on ``ts`` (see ``partitions.py``); the ORM
    never writes it (COPY on PostgreSQL, executemany on SQLite).
    """

    pk = models.CompositePrimaryKey("point_id", "ts")
    point = models.ForeignKey(
        MonitoringPoint,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("监测点"),
    )
    ts = models.BigIntegerField(_("时间（毫秒）"))
    v = models.FloatField(_("值"))
    q = models.SmallIntegerField(_("质量码"), default=0)

    class Meta:
        ordering = ["point_id", "ts"]
        verbose_name = _("读数")
        verbose_name_plural = _("读数")

    def __str__(self) -> str:
        return f"{self.point_id}@{self.ts}={self.v}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return enterprise_scope_q(scope, action, prefix="point__enterprise__") if action == "view" else None


class ReadingRollup(models.Model):
    """1-minute aggregate of a point's readings (charts and availability); recomputed idempotently."""

    pk = models.CompositePrimaryKey("point_id", "minute")
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="rollups", verbose_name=_("监测点")
    )
    minute = models.BigIntegerField(_("分钟（毫秒）"))
    n = models.IntegerField(_("读数"))
    n_bad = models.IntegerField(_("坏质量读数"))
    vmin = models.FloatField(_("最小"), null=True)
    vmax = models.FloatField(_("最大"), null=True)
    vavg = models.FloatField(_("平均"), null=True)

    class Meta:
        ordering = ["point_id", "minute"]
        verbose_name = _("分钟汇总")
        verbose_name_plural = _("分钟汇总")

    def __str__(self) -> str:
        return f"{self.point_id}@{self.minute}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return enterprise_scope_q(scope, action, prefix="point__enterprise__") if action == "view" else None


# ---------------------------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------------------------


class Alarm(BaseModel):
    """An alarm of one point and type; at most one *active* (value still in alarm) per point and type.

    Raised, updated and cleared by the ingest worker; acknowledged, assigned, handled (disposal record) and
    closed by people (``actions.py``); escalated while unacknowledged (``escalation.py``).
    """

    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("监测点")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="monitoring_alarms",
        verbose_name=_("企业"),
    )
    type = models.CharField(_("类型"), max_length=10, choices=AlarmType.choices)
    level = models.CharField(_("级别"), max_length=2, choices=AlarmLevel.choices, blank=True)
    peak_level = models.CharField(_("最高级别"), max_length=2, choices=AlarmLevel.choices, blank=True)
    status = models.CharField(
        _("处置状态"), max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.RAISED
    )
    active = models.BooleanField(_("报警中"), default=True)
    raised_ms = models.BigIntegerField(_("报警时间（毫秒）"))
    raised_at = models.DateTimeField(_("报警时间"))
    value = models.FloatField(_("报警值"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("消警时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认人"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处置人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处置人"),
    )
    cause = models.TextField(_("报警原因"), blank=True)
    measures = models.TextField(_("处置措施"), blank=True)
    false_alarm = models.BooleanField(_("误报"), default=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关闭人"),
    )
    escalation_step = models.PositiveSmallIntegerField(_("已升级级数"), default=0)
    escalated_at = models.DateTimeField(_("最近升级时间"), null=True, blank=True)
    danger_id = models.PositiveIntegerField(_("转隐患编号"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_ms", "-id"]
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        constraints = [
            models.UniqueConstraint(
                fields=["point", "type"], condition=models.Q(active=True), name="monitoring_one_active_alarm"
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["status", "raised_at"]),
        ]

    def __str__(self) -> str:
        label = self.get_level_display() if self.level else self.get_type_display()
        return f"{self.point.tag} {label}" if self.point_id else label

    def get_absolute_url(self) -> str:
        return reverse("monitoring:alarm_detail", args=[self.pk])

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible and handled with the enterprise (the enterprise and its supervising department)."""
        return _scoped(scope, action)

    def get_status_colour(self) -> str:
        return AlarmStatus.colour_of(self.status)

    def get_level_colour(self) -> str:
        return AlarmLevel.colour_of(self.level) if self.level else AlarmType.colour_of(self.type)

    @property
    def is_open(self) -> bool:
        return self.status != AlarmStatus.CLOSED


class AlarmLog(models.Model):
    """Value history of an alarm: raised, changed, cleared (written by the worker)."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="log", verbose_name=_("报警"))
    ts = models.BigIntegerField(_("时间（毫秒）"))
    event = models.CharField(_("事件"), max_length=16)
    level = models.CharField(_("级别"), max_length=2, blank=True)
    value = models.FloatField(_("值"), null=True)

    class Meta:
        ordering = ["alarm_id", "ts", "id"]
        verbose_name = _("报警记录")
        verbose_name_plural = _("报警记录")

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.event} {self.level}"

    @property
    def at(self) -> Any:
        """The event time as an aware datetime."""
        import datetime as dt

        return dt.datetime.fromtimestamp(self.ts / 1000, tz=dt.UTC)

    @property
    def event_label(self) -> str:
        return EVENT_LABELS.get(self.event, self.event)

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return enterprise_scope_q(scope, action, prefix="alarm__enterprise__") if action == "view" else None


class Escalation(models.Model):
    """One step of an unacknowledged alarm's escalation ladder (值班人员 → 企业主要负责人 → 监管部门)."""

    alarm = models.ForeignKey(
        Alarm, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("报警")
    )
    step = models.PositiveSmallIntegerField(_("级数"))
    target = models.CharField(_("通知对象"), max_length=100)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("单位"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["alarm_id", "step"]
        verbose_name = _("报警升级")
        verbose_name_plural = _("报警升级")
        constraints = [
            models.UniqueConstraint(fields=["alarm", "step"], name="monitoring_escalation_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.alarm_id} #{self.step} {self.target}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return enterprise_scope_q(scope, action, prefix="alarm__enterprise__") if action == "view" else None


# ---------------------------------------------------------------------------------------------
# Ingest bookkeeping
# ---------------------------------------------------------------------------------------------


class IngestCounter(models.Model):
    """How many inputs were rejected for one reason (and the last example), by every ingest path."""

    reason = models.CharField(_("原因"), max_length=24, choices=RejectReason.choices, primary_key=True)
    count = models.BigIntegerField(_("次数"), default=0)
    last_at = models.DateTimeField(_("最近一次"), null=True, blank=True)
    last_detail = models.CharField(_("最近一次详情"), max_length=300, blank=True)

    class Meta:
        ordering = ["reason"]
        verbose_name = _("接入拒收计数")
        verbose_name_plural = _("接入拒收计数")

    def __str__(self) -> str:
        return f"{self.reason}: {self.count}"


class GatewayToken(BaseModel):
    """A token with which a plant gateway posts telemetry for exactly one enterprise (only its hash is kept)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="gateway_tokens",
        verbose_name=_("企业"),
    )
    name = models.CharField(_("网关名称"), max_length=100)
    prefix = models.CharField(_("令牌前缀"), max_length=12)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("网关令牌")
        verbose_name_plural = _("网关令牌")

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return _scoped(scope, action)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
