"""Controlled values of the enterprise registry: status (with its edges), scale, industry, licences, grades."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "ACTIVE_STATES",
    "EnterpriseStatus",
    "Industry",
    "LicenceKind",
    "LicenceState",
    "Scale",
    "StandardizationGrade",
]


class EnterpriseStatus(ColoredChoices):
    """Operating status (经营状态) of an enterprise."""

    PREPARING = "preparing", _("筹建")
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关闭")

    __colours__ = {"preparing": "info", "operating": "success", "suspended": "warning", "closed": "secondary"}


#: Enterprises that count in registers and rates: 在营 and 停产 (a suspended plant still has to keep its
#: standardisation and licences); 筹建 (not yet producing) and 关闭 are left out.
ACTIVE_STATES = frozenset({EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED})

# The status edges are declared in ``enterprises/workflows.py`` (``ENTERPRISE_FLOW``).


class Scale(ColoredChoices):
    """Size class used by the plan's standardisation targets."""

    ABOVE = "above_scale", _("规模以上")
    SMALL = "small", _("小微")

    __colours__ = {"above_scale": "primary", "small": "info"}


class Industry(models.TextChoices):
    """Industries of the plan's chapter 四 (重点行业和领域); each maps to a supervising department (三个必须)."""

    HAZCHEM_PRODUCTION = "hazchem_production", _("危险化学品生产")
    HAZCHEM_TRADE = "hazchem_trade", _("危险化学品经营")
    HAZCHEM_USE = "hazchem_use", _("危险化学品使用")
    COAL_MINE = "coal_mine", _("煤矿")
    NON_COAL_MINE = "non_coal_mine", _("非煤矿山")
    METALLURGY = "metallurgy", _("工贸·冶金")
    NONFERROUS = "nonferrous", _("工贸·有色")
    BUILDING_MATERIALS = "building_materials", _("工贸·建材")
    MACHINERY = "machinery", _("工贸·机械")
    LIGHT_INDUSTRY = "light_industry", _("工贸·轻工")
    TEXTILE = "textile", _("工贸·纺织")
    TOBACCO = "tobacco", _("工贸·烟草")
    COMMERCE = "commerce", _("工贸·商贸")
    CONSTRUCTION = "construction", _("建筑施工")
    TRANSPORT = "transport", _("交通运输")
    FUEL_STATION = "fuel_station", _("加油加气站")
    CHARGING_STATION = "charging_station", _("充电站")
    POWER = "power", _("电力")
    FIREWORKS = "fireworks", _("烟花爆竹")
    EXPLOSIVES = "explosives", _("民用爆炸物品")
    TOURISM = "tourism", _("旅游")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备使用单位")
    HAZARDOUS_WASTE = "hazardous_waste", _("危险废物")
    AGRI_MACHINERY = "agri_machinery", _("农业机械")
    CITY_GAS = "city_gas", _("城镇燃气")
    OTHER = "other", _("其他")


#: Industries handled as 危险化学品 (两重点一重大 flags apply to them).
HAZCHEM_INDUSTRIES = frozenset({Industry.HAZCHEM_PRODUCTION, Industry.HAZCHEM_TRADE, Industry.HAZCHEM_USE})


class LicenceKind(models.TextChoices):
    """Kinds of safety-related licence an enterprise holds."""

    SAFETY_PRODUCTION = "safety_production", _("安全生产许可证")
    HAZCHEM_TRADE = "hazchem_trade", _("危险化学品经营许可证")
    HAZCHEM_USE = "hazchem_use", _("危险化学品安全使用许可证")
    HAZCHEM_REGISTRATION = "hazchem_registration", _("危险化学品登记证")
    PRECURSOR = "precursor", _("非药品类易制毒化学品生产/经营备案证明")
    FIREWORKS_TRADE = "fireworks_trade", _("烟花爆竹经营许可证")
    EXPLOSIVES = "explosives", _("民用爆炸物品生产/销售许可证")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备使用登记证")
    ROAD_TRANSPORT = "road_transport", _("道路运输经营许可证")
    HAZARDOUS_WASTE = "hazardous_waste", _("危险废物经营许可证")
    GAS_OPERATION = "gas_operation", _("燃气经营许可证")
    MINING = "mining", _("采矿许可证")
    CONSTRUCTION = "construction", _("建筑施工企业安全生产许可证")
    OTHER = "other", _("其他")


class LicenceState(ColoredChoices):
    """Derived (never stored) validity of a licence on a given day."""

    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")

    __colours__ = {"valid": "success", "expiring": "warning", "expired": "red"}


class StandardizationGrade(ColoredChoices):
    """安全生产标准化 grade; 小微企业规范化 is the lighter scheme for small enterprises."""

    LEVEL1 = "level1", _("一级")
    LEVEL2 = "level2", _("二级")
    LEVEL3 = "level3", _("三级")
    SMALL = "small", _("小微企业规范化")

    __colours__ = {"level1": "primary", "level2": "success", "level3": "info", "small": "outline"}


#: Grades that count as 达标 for an above-scale enterprise.
STANDARD_GRADES = frozenset(
    {StandardizationGrade.LEVEL1, StandardizationGrade.LEVEL2, StandardizationGrade.LEVEL3}
)
#: Grades counted as 二级 or better (the plan's "二级安全标准化企业").
LEVEL2_OR_BETTER = frozenset({StandardizationGrade.LEVEL1, StandardizationGrade.LEVEL2})
