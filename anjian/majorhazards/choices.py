"""Controlled values of the 重大危险源 register: unit kind, grade (with its map colour), 包保 level, gaps, events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "FilingStatus",
    "GapKind",
    "Grade",
    "InstallationStatus",
    "MajorHazardEvent",
    "PhysicalState",
    "ResponsibilityLevel",
    "UnitKind",
]


class UnitKind(ColoredChoices):
    """生产单元 or 储存单元 (GB 18218-2018 §3.5, §3.6)."""

    PRODUCTION = "production", _("生产单元")
    STORAGE = "storage", _("储存单元")

    __colours__ = {"production": "primary", "storage": "info"}


class Grade(models.IntegerChoices):
    """重大危险源 grade by R (GB 18218-2018 Table 6); the integer is the grade number."""

    FIRST = 1, _("一级")
    SECOND = 2, _("二级")
    THIRD = 3, _("三级")
    FOURTH = 4, _("四级")


#: Bootstrap colour per grade (一级 red … 四级 blue), as the risk colours of the dual-prevention register.
GRADE_COLOURS: dict[int, str] = {1: "danger", 2: "orange", 3: "warning", 4: "primary"}
#: Hex colour per grade for the park map (红 橙 黄 蓝).
GRADE_HEX: dict[int, str] = {1: "#d63939", 2: "#f76707", 3: "#f59f00", 4: "#206bc4"}
#: Colour of an installation that is not (or no longer) a 重大危险源.
NOT_MAJOR_HEX = "#868e96"


class InstallationStatus(ColoredChoices):
    """Whether the installation is in use (在用), stopped (停用) or written off (已核销)."""

    IN_USE = "in_use", _("在用")
    STOPPED = "stopped", _("停用")
    WRITTEN_OFF = "written_off", _("已核销")

    __colours__ = {"in_use": "success", "stopped": "warning", "written_off": "secondary"}


class FilingStatus(ColoredChoices):
    """备案 status with the supervising department (《危险化学品重大危险源监督管理暂行规定》第二十三条)."""

    NOT_FILED = "not_filed", _("未备案")
    FILED = "filed", _("已备案")
    CHANGE_PENDING = "change_pending", _("变更待备案")

    __colours__ = {"not_filed": "danger", "filed": "success", "change_pending": "warning"}


class PhysicalState(ColoredChoices):
    """Physical state of a stored or processed substance."""

    GAS = "gas", _("气态")
    LIQUEFIED_GAS = "liquefied_gas", _("液化气体")
    LIQUID = "liquid", _("液态")
    SOLID = "solid", _("固态")

    __colours__ = {"gas": "danger", "liquefied_gas": "orange", "liquid": "info", "solid": "secondary"}


class ResponsibilityLevel(ColoredChoices):
    """包保 levels (《危险化学品企业重大危险源安全包保责任制办法（试行）》, 应急厅〔2021〕12号, 第三条)."""

    PRINCIPAL = "principal", _("主要负责人")
    TECHNICAL = "technical", _("技术负责人")
    OPERATIONAL = "operational", _("操作负责人")

    __colours__ = {"principal": "danger", "technical": "warning", "operational": "primary"}


class GapKind(ColoredChoices):
    """A 包保 or filing gap found by the nightly job."""

    MISSING_PERSON = "missing_person", _("包保责任人缺失")
    LAPSED_CERTIFICATE = "lapsed_certificate", _("责任人证书过期")
    MISSED_CHECK = "missed_check", _("未按期履职检查")
    NOT_FILED = "not_filed", _("未备案")
    ASSESSMENT_OVERDUE = "assessment_overdue", _("安全评估报告超期")

    __colours__ = {
        "missing_person": "danger",
        "lapsed_certificate": "danger",
        "missed_check": "warning",
        "not_filed": "warning",
        "assessment_overdue": "warning",
    }


class MajorHazardEvent(models.IntegerChoices):
    """Audit events of the register (7xx, see ``anjian.core.choices.EVENT_RANGES``)."""

    INSTALLATION_CREATED = 701, _("新建重大危险源")
    INSTALLATION_UPDATED = 702, _("修改重大危险源")
    INSTALLATION_STATUS_CHANGED = 703, _("变更重大危险源状态")
    INVENTORY_CHANGED = 710, _("变更危险化学品存量")
    REGRADED = 711, _("重新辨识分级")
    GRADE_CHANGED = 712, _("重大危险源等级变化")
    RESPONSIBILITY_ASSIGNED = 720, _("指定包保责任人")
    RESPONSIBILITY_ENDED = 721, _("解除包保责任人")
    CHECK_LOGGED = 730, _("登记包保履职检查")
    FILING_RECORDED = 740, _("登记备案")
    ASSESSMENT_RECORDED = 741, _("登记安全评估报告")
    GAPS_REFRESHED = 750, _("更新包保缺口")
