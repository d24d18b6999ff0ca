"""Demo part ``enterprises``: grids, about 60 enterprises, licences and standardisation grades.

About 20 enterprises sit in 腾格里技术产业园区 (chemical producers, storage and trading, users, a hazardous
waste plant); the rest are spread over 腾格里镇 and 孛井滩镇 across the plan's chapter 四 industries. Codes
are valid 统一社会信用代码 of 阿拉善左旗 (152921). Grades are chosen so the live metrics sit near but not at
the plan's targets (above-scale ≈ 90–95%, small ≈ 55–75%, one 二级 enterprise added of the two planned).
Everything is derived from ``ctx.child_rng("enterprises")`` and ``ctx.today``: the same seed builds the
same zone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from anjian.demo.context import DemoContext
from anjian.domain.check_digits import USCC_CHARSET, org_code_check_char, uscc_check_char
from anjian.enterprises import actions
from anjian.enterprises.choices import Industry, Scale
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization
from anjian.orgs.models import OrgUnit

__all__ = ["build"]

REGION = "152921"  # 阿拉善左旗
DEMO_REASON = "演示数据"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = [
    "建国",
    "志强",
    "海燕",
    "文博",
    "晓东",
    "丽娟",
    "国庆",
    "俊杰",
    "红梅",
    "永刚",
    "雪峰",
    "德胜",
    "春花",
    "宏伟",
    "明辉",
    "秀兰",
    "振华",
    "子涵",
    "立新",
    "巴特尔",
    "乌云",
    "其其格",
    "宝音",
    "斯琴",
    "额尔敦",
    "那仁",
]

# (industry, name, scale, flags "PCM" = key_process / key_chemical / major_hazard, employees)
PARK = [
    (Industry.HAZCHEM_PRODUCTION, "内蒙古腾格里精细化工有限公司", Scale.ABOVE, "PCM", 420),
    (Industry.HAZCHEM_PRODUCTION, "阿拉善盟瀚海氯碱化工有限责任公司", Scale.ABOVE, "PCM", 615),
    (Industry.HAZCHEM_PRODUCTION, "内蒙古金沙湾新材料科技有限公司", Scale.ABOVE, "PC", 236),
    (Industry.HAZCHEM_PRODUCTION, "腾格里宏达医药中间体有限公司", Scale.ABOVE, "PCM", 188),
    (Industry.HAZCHEM_PRODUCTION, "内蒙古驼铃农药化工有限公司", Scale.ABOVE, "PC", 260),
    (Industry.HAZCHEM_PRODUCTION, "阿拉善左旗大漠煤化工有限公司", Scale.ABOVE, "PCM", 530),
    (Industry.HAZCHEM_PRODUCTION, "内蒙古胡杨林染料化工有限公司", Scale.ABOVE, "PC", 174),
    (Industry.HAZCHEM_PRODUCTION, "腾格里蓝天硝化科技有限公司", Scale.ABOVE, "PCM", 142),
    (Industry.HAZCHEM_PRODUCTION, "内蒙古贺兰山氟化工有限公司", Scale.ABOVE, "PC", 205),
    (Industry.HAZCHEM_PRODUCTION, "阿拉善盟绿源生物化工有限公司", Scale.SMALL, "C", 68),
    (Industry.HAZCHEM_TRADE, "腾格里化工园区危险化学品储运有限公司", Scale.ABOVE, "CM", 96),
    (Industry.HAZCHEM_TRADE, "内蒙古通达液体化工仓储有限公司", Scale.ABOVE, "CM", 74),
    (Industry.HAZCHEM_TRADE, "阿拉善左旗鑫源化工贸易有限公司", Scale.SMALL, "C", 18),
    (Industry.HAZCHEM_TRADE, "腾格里恒信气体销售有限公司", Scale.SMALL, "C", 22),
    (Industry.HAZCHEM_USE, "内蒙古沙漠之舟新能源材料有限公司", Scale.ABOVE, "C", 310),
    (Industry.HAZCHEM_USE, "腾格里瑞丰工业气体有限公司", Scale.SMALL, "C", 35),
    (Industry.HAZCHEM_USE, "阿拉善盟博远水处理剂有限公司", Scale.SMALL, "", 41),
    (Industry.HAZCHEM_USE, "内蒙古阿拉善光伏材料有限公司", Scale.ABOVE, "", 280),
    (Industry.HAZARDOUS_WASTE, "腾格里环境科技危废处置有限公司", Scale.ABOVE, "", 88),
    (Industry.POWER, "腾格里园区热电有限公司", Scale.ABOVE, "", 156),
]
TOWN = [
    (Industry.FUEL_STATION, "中国石化销售股份有限公司内蒙古阿拉善腾格里加油站", Scale.SMALL, "C", 14),
    (Industry.FUEL_STATION, "中国石油天然气股份有限公司阿拉善孛井滩加油站", Scale.SMALL, "C", 12),
    (Industry.FUEL_STATION, "阿拉善左旗驼城加油加气站", Scale.SMALL, "C", 9),
    (Industry.FUEL_STATION, "腾格里镇东环路LNG加气站", Scale.SMALL, "C", 8),
    (Industry.CHARGING_STATION, "腾格里国网电动汽车充电站", Scale.SMALL, "", 5),
    (Industry.CHARGING_STATION, "孛井滩镇新能源充电服务有限公司", Scale.SMALL, "", 6),
    (Industry.CONSTRUCTION, "内蒙古腾飞建筑工程有限公司", Scale.ABOVE, "", 320),
    (Industry.CONSTRUCTION, "阿拉善盟宏基建设集团有限公司", Scale.ABOVE, "", 410),
    (Industry.CONSTRUCTION, "孛井滩镇安居建筑安装有限公司", Scale.SMALL, "", 60),
    (Industry.TRANSPORT, "阿拉善盟顺达危险货物运输有限公司", Scale.ABOVE, "", 140),
    (Industry.TRANSPORT, "腾格里客运有限责任公司", Scale.SMALL, "", 48),
    (Industry.TRANSPORT, "孛井滩镇畅通物流有限公司", Scale.SMALL, "", 26),
    (Industry.TOURISM, "腾格里沙漠月亮湖旅游开发有限公司", Scale.ABOVE, "", 130),
    (Industry.TOURISM, "孛井滩镇驼铃湾生态旅游有限公司", Scale.SMALL, "", 32),
    (Industry.TOURISM, "阿拉善左旗通湖草原旅游有限公司", Scale.SMALL, "", 45),
    (Industry.SPECIAL_EQUIPMENT, "腾格里锅炉供热有限公司", Scale.SMALL, "", 38),
    (Industry.SPECIAL_EQUIPMENT, "孛井滩镇城区集中供热站", Scale.SMALL, "", 20),
    (Industry.SPECIAL_EQUIPMENT, "阿拉善盟恒安起重吊装有限公司", Scale.SMALL, "", 27),
    (Industry.BUILDING_MATERIALS, "内蒙古腾格里新型建材有限公司", Scale.ABOVE, "", 185),
    (Industry.BUILDING_MATERIALS, "孛井滩镇鑫磊商品混凝土有限公司", Scale.SMALL, "", 54),
    (Industry.BUILDING_MATERIALS, "阿拉善左旗金石砂石料有限公司", Scale.SMALL, "", 30),
    (Industry.METALLURGY, "内蒙古阿拉善硅铁冶炼有限公司", Scale.ABOVE, "", 360),
    (Industry.MACHINERY, "腾格里重工机械制造有限公司", Scale.ABOVE, "", 150),
    (Industry.MACHINERY, "孛井滩镇农机修造厂", Scale.SMALL, "", 16),
    (Industry.LIGHT_INDUSTRY, "阿拉善盟沙漠肉苁蓉生物科技有限公司", Scale.SMALL, "", 52),
    (Industry.LIGHT_INDUSTRY, "腾格里驼乳制品有限公司", Scale.ABOVE, "", 120),
    (Industry.COMMERCE, "孛井滩镇百货商贸有限公司", Scale.SMALL, "", 24),
    (Industry.COMMERCE, "腾格里镇综合市场管理有限公司", Scale.SMALL, "", 19),
    (Industry.COMMERCE, "阿拉善左旗万家福超市有限公司腾格里店", Scale.SMALL, "", 35),
    (Industry.NON_COAL_MINE, "阿拉善左旗孛井滩石膏矿业有限公司", Scale.ABOVE, "", 110),
    (Industry.NON_COAL_MINE, "内蒙古腾格里芒硝矿业有限公司", Scale.SMALL, "", 58),
    (Industry.FIREWORKS, "孛井滩镇平安烟花爆竹经营部", Scale.SMALL, "", 4),
    (Industry.EXPLOSIVES, "阿拉善盟民爆器材有限责任公司孛井滩分公司", Scale.SMALL, "M", 21),
    (Industry.AGRI_MACHINERY, "孛井滩镇丰收农机专业合作社", Scale.SMALL, "", 11),
    (Industry.CITY_GAS, "阿拉善左旗腾格里燃气有限公司", Scale.SMALL, "C", 40),
    (Industry.HAZCHEM_TRADE, "孛井滩镇利民化工产品经销部", Scale.SMALL, "C", 6),
    (Industry.HAZCHEM_TRADE, "腾格里镇安泰气体经营部", Scale.SMALL, "C", 5),
    (Industry.TEXTILE, "阿拉善盟驼绒纺织有限公司", Scale.SMALL, "", 70),
    (Industry.POWER, "孛井滩镇光伏发电有限公司", Scale.ABOVE, "", 42),
    (Industry.OTHER, "腾格里镇农副产品冷链仓储有限公司", Scale.SMALL, "", 15),
]

LICENCES_BY_INDUSTRY: dict[str, list[tuple[str, str]]] = {
    Industry.HAZCHEM_PRODUCTION: [
        ("safety_production", "（蒙）WH安许证字〔{y}〕{n:04d}号"),
        ("hazchem_registration", "15292{n:04d}"),
    ],
    Industry.HAZCHEM_TRADE: [("hazchem_trade", "阿应急经字〔{y}〕{n:04d}")],
    Industry.HAZCHEM_USE: [("hazchem_use", "蒙危化使字〔{y}〕{n:04d}")],
    Industry.FUEL_STATION: [("hazchem_trade", "阿应急经字〔{y}〕{n:04d}")],
    Industry.NON_COAL_MINE: [
        ("safety_production", "（蒙）FM安许证字〔{y}〕{n:04d}"),
        ("mining", "C1529{n:08d}"),
    ],
    Industry.FIREWORKS: [("fireworks_trade", "（蒙）YH经许字〔{y}〕{n:04d}")],
    Industry.EXPLOSIVES: [("explosives", "MB销许字〔{y}〕{n:04d}")],
    Industry.TRANSPORT: [("road_transport", "蒙交运管许可阿字{n:06d}号")],
    Industry.HAZARDOUS_WASTE: [("hazardous_waste", "1529{n:04d}")],
    Industry.CITY_GAS: [("gas_operation", "蒙{y}15292{n:04d}")],
    Industry.SPECIAL_EQUIPMENT: [("special_equipment", "锅15蒙M{n:05d}")],
    Industry.CONSTRUCTION: [("construction", "（蒙）JZ安许证字〔{y}〕{n:06d}")],
}
ISSUERS = {
    "safety_production": "内蒙古自治区应急管理厅",
    "hazchem_registration": "应急管理部化学品登记中心",
    "hazchem_trade": "阿拉善盟应急管理局",
    "hazchem_use": "内蒙古自治区应急管理厅",
    "mining": "阿拉善盟自然资源局",
    "fireworks_trade": "阿拉善盟应急管理局",
    "explosives": "内蒙古自治区工业和信息化厅",
    "road_transport": "阿拉善盟交通运输局",
    "hazardous_waste": "内蒙古自治区生态环境厅",
    "gas_operation": "阿拉善盟住房和城乡建设局",
    "special_equipment": "孛井滩示范区市场监督管理局",
    "construction": "内蒙古自治区住房和城乡建设厅",
}
AGENCIES = ["内蒙古安科安全生产检测检验有限公司", "阿拉善盟安全生产协会", "内蒙古蒙安安全技术咨询有限公司"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _uscc(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "MA" + "".join(rng.choice(USCC_CHARSET[:31]) for _ in range(6))
        first17 = "91" + REGION + body + org_code_check_char(body)
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def _plot(lon: float, lat: float, rng: random.Random) -> dict[str, Any]:
    w = rng.uniform(0.0012, 0.0035)
    h = rng.uniform(0.0010, 0.0028)
    ring = [
        [lon - w, lat - h],
        [lon + w, lat - h],
        [lon + w, lat + h],
        [lon - w, lat + h],
        [lon - w, lat - h],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _grids(ctx: DemoContext, rng: random.Random) -> dict[str, list[Grid]]:
    teng = OrgUnit.objects.get(name="腾格里镇")
    bo = OrgUnit.objects.get(name="孛井滩镇")
    specs = [
        ("TGL-YQ-01", "园区北区网格", teng, True),
        ("TGL-YQ-02", "园区南区网格", teng, True),
        ("TGL-YQ-03", "园区仓储物流网格", teng, True),
        ("TGL-01", "腾格里镇东片网格", teng, False),
        ("TGL-02", "腾格里镇西片网格", teng, False),
        ("BJT-01", "孛井滩镇中心网格", bo, False),
        ("BJT-02", "孛井滩镇北片网格", bo, False),
        ("BJT-03", "孛井滩镇南片网格", bo, False),
    ]
    out: dict[str, list[Grid]] = {"park": [], "腾格里镇": [], "孛井滩镇": []}
    for code, name, town, in_park in specs:
        grid = Grid.objects.create(
            code=code,
            name=name,
            town=town,
            in_park=in_park,
            staff_name=_person(rng),
            staff_phone=f"139{rng.randrange(10**7, 10**8)}",
        )
        out["park" if in_park else town.name].append(grid)
    ctx.refs["grids"] = [g for gs in out.values() for g in gs]
    return out


def _place(where: str, rng: random.Random) -> tuple[float, float]:
    if where == "park":
        return rng.uniform(105.20, 105.30), rng.uniform(37.80, 37.88)
    if where == "腾格里镇":
        return rng.uniform(105.02, 105.18), rng.uniform(37.70, 37.80)
    return rng.uniform(105.30, 105.40), rng.uniform(37.60, 37.70)


def _enterprises(ctx: DemoContext, rng: random.Random, grids: dict[str, list[Grid]]) -> list[Enterprise]:
    teng = OrgUnit.objects.get(name="腾格里镇")
    bo = OrgUnit.objects.get(name="孛井滩镇")
    used: set[str] = set()
    created: list[Enterprise] = []
    rows = [(row, "park") for row in PARK] + [
        (row, "腾格里镇" if i % 2 == 0 else "孛井滩镇") for i, row in enumerate(TOWN)
    ]
    for i, ((industry, name, scale, flags, employees), where) in enumerate(rows):
        lon, lat = _place(where, rng)
        town = bo if where == "孛井滩镇" else teng
        # A few status changes so the registry is not uniform: 停产 ×2, 筹建 ×1, 关闭 ×1.
        status = {7: "suspended", 33: "suspended", 39: "preparing", 27: "closed"}.get(i, "operating")
        enterprise = Enterprise(
            uscc=_uscc(rng, used),
            name=name,
            short_name=name.replace("有限责任公司", "").replace("有限公司", "")[-8:],
            address=(
                "内蒙古自治区阿拉善盟孛井滩示范区腾格里技术产业园区"
                if where == "park"
                else f"内蒙古自治区阿拉善盟孛井滩示范区{town.name}"
            )
            + f"{rng.choice(['纬一路', '经三路', '创业大道', '振兴街', '迎宾路'])}{rng.randrange(1, 300)}号",
            town=town,
            in_park=where == "park",
            grid=rng.choice(grids[where]),
            lon=Decimal(f"{lon:.6f}"),
            lat=Decimal(f"{lat:.6f}"),
            plot_geojson=_plot(lon, lat, rng),
            status=status,
            scale=scale,
            industry=industry,
            key_process="P" in flags,
            key_chemical="C" in flags,
            major_hazard="M" in flags,
            legal_rep=_person(rng),
            principal=_person(rng),
            safety_manager_name=_person(rng),
            phone=f"0483-{rng.randrange(8100000, 8999999)}",
            employees=employees,
        )
        created.append(actions.do_create_enterprise(enterprise, acting_user=None, reason=DEMO_REASON))
    return created


def _licences(ctx: DemoContext, rng: random.Random, enterprises: list[Enterprise]) -> None:
    today = ctx.today
    n = 0
    # Deterministic positions for licences needing action: 2 expired, 3 expiring within 30/60/90 days.
    special = {2: -45, 5: -10, 8: 20, 11: 50, 14: 80}
    for enterprise in enterprises:
        for kind, pattern in LICENCES_BY_INDUSTRY.get(enterprise.industry, []):
            n += 1
            offset = special.get(n, rng.randrange(150, 1000))
            valid_until = today + dt.timedelta(days=offset)
            issued_on = valid_until - dt.timedelta(days=3 * 365)
            licence = Licence(
                enterprise=enterprise,
                kind=kind,
                number=pattern.format(y=issued_on.year, n=100 + n),
                issuer=ISSUERS.get(kind, ""),
                issued_on=issued_on,
                valid_until=valid_until,
                scope="详见许可证正本"
                if kind != "hazchem_trade"
                else "汽油、柴油、液化石油气（不带储存设施）",
            )
            actions.do_save_licence(licence, acting_user=None, reason=DEMO_REASON)


def _grade(
    enterprise: Enterprise,
    grade: str,
    issued_on: dt.date,
    n: int,
    rng: random.Random,
    *,
    is_current: bool = True,
) -> None:
    grading = Standardization(
        enterprise=enterprise,
        grade=grade,
        certificate_no=f"AQBZ-{issued_on.year}-{n:04d}",
        issued_on=issued_on,
        agency=rng.choice(AGENCIES),
        is_current=is_current,
    )
    actions.do_save_standardization(grading, acting_user=None, reason=DEMO_REASON)


def _standardization(ctx: DemoContext, rng: random.Random, enterprises: list[Enterprise]) -> None:
    today = ctx.today
    active = [e for e in enterprises if e.is_active]
    above = [e for e in active if e.scale == Scale.ABOVE]
    small = [e for e in active if e.scale == Scale.SMALL]
    n = 0
    # Above scale: everyone graded except one with none and one whose re-review is overdue (≈ 92%).
    no_grade, overdue = above[-1], above[-2]
    level2_old, level2_new = above[0], above[1]
    for e in above:
        n += 1
        if e is no_grade:
            continue
        if e is overdue:
            _grade(e, "level3", today - dt.timedelta(days=3 * 365 + 40), n, rng)
        elif e is level2_old:
            # Held 二级 before the plan began, reviewed since: not an addition.
            _grade(e, "level2", dt.date(2019, 6, 18), n, rng, is_current=False)
            n += 1
            _grade(e, "level2", today - dt.timedelta(days=rng.randrange(200, 700)), n, rng)
        elif e is level2_new:
            # 三级 before, 二级 reached during the plan: the one addition of the two planned.
            _grade(e, "level3", dt.date(2020, 9, 1), n, rng, is_current=False)
            n += 1
            _grade(e, "level2", today - dt.timedelta(days=rng.randrange(120, 500)), n, rng)
        else:
            _grade(e, "level3", today - dt.timedelta(days=rng.randrange(60, 1000)), n, rng)
    # Small: about two thirds 规范化 达标.
    for i, e in enumerate(small):
        n += 1
        if i % 3 != 2:
            _grade(e, "small", today - dt.timedelta(days=rng.randrange(30, 1000)), n, rng)


def _logins(ctx: DemoContext, enterprises: list[Enterprise]) -> None:
    from anjian.demo.users import DEMO_PASSWORD

    for username, enterprise in (("qiye", enterprises[0]), ("jiayouzhan", enterprises[20])):
        actions.do_create_enterprise_user(
            enterprise,
            username=username,
            password=DEMO_PASSWORD,
            name=enterprise.safety_manager_name,
            acting_user=None,
            reason=DEMO_REASON,
        )
        ctx.logins.append((username, DEMO_PASSWORD, f"企业用户：仅能查看本企业（{enterprise.name}）"))


def build(ctx: DemoContext) -> None:
    """Create the demo zone's grids, enterprises, licences, standardisation grades and two enterprise logins."""
    rng = ctx.child_rng("enterprises")
    grids = _grids(ctx, rng)
    enterprises = _enterprises(ctx, rng, grids)
    _licences(ctx, rng, enterprises)
    _standardization(ctx, rng, enterprises)
    _logins(ctx, enterprises)
    ctx.refs["enterprises"] = enterprises
