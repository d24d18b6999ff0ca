"""Demo part ``majorhazards``: 15 installations in the park's chemical enterprises, graded by GB 18218-2018.

The inventories are plausible for the plant and compute (through the register's own actions, so every
grade is the calculation's result, with history and audit) to: one 一级 (the 氯碱 plant's liquid-chlorine
tank farm), three 二级, six 三级, three 四级 and two units below the critical quantities. 包保 people are
the enterprises' own people (主要负责人, 安全管理人员, a special-operations worker); a few levels are left
empty, a few checks are late and one safety assessment is older than three years, so the gap job has
something to find. Deterministic for the context's seed and ``ctx.today``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anjian.demo.context import DemoContext
from anjian.enterprises.models import Enterprise
from anjian.majorhazards import actions
from anjian.majorhazards.actions import refresh_gaps
from anjian.majorhazards.choices import FilingStatus
from anjian.majorhazards.models import HazardInstallation, InventoryLine
from anjian.people.choices import RoleCategory
from anjian.people.models import Person

__all__ = ["INSTALLATIONS", "build"]

# (enterprise name, code suffix, name, unit kind, people within 500 m,
#  [(substance, cas, category, q t, state, container, temperature ℃, pressure MPa)], expected grade)
INSTALLATIONS: list[tuple[str, str, str, str, int, list[tuple[Any, ...]], int | None]] = [
    (
        "阿拉善盟瀚海氯碱化工有限责任公司",
        "01",
        "液氯储罐区",
        "storage",
        120,
        [("液氯", "7782-50-5", "", "150", "liquefied_gas", "6×50m³ 卧式液氯储罐", "25", "0.8")],
        1,  # R = 2 × 4 × 150/5 = 240
    ),
    (
        "阿拉善盟瀚海氯碱化工有限责任公司",
        "02",
        "氯乙烯合成装置",
        "production",
        120,
        [
            ("氯乙烯", "75-01-4", "", "300", "liquefied_gas", "氯乙烯球罐及精馏塔", "40", "0.6"),
            ("氯化氢", "7647-01-0", "", "10", "gas", "氯化氢合成炉及缓冲罐", "150", "0.1"),
        ],
        3,  # R = 2 × (1.5 × 6 + 3 × 0.5) = 21
    ),
    (
        "阿拉善盟瀚海氯碱化工有限责任公司",
        "03",
        "氢气处理工段",
        "production",
        120,
        [("氢气", "1333-74-0", "", "2", "gas", "氢气柜及压缩机", "30", "0.05")],
        None,  # S = 0.4
    ),
    (
        "内蒙古腾格里精细化工有限公司",
        "01",
        "甲醇甲苯罐区",
        "storage",
        40,
        [
            ("甲醇", "67-56-1", "", "4000", "liquid", "2×3000m³ 内浮顶储罐", "", ""),
            ("甲苯", "108-88-3", "", "2500", "liquid", "2×2000m³ 内浮顶储罐", "", ""),
        ],
        3,  # R = 1.2 × (8 + 5) = 15.6
    ),
    (
        "内蒙古腾格里精细化工有限公司",
        "02",
        "环氧丙烷加氢装置",
        "production",
        40,
        [
            ("1,2-环氧丙烷", "75-56-9", "", "300", "liquid", "环氧丙烷中间罐及反应器", "35", "1.2"),
            ("氢", "1333-74-0", "", "3", "gas", "加氢反应器", "120", "2.5"),
        ],
        2,  # R = 1.2 × (1.5 × 30 + 1.5 × 0.6) = 55.08
    ),
    (
        "腾格里宏达医药中间体有限公司",
        "01",
        "溶剂罐区",
        "storage",
        25,
        [
            ("乙酸乙酯", "141-78-6", "", "600", "liquid", "4×200m³ 固定顶储罐", "", ""),
            ("丙酮", "67-64-1", "", "300", "liquid", "2×200m³ 固定顶储罐", "", ""),
        ],
        4,  # R = 1 × (1.2 + 0.6) = 1.8
    ),
    (
        "阿拉善左旗大漠煤化工有限公司",
        "01",
        "液氨储罐区",
        "storage",
        60,
        [("液氨", "7664-41-7", "", "300", "liquefied_gas", "3×200m³ 液氨球罐", "20", "0.9")],
        2,  # R = 1.5 × 2 × 30 = 90
    ),
    (
        "阿拉善左旗大漠煤化工有限公司",
        "02",
        "甲醇合成装置",
        "production",
        60,
        [
            ("甲醇", "67-56-1", "", "1500", "liquid", "甲醇合成塔及粗甲醇槽", "240", "5.0"),
            ("一氧化碳", "630-08-0", "", "30", "gas", "合成气压缩机及管线", "40", "5.5"),
            ("氢气", "1333-74-0", "", "4", "gas", "合成气压缩机及管线", "40", "5.5"),
        ],
        3,  # R = 1.5 × (3 + 2 × 1.5 + 1.5 × 0.8) = 10.8
    ),
    (
        "阿拉善左旗大漠煤化工有限公司",
        "03",
        "液化天然气储罐区",
        "storage",
        60,
        [("液化天然气", "8006-14-2", "W2", "600", "liquefied_gas", "1×2000m³ LNG 全容罐", "-162", "0.02")],
        3,  # 天然气 (表1第49项): R = 1.5 × 1.5 × 12 = 27
    ),
    (
        "腾格里蓝天硝化科技有限公司",
        "01",
        "硝化装置",
        "production",
        35,
        [
            ("硝酸(发红烟的除外,含硝酸>70%)", "7697-37-2", "", "150", "liquid", "硝酸计量槽", "25", ""),
            ("甲苯", "108-88-3", "", "200", "liquid", "甲苯计量槽及硝化釜", "45", ""),
        ],
        4,  # R = 1.2 × (1.5 + 0.4) = 2.28
    ),
    (
        "腾格里化工园区危险化学品储运有限公司",
        "01",
        "液化烃罐区",
        "storage",
        15,
        [
            ("液化石油气", "68476-85-7", "", "1200", "liquefied_gas", "4×1000m³ 液化烃球罐", "", "1.6"),
            ("1,3-丁二烯", "106-99-0", "", "150", "liquefied_gas", "2×400m³ 丁二烯球罐", "", "0.5"),
        ],
        2,  # R = 1 × (1.5 × 24 + 1.5 × 30) = 81
    ),
    (
        "腾格里化工园区危险化学品储运有限公司",
        "02",
        "汽油甲醇罐区",
        "storage",
        15,
        [
            ("汽油", "86290-81-5", "", "3000", "liquid", "3×2000m³ 内浮顶储罐", "", ""),
            ("甲醇", "67-56-1", "", "5000", "liquid", "2×5000m³ 内浮顶储罐", "", ""),
        ],
        3,  # R = 1 × (15 + 10) = 25
    ),
    (
        "内蒙古通达液体化工仓储有限公司",
        "01",
        "芳烃罐区",
        "storage",
        8,
        [
            ("苯", "71-43-2", "", "200", "liquid", "2×300m³ 内浮顶储罐", "", ""),
            ("苯乙烯", "100-42-5", "", "2000", "liquid", "2×1500m³ 储罐（阻聚、冷却）", "", ""),
        ],
        4,  # R = 1 × (4 + 4) = 8
    ),
    (
        "内蒙古通达液体化工仓储有限公司",
        "02",
        "环氧乙烷球罐区",
        "storage",
        8,
        [
            (
                "环氧乙烷",
                "75-21-8",
                "",
                "120",
                "liquefied_gas",
                "2×150m³ 环氧乙烷球罐（氮封、冷冻）",
                "5",
                "0.4",
            )
        ],
        3,  # R = 1 × 2 × 12 = 24
    ),
    (
        "内蒙古贺兰山氟化工有限公司",
        "01",
        "无水氟化氢中间罐",
        "storage",
        30,
        [("氟化氢", "7664-39-3", "", "0.5", "liquid", "1×1m³ 中间罐", "15", "0.1")],
        None,  # S = 0.5
    ),
]

DEMO_REASON = "演示数据"


def _people(enterprise: Enterprise) -> dict[str, list[Person]]:
    out: dict[str, list[Person]] = {}
    for person in Person.objects.filter(employer_enterprise=enterprise, is_active=True).order_by("pk"):
        out.setdefault(person.role_category, []).append(person)
    return out


def _outline(lon: float, lat: float, size: float) -> dict[str, Any]:
    w, h = size, size * 0.7
    ring = [
        [lon - w, lat - h],
        [lon + w, lat - h],
        [lon + w, lat + h],
        [lon - w, lat + h],
        [lon - w, lat - h],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def build(ctx: DemoContext) -> None:
    rng = ctx.child_rng("majorhazards")
    today = ctx.today
    by_name = {e.name: e for e in Enterprise.objects.filter(name__in={row[0] for row in INSTALLATIONS})}
    created: list[HazardInstallation] = []
    for index, (ent_name, suffix, name, kind, population, lines, _grade) in enumerate(INSTALLATIONS):
        enterprise = by_name.get(ent_name)
        if enterprise is None:  # the enterprises part names these plants; skip if a seed changed them
            continue
        lon = float(enterprise.lon or Decimal("105.25")) + rng.uniform(-0.0012, 0.0012)
        lat = float(enterprise.lat or Decimal("37.84")) + rng.uniform(-0.0009, 0.0009)
        assessed = today - dt.timedelta(days=rng.randrange(120, 900))
        if index == 7:  # one report older than the three years allowed
            assessed = today - dt.timedelta(days=3 * 365 + 90)
        filed = index not in {12, 2}
        inst = HazardInstallation(
            enterprise=enterprise,
            code=f"ZDWXY-{enterprise.uscc[-6:]}-{suffix}",
            name=name,
            unit_kind=kind,
            population_500m=population,
            identified_on=assessed - dt.timedelta(days=30),
            lon=Decimal(f"{lon:.6f}"),
            lat=Decimal(f"{lat:.6f}"),
            outline_geojson=_outline(lon, lat, 0.0006),
            assessment_report_no=f"AP-{assessed:%Y}-{index + 101:03d}",
            assessment_agency=rng.choice(("内蒙古安泰安全评价有限公司", "宁夏中科安全技术咨询有限公司")),
            assessed_on=assessed,
            assessment_conclusion="符合安全要求，提出整改建议若干项",
        )
        inst = actions.do_save_installation(inst, acting_user=None, reason=DEMO_REASON)
        for substance, cas, category, q, state, container, temp, pressure in lines:
            actions.do_save_inventory_line(
                InventoryLine(
                    installation=inst,
                    substance=substance,
                    cas=cas,
                    category=category,
                    max_quantity_t=Decimal(q),
                    physical_state=state,
                    container=container,
                    temperature_c=Decimal(temp) if temp else None,
                    pressure_mpa=Decimal(pressure) if pressure else None,
                ),
                acting_user=None,
                reason=DEMO_REASON,
            )
        inst.refresh_from_db()
        if filed:  # 备案 follows the identification and the assessment report (40号令 第二十三条)
            inst.filing_status = FilingStatus.FILED
            inst.filing_number = f"152921-ZDWXY-{2022 + index % 3}-{index + 1:03d}"
            inst.filed_on = assessed + dt.timedelta(days=12)
            inst = actions.do_save_installation(inst, acting_user=None, reason=DEMO_REASON)
        created.append(inst)
        if not inst.is_major:
            continue
        people = _people(enterprise)
        choices = {
            "principal": people.get(RoleCategory.PRINCIPAL, []),
            "technical": people.get(RoleCategory.SAFETY_MANAGER, []),
            "operational": people.get(RoleCategory.SPECIAL_WORKER, [])
            + people.get(RoleCategory.OTHER_WORKER, []),
        }
        since = assessed + dt.timedelta(days=20)
        for level, candidates in choices.items():
            if not candidates or (level == "operational" and index in {5, 10}):
                continue  # two installations lack an 操作负责人: a gap
            person = candidates[(index + len(level)) % len(candidates)]
            actions.do_assign_responsibility(
                inst, level, person, since=since, acting_user=None, reason=DEMO_REASON
            )
            interval = {"principal": 92, "technical": 92, "operational": 7}[level]
            # checks at the required rhythm for the last ~half year; a few installations fell behind lately
            late = index in {3, 8} and level == "operational"
            last_day = today - dt.timedelta(
                days=(interval * 2 if late else rng.randrange(0, max(1, interval - 1)))
            )
            day = max(since, today - dt.timedelta(days=180))
            days: list[dt.date] = []
            while day <= last_day:
                days.append(day)
                day += dt.timedelta(days=interval)
            if last_day >= since and (not days or days[-1] != last_day):
                days.append(last_day)
            for check_day in days[-10:]:
                at = timezone.make_aware(
                    dt.datetime.combine(check_day, dt.time(9 + rng.randrange(0, 8), rng.randrange(60)))
                )
                actions.do_log_check(
                    inst,
                    level,
                    acting_user=None,
                    checked_at=min(at, timezone.now()),
                    findings=rng.choice(
                        (
                            "现场巡查，液位、温度、压力参数正常，可燃有毒气体检测报警仪运行正常。",
                            "检查紧急切断阀、安全阀校验标签，消防设施完好。",
                            "检查交接班记录和巡检记录，发现一处防火堤排水阀未关闭，已当场整改。",
                            "组织针对性安全风险隐患排查，未发现重大隐患。",
                        )
                    ),
                    problems_found=rng.choice((0, 0, 0, 1, 2)),
                    lon=inst.lon,
                    lat=inst.lat,
                )
    refresh_gaps(today)
    ctx.refs["majorhazards"] = created
