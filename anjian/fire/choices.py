"""Controlled values of the fire app, and its audit events (13xx)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = ["FacilityStatus", "FireEvent", "HydrantType", "InspectionResult"]


class FacilityStatus(ColoredChoices):
    OK = "ok", _("完好")
    DAMAGED = "damaged", _("损坏")
    OUT_OF_SERVICE = "out_of_service", _("停用")

    __colours__ = {"ok": "success", "damaged": "warning", "out_of_service": "danger"}


class HydrantType(ColoredChoices):
    UNDERGROUND = "underground", _("地下式")
    ABOVE_GROUND = "above_ground", _("地上式")

    __colours__ = {"underground": "secondary", "above_ground": "info"}


class InspectionResult(ColoredChoices):
    OK = "ok", _("正常")
    LOW_PRESSURE = "low_pressure", _("压力不足")
    DAMAGED = "damaged", _("损坏")

    __colours__ = {"ok": "success", "low_pressure": "warning", "damaged": "danger"}


class FireEvent(models.IntegerChoices):
    """Audit events of the fire app (13xx, see ``core.choices.EVENT_RANGES``)."""

    FACILITY_CHANGED = 1301, _("变更消防设施")
    INSPECTION_RECORDED = 1310, _("登记设施检查")
    LAYERS_IMPORTED = 1320, _("导入消防图层")
    COMPLIANCE_CHECKED = 1330, _("消防规则检查")
