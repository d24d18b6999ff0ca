"""The zone's organisation units, as the plan names them.

Pure data (no Django import), so the plan parser can resolve units without a database. The
``orgs`` migration/seed command loads the same list into ``OrgUnit``. Every unit that the plan
(``shared/seed/safety-plan-2021-2025.txt``) names as lead, cooperating or responsible unit resolves
through ``name`` or one of its ``aliases``.

The zone has two towns; the plan names one of them ("腾镇"). The second town's name and the full names
of departments are the demo zone's assumptions and can be edited in the admin.
"""

from __future__ import annotations

from typing import Any, TypedDict

from anjian.domain.org_names import UnitEntry, UnitRegistry

__all__ = ["GROUPS", "UNITS", "registry"]


class UnitSeed(TypedDict):
    """One seed unit; ``kind`` is an ``orgs.choices.OrgKind`` value."""

    code: str
    name: str
    full_name: str
    kind: str
    aliases: list[str]


class GroupSeed(TypedDict):
    """One seed group of units, named by its members' ``name``."""

    code: str
    name: str
    aliases: list[str]
    members: list[str]


# kind values match orgs.choices.OrgKind
UNITS: list[UnitSeed] = [
    # code, name (canonical short name used in the plan), full name, kind, aliases
    {
        "code": "AWH",
        "name": "安委会",
        "full_name": "孛井滩示范区安全生产委员会",
        "kind": "committee",
        "aliases": ["示范区安委会", "安全生产委员会"],
    },
    {
        "code": "AWB",
        "name": "安委会办公室",
        "full_name": "孛井滩示范区安全生产委员会办公室",
        "kind": "committee",
        "aliases": ["安委办"],
    },
    {
        "code": "DZB",
        "name": "党政综合办公室",
        "full_name": "孛井滩示范区党政综合办公室",
        "kind": "department",
        "aliases": ["党政办", "党政综合办"],
    },
    {
        "code": "DQB",
        "name": "党群工作部",
        "full_name": "孛井滩示范区党群工作部",
        "kind": "department",
        "aliases": ["党群部"],
    },
    {
        "code": "YJJ",
        "name": "应急管理局",
        "full_name": "孛井滩示范区应急管理局",
        "kind": "department",
        "aliases": ["应急局"],
    },
    {
        "code": "FGJ",
        "name": "发改统计局",
        "full_name": "孛井滩示范区发展改革和统计局",
        "kind": "department",
        "aliases": ["发改局", "发展改革和统计局"],
    },
    {
        "code": "GKJ",
        "name": "工业和科技局",
        "full_name": "孛井滩示范区工业和科技局",
        "kind": "department",
        "aliases": ["工科局", "工信局"],
    },
    {
        "code": "ZJJ",
        "name": "住建交通局",
        "full_name": "孛井滩示范区住房城乡建设和交通运输局",
        "kind": "department",
        "aliases": ["住建局", "住房和城乡建设交通局"],
    },
    {
        "code": "SPJ",
        "name": "行政审批和政务服务局",
        "full_name": "孛井滩示范区行政审批和政务服务局",
        "kind": "department",
        "aliases": ["审批局", "政务服务局"],
    },
    {
        "code": "ZRJ",
        "name": "自然资源局",
        "full_name": "孛井滩示范区自然资源局",
        "kind": "department",
        "aliases": ["自然资源分局"],
    },
    {
        "code": "STJ",
        "name": "生态环境分局",
        "full_name": "阿拉善盟生态环境局孛井滩示范区分局",
        "kind": "department",
        "aliases": ["生态环境局", "环保局"],
    },
    {
        "code": "SWJ",
        "name": "社会事务局（文旅办）",
        "full_name": "孛井滩示范区社会事务局（文化旅游办公室）",
        "kind": "department",
        "aliases": ["社会事务局", "文旅办"],
    },
    {
        "code": "NMJ",
        "name": "农牧林水局",
        "full_name": "孛井滩示范区农牧林水局",
        "kind": "department",
        "aliases": ["农牧局"],
    },
    {
        "code": "SJJ",
        "name": "市场监督管理局",
        "full_name": "孛井滩示范区市场监督管理局",
        "kind": "department",
        "aliases": ["市监局", "市场监管局"],
    },
    {
        "code": "RSJ",
        "name": "人力资源和社会保障局",
        "full_name": "孛井滩示范区人力资源和社会保障局",
        "kind": "department",
        "aliases": ["人社局"],
    },
    {
        "code": "ZFJ",
        "name": "综合执法局",
        "full_name": "孛井滩示范区综合行政执法局",
        "kind": "department",
        "aliases": ["综合行政执法局"],
    },
    {
        "code": "GAJ",
        "name": "公安分局",
        "full_name": "阿拉善盟公安局孛井滩示范区分局",
        "kind": "department",
        "aliases": ["公安局"],
    },
    {
        "code": "JYD",
        "name": "示范区综合应急救援大队",
        "full_name": "孛井滩示范区综合应急救援大队",
        "kind": "rescue",
        "aliases": ["综合应急救援大队", "应急救援大队", "消防救援大队"],
    },
    {
        "code": "YQGW",
        "name": "腾格里技术产业园区管委会",
        "full_name": "腾格里技术产业园区管理委员会",
        "kind": "committee",
        "aliases": ["园区管委会", "腾格里技术产业园区"],
    },
    {
        "code": "TZ",
        "name": "腾格里镇",
        "full_name": "孛井滩示范区腾格里镇人民政府",
        "kind": "town",
        "aliases": ["腾镇"],
    },
    {
        "code": "BZ",
        "name": "孛井滩镇",
        "full_name": "孛井滩示范区孛井滩镇人民政府",
        "kind": "town",
        "aliases": ["孛镇"],
    },
    {
        "code": "DLGS",
        "name": "腾格里电力分公司",
        "full_name": "内蒙古电力（集团）有限责任公司腾格里电力分公司",
        "kind": "company",
        "aliases": ["电力分公司"],
    },
]

