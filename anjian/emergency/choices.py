"""Controlled values of the emergency app: plan kinds, resource kinds, incident and improvement states (their
edges are the tables in ``workflows.py``), timeline entry kinds, and the app's audit events (12xx)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "OPEN_INCIDENT_STATES",
    "EmergencyEvent",
    "ImprovementStatus",
    "IncidentKind",
    "IncidentStatus",
    "PlanKind",
    "PlanLevel",
    "ResourceKind",
    "TeamType",
    "TimelineKind",
]


class PlanKind(ColoredChoices):
    """《生产安全事故应急预案管理办法》: 综合应急预案、专项应急预案、现场处置方案."""

    COMPREHENSIVE = "comprehensive", _("综合应急预案")
    SPECIAL = "special", _("专项应急预案")
    ONSITE = "onsite", _("现场处置方案")

    __colours__ = {"comprehensive": "primary", "special": "info", "onsite": "secondary"}


class PlanLevel(ColoredChoices):
    """Whose plan it is."""

    ENTERPRISE = "enterprise", _("企业")
    DEPARTMENT = "department", _("部门")
    ZONE = "zone", _("示范区")

    __colours__ = {"enterprise": "secondary", "department": "info", "zone": "primary"}


class ResourceKind(ColoredChoices):
    TEAM = "team", _("救援队伍")
    EQUIPMENT = "equipment", _("装备")
    MATERIAL = "material", _("物资")
    SHELTER = "shelter", _("避难场所")
    MEDICAL = "medical", _("医疗救护点")

    __colours__ = {
        "team": "danger",
        "equipment": "primary",
        "material": "info",
        "shelter": "success",
        "medical": "warning",
    }


class TeamType(ColoredChoices):
    PROFESSIONAL = "professional", _("专业救援队")
    ENTERPRISE = "enterprise", _("企业救援队")
    VOLUNTEER = "volunteer", _("镇志愿扑火队")

    __colours__ = {"professional": "danger", "enterprise": "primary", "volunteer": "success"}


class IncidentKind(ColoredChoices):
    """The kind decides the 补报 window (国务院令第493号第十三条: 7 days for road traffic and fire)."""

    PRODUCTION = "production", _("生产安全事故")
    HAZCHEM = "hazchem", _("危险化学品事故")
    FIRE = "fire", _("火灾事故")
    ROAD = "road", _("道路交通事故")

    __colours__ = {"production": "warning", "hazchem": "danger", "fire": "danger", "road": "info"}


ROAD_OR_FIRE = frozenset({IncidentKind.FIRE, IncidentKind.ROAD})


class IncidentStatus(ColoredChoices):
    REPORTED = "reported", _("已接报")
    RESPONDING = "responding", _("处置中")
    INVESTIGATING = "investigating", _("调查中")
    CLOSED = "closed", _("已结案")

    __colours__ = {
        "reported": "danger",
        "responding": "warning",
        "investigating": "info",
        "closed": "success",
    }


OPEN_INCIDENT_STATES = frozenset(
    {IncidentStatus.REPORTED, IncidentStatus.RESPONDING, IncidentStatus.INVESTIGATING}
)

# The incident edges are the transition table ``workflows.INCIDENT_FLOW`` (``core.workflow``).


class ImprovementStatus(ColoredChoices):
    OPEN = "open", _("整改中")
    DONE = "done", _("已完成")

    __colours__ = {"open": "warning", "done": "success"}


# The improvement edges are the transition table ``workflows.IMPROVEMENT_FLOW``.


class TimelineKind(ColoredChoices):
    REPORT = "report", _("接报")
    DECISION = "decision", _("指挥决策")
    DISPATCH = "dispatch", _("调派资源")
    FOLLOW_UP = "follow_up", _("续报")
    REGRADE = "regrade", _("伤亡变化与定级")
    UPWARD = "upward", _("向上级报告")
    STATUS = "status", _("状态变更")
    DANGER = "danger", _("调查发现隐患")

    __colours__ = {
        "report": "danger",
        "decision": "primary",
        "dispatch": "info",
        "follow_up": "secondary",
        "regrade": "warning",
        "upward": "success",
        "status": "dark",
        "danger": "orange",
    }


class EmergencyEvent(models.IntegerChoices):
    """Audit events of the emergency app (12xx, see ``core.choices.EVENT_RANGES``)."""

    PLAN_CHANGED = 1201, _("变更应急预案")
    RESOURCE_CHANGED = 1210, _("变更应急资源")
    DRILL_RECORDED = 1220, _("登记应急演练")
    IMPROVEMENT_ADDED = 1221, _("登记演练整改项")
    IMPROVEMENT_COMPLETED = 1222, _("完成演练整改项")
    IMPROVEMENT_REOPENED = 1223, _("退回演练整改项")
    INCIDENT_REPORTED = 1230, _("接报事故")
    INCIDENT_RESPONDED = 1231, _("启动事故响应")
    INCIDENT_STOOD_DOWN = 1232, _("结束事故处置")
    INCIDENT_CLOSED = 1233, _("事故结案")
    INCIDENT_REOPENED = 1234, _("事故重新调查")
    INCIDENT_REGRADED = 1235, _("伤亡变化重新定级")
    INCIDENT_UPWARD_REPORT = 1236, _("事故向上级报告")
    INCIDENT_TIMELINE = 1237, _("记录指挥时间线")
    INCIDENT_DANGER_FOUND = 1238, _("调查发现隐患")
    FOOTPRINT_COMPUTED = 1240, _("计算泄漏影响范围")
