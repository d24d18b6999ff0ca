"""Controlled values of monitoring: point kinds, alarm types, levels and the alarm handling lifecycle."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "OPEN_STATES",
    "AlarmLevel",
    "AlarmStatus",
    "AlarmType",
    "MonitoringEvent",
    "PointKind",
    "RejectReason",
]


class PointKind(ColoredChoices):
    """What a monitoring point measures (重大危险源 must collect 温度、压力、液位、流量、组份 and gas leaks)."""

    TEMPERATURE = "temperature", _("温度")
    PRESSURE = "pressure", _("压力")
    LEVEL = "level", _("液位")
    FLOW = "flow", _("流量")
    COMBUSTIBLE = "combustible_gas", _("可燃气体")
    TOXIC = "toxic_gas", _("有毒气体")
    COMPOSITION = "composition", _("组份")
    OTHER = "other", _("其他")

    __colours__ = {
        "temperature": "danger",
        "pressure": "primary",
        "level": "info",
        "flow": "success",
        "combustible_gas": "warning",
        "toxic_gas": "purple",
        "composition": "secondary",
        "other": "secondary",
    }


class AlarmType(ColoredChoices):
    """One active alarm per point and type (ThingsBoard: one active alarm per originator and type)."""

    PROCESS = "process", _("工艺超限")
    DEVICE = "device", _("设备故障")
    OFFLINE = "offline", _("离线")
    RATE = "rate", _("变化率超限")

    __colours__ = {"process": "danger", "device": "warning", "offline": "secondary", "rate": "orange"}


class AlarmLevel(ColoredChoices):
    """Process alarm levels: H/L = 一级报警, HH/LL = 二级报警 (GB/T 50493-2019 first/second level)."""

    H = "H", _("高报（一级）")
    HH = "HH", _("高高报（二级）")
    L = "L", _("低报（一级）")
    LL = "LL", _("低低报（二级）")

    __colours__ = {"H": "warning", "HH": "danger", "L": "warning", "LL": "danger"}


class AlarmStatus(ColoredChoices):
    """Handling state of an alarm (whether the value is still in alarm is ``Alarm.active``)."""

    RAISED = "raised", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    ASSIGNED = "assigned", _("已指派")
    HANDLED = "handled", _("已处置")
    CLOSED = "closed", _("已关闭")

    __colours__ = {
        "raised": "danger",
        "acknowledged": "warning",
        "assigned": "info",
        "handled": "primary",
        "closed": "success",
    }


OPEN_STATES = frozenset(
    {AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED, AlarmStatus.ASSIGNED, AlarmStatus.HANDLED}
)

# Alarm handling's edges are the transition table ``workflows.ALARM_FLOW`` (``core.workflow``).


class RejectReason(ColoredChoices):
    """Why an ingest input was rejected (counted per reason, shown on a page and at ``/metrics``)."""

    MALFORMED = "malformed_json", _("JSON 格式错误")
    TOO_LARGE = "too_large", _("报文超过大小上限")
    BAD_SHAPE = "bad_shape", _("报文结构或字段类型错误")
    NOT_FINITE = "not_finite", _("数值为 NaN 或无穷大")
    UNKNOWN_ENTERPRISE = "unknown_enterprise", _("未知企业")
    UNKNOWN_TAG = "unknown_tag", _("未知位号")
    FUTURE = "future_ts", _("时间戳超前过多")
    TOO_OLD = "too_old", _("时间戳早于保留期")
    BAD_TOPIC = "bad_topic", _("主题格式错误")

    __colours__ = {
        "malformed_json": "danger",
        "too_large": "danger",
        "bad_shape": "warning",
        "not_finite": "warning",
        "unknown_enterprise": "secondary",
        "unknown_tag": "secondary",
        "future_ts": "info",
        "too_old": "info",
        "bad_topic": "danger",
    }


class MonitoringEvent(models.IntegerChoices):
    """Audit events of monitoring (10xx)."""

    POINT_CREATED = 1001, _("新增监测点")
    POINT_CHANGED = 1002, _("修改监测点")
    POINTS_IMPORTED = 1003, _("导入监测点")
    ALARM_ACKNOWLEDGED = 1010, _("确认报警")
    ALARM_ASSIGNED = 1011, _("指派报警")
    ALARM_HANDLED = 1012, _("处置报警")
    ALARM_CLOSED = 1013, _("关闭报警")
    ALARM_ESCALATED = 1014, _("报警升级")
    ALARM_TO_DANGER = 1015, _("报警转隐患")
    TOKEN_ISSUED = 1020, _("签发网关令牌")
    TOKEN_REVOKED = 1021, _("吊销网关令牌")
