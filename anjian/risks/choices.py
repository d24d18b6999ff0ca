"""Choice classes of the risk register (双重预防 风险分级管控): levels, methods, kinds, audit events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = ["AssessMethod", "MeasureKind", "ObjectKind", "RiskEvents", "RiskLevel"]


class RiskLevel(ColoredChoices):
    """四色分级 (standards.md §3.3); values equal ``domain.risk_matrix.Level`` values."""

    MAJOR = "major", _("重大风险")
    LARGER = "larger", _("较大风险")
    GENERAL = "general", _("一般风险")
    LOW = "low", _("低风险")

    __colours__ = {"major": "red", "larger": "orange", "general": "yellow", "low": "blue"}


#: Hex colours of the four levels for maps, PDFs and Excel.
LEVEL_HEX = {"major": "#d9262c", "larger": "#f28c1c", "general": "#f5d000", "low": "#1f6fd1"}
#: 数据交换规范 ``riskLevel`` codes (0 重大 … 3 低; data-exchange.md).
LEVEL_EXCHANGE_CODE = {"major": 0, "larger": 1, "general": 2, "low": 3}
LEVEL_RANK = {"major": 4, "larger": 3, "general": 2, "low": 1}


class AssessMethod(ColoredChoices):
    """How a risk event was assessed."""

    LEC = "lec", _("作业条件危险性分析法（LEC）")
    LS = "ls", _("风险矩阵法（LS）")

    __colours__ = {"lec": "primary", "ls": "info"}


class ObjectKind(ColoredChoices):
    """What a 风险分析对象 is."""

    AREA = "area", _("区域/场所")
    INSTALLATION = "installation", _("装置/设施")
    PROCESS = "process", _("工艺")
    JOB = "job", _("作业活动/岗位")

    __colours__ = {"area": "secondary", "installation": "primary", "process": "info", "job": "warning"}


class MeasureKind(ColoredChoices):
    """管控方式分类 (数据交换规范 classify1)."""

    ENGINEERING = "engineering", _("工程技术")
    MANAGEMENT = "management", _("维护保养/管理")
    TRAINING = "training", _("培训教育")
    PPE = "ppe", _("个体防护")
    EMERGENCY = "emergency", _("应急处置")

    __colours__ = {
        "engineering": "primary",
        "management": "info",
        "training": "success",
        "ppe": "warning",
        "emergency": "danger",
    }


class RiskEvents(models.IntegerChoices):
    """Audit events of the risk register (8xx)."""

    OBJECT_SAVED = 801, _("保存风险分析对象")
    UNIT_SAVED = 802, _("保存风险分析单元")
    EVENT_SAVED = 803, _("保存风险事件")
    EVENT_ASSESSED = 804, _("风险评价")
    MEASURE_SAVED = 805, _("保存管控措施")
    REGISTER_IMPORTED = 810, _("导入风险清单")
    BANDS_CHANGED = 820, _("修改风险分级界限")
    DELETED = 830, _("删除风险记录")