# Groups: kept under their own name by the parser, expanded to members for visibility and reports.
MEMBER_UNITS = [
    "党政综合办公室",
    "党群工作部",
    "应急管理局",
    "发改统计局",
    "工业和科技局",
    "住建交通局",
    "行政审批和政务服务局",
    "自然资源局",
    "生态环境分局",
    "社会事务局（文旅办）",
    "农牧林水局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "综合执法局",
    "公安分局",
    "示范区综合应急救援大队",
    "腾格里技术产业园区管委会",
    "腾格里镇",
    "孛井滩镇",
]
GROUPS: list[GroupSeed] = [
    {
        "code": "G-AWH",
        "name": "安委会各成员单位",
        "aliases": ["各成员单位", "安委会成员单位"],
        "members": MEMBER_UNITS,
    },
    {"code": "G-LZ", "name": "两镇", "aliases": ["各镇", "两个镇"], "members": ["腾格里镇", "孛井滩镇"]},
]


def registry() -> UnitRegistry:
    """Return a registry of the seed units and groups (no database needed)."""
    entries = [UnitEntry(name=u["name"], aliases=tuple(u["aliases"])) for u in UNITS]
    entries += [
        UnitEntry(name=g["name"], aliases=tuple(g["aliases"]), is_group=True, members=tuple(g["members"]))
        for g in GROUPS
    ]
    return UnitRegistry(entries)


def load(unit_model: Any, alias_model: Any) -> None:
    """Create the seed units, aliases and groups with the given model classes; idempotent.

    Takes the classes as arguments so the data migration can pass its historical models.
    """
    for item in UNITS:
        unit, _ = unit_model.objects.get_or_create(
            code=item["code"],
            defaults={"name": item["name"], "full_name": item["full_name"], "kind": item["kind"]},
        )
        for alias in item["aliases"]:
            alias_model.objects.get_or_create(name=alias, defaults={"unit": unit})
    for group_item in GROUPS:
        group, _ = unit_model.objects.get_or_create(
            code=group_item["code"],
            defaults={"name": group_item["name"], "full_name": group_item["name"], "kind": "group"},
        )
        for alias in group_item["aliases"]:
            alias_model.objects.get_or_create(name=alias, defaults={"unit": group})
        group.members.set(unit_model.objects.filter(name__in=group_item["members"]))
