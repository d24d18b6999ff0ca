"""Choices of the park map: kinds of areas, functional zones, land cover, road grades, audit events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices, register_audit_events

__all__ = ["AreaKind", "FunctionalZone", "GeoEvent", "LandCover", "RoadGrade"]


class AreaKind(ColoredChoices):
    """What an area outlines."""

    ZONE = "zone", _("示范区边界")
    PARK = "park", _("园区边界")
    TOWN = "town", _("镇域")
    GRID = "grid", _("网格区域")
    FUNCTIONAL = "functional", _("功能分区")
    BASE = "base", _("底图要素")

    __colours__ = {
        "zone": "dark",
        "park": "primary",
        "town": "info",
        "grid": "secondary",
        "functional": "warning",
    }


class FunctionalZone(ColoredChoices):
    """Functional zones of the chemical park (GB 50489-2009 《化工企业总图运输设计规范》 zoning terms)."""

    PRODUCTION = "production", _("生产区")
    STORAGE = "storage", _("仓储区")
    LOGISTICS = "logistics", _("物流区")
    PUBLIC = "public", _("公用工程区")
    LIVING = "living", _("生活服务区")

    __colours__ = {
        "production": "#e57373",
        "storage": "#ffb74d",
        "logistics": "#9575cd",
        "public": "#4fc3f7",
        "living": "#81c784",
    }


class LandCover(ColoredChoices):
    """Land cover of the generated base map (底图)."""

    DESERT = "desert", _("荒漠")
    FARMLAND = "farmland", _("农田")
    GREEN = "green", _("绿地")
    WATER = "water", _("水域")
    BUILT = "built", _("建成区")

    __colours__ = {
        "desert": "#e9dfc4",
        "farmland": "#cfe3a8",
        "green": "#a5d6a7",
        "water": "#90caf9",
        "built": "#d7ccc8",
    }


class RoadGrade(ColoredChoices):
    """Road grade (CJJ 37-2012 《城市道路工程设计规范》: 快速路/主干路/次干路/支路)."""

    TRUNK = "trunk", _("主干路")
    SECONDARY = "secondary", _("次干路")
    BRANCH = "branch", _("支路")

    __colours__ = {"trunk": "#f9a825", "secondary": "#ffffff", "branch": "#ffffff"}


class GeoEvent(models.IntegerChoices):
    """Audit events of the park map (6xx)."""

    AREA_CREATED = 601, _("新增区域")
    AREA_CHANGED = 602, _("修改区域")
    AREA_DELETED = 603, _("删除区域")
    ROAD_CREATED = 611, _("新增道路")
    ROAD_CHANGED = 612, _("修改道路")
    ROAD_DELETED = 613, _("删除道路")
    GEOJSON_IMPORTED = 621, _("导入 GeoJSON")


register_audit_events("geo", GeoEvent)
