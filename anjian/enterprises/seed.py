"""三个必须: the seed table industry → supervising department, read from the plan (chapter 四).

Pure data, loaded by the data migration ``0002_seed_supervision_rules`` and editable afterwards on the
supervision-rules page. ``unit`` is an ``orgs.OrgUnit`` code (see ``anjian.orgs.seed``); ``note`` cites
the plan section that names the lead (牵头/责任) unit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SUPERVISION_RULES", "load"]

# industry value (enterprises.choices.Industry) -> (unit code, basis)
SUPERVISION_RULES: dict[str, tuple[str, str]] = {
    "hazchem_production": ("YJJ", "规划四（一）危险化学品整治：牵头单位应急管理局"),
    "hazchem_trade": ("YJJ", "规划四（一）危险化学品整治：牵头单位应急管理局"),
    "hazchem_use": ("YJJ", "规划四（一）危险化学品整治：牵头单位应急管理局"),
    "coal_mine": ("YJJ", "规划四（二）煤矿整治：牵头单位应急管理局"),
    "non_coal_mine": ("YJJ", "规划四（三）非煤矿山整治：牵头单位应急管理局"),
    "metallurgy": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "nonferrous": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "building_materials": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "machinery": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "light_industry": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "textile": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "tobacco": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "commerce": ("YJJ", "规划四（五）工贸行业整治：牵头单位应急管理局"),
    "construction": ("ZJJ", "规划四（十一）建筑施工整治：责任单位住建交通局"),
    "transport": ("ZJJ", "规划四（六）交通运输整治：牵头单位住建交通局"),
    "fuel_station": (
        "YJJ",
        "规划四（十四）加油加气站、充电站专项整治：责任单位工业和科技局、住建交通局、应急管理局；"
        "加油加气站属危险化学品经营，由应急管理局监管",
    ),
    "charging_station": (
        "GKJ",
        "规划四（十四）加油加气站、充电站专项整治：责任单位工业和科技局、住建交通局、应急管理局；"
        "充电站按行业归工业和科技局",
    ),
    "power": ("FGJ", "规划四（十五）电力安全整治：牵头单位发改统计局"),
    "fireworks": ("YJJ", "规划四（十六）烟花爆竹和民用爆炸物品安全整治：牵头单位应急管理局"),
    "explosives": (
        "YJJ",
        "规划四（十六）烟花爆竹和民用爆炸物品安全整治：牵头单位应急管理局，配合单位公安分局",
    ),
    "tourism": ("SWJ", "规划四（十三）旅游：牵头单位社会事务局（文旅办）"),
    "special_equipment": ("SJJ", "规划四（九）特种设备整治：责任单位市场监督管理局"),
    "hazardous_waste": ("STJ", "规划四（八）危险废物整治：牵头单位生态环境分局"),
    "agri_machinery": ("NMJ", "规划四（十二）农业机械整治：牵头单位农牧林水局"),
    "city_gas": ("ZJJ", "规划四（十）城市建设领域整治：牵头单位住建交通局"),
    "other": ("YJJ", "综合监管：未列明行业由应急管理局综合监管"),
}


def load(unit_model: Any, rule_model: Any) -> None:
    """Create the seed rules with the given model classes (the migration passes its historical ones); idempotent."""
    units = {
        u.code: u
        for u in unit_model.objects.filter(code__in={code for code, _ in SUPERVISION_RULES.values()})
    }
    for industry, (code, note) in SUPERVISION_RULES.items():
        if code in units:
            rule_model.objects.get_or_create(industry=industry, defaults={"unit": units[code], "note": note})
