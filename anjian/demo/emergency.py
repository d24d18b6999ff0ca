"""Demo part: emergency plans, resources (teams incl. the towns' volunteer 扑火队), a year of drills with their
improvements, and a few incidents — one closed, one whose casualties rose to 较大 (writing the assessment
veto), and one being handled now with its reporting clocks running and a plume footprint.

Runs after the enterprises part (``ctx.refs["enterprises"]``); deterministic for the context's seed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anjian.demo.context import DemoContext
from anjian.emergency import actions
from anjian.emergency.models import Drill, EmergencyPlan, Footprint, Incident, Resource
from anjian.orgs.models import OrgUnit, User

#: The park's fire and rescue station (also in the fire demo).
STATION_LON, STATION_LAT = 105.2480, 37.8420

# (kind, team_type, name, quantity, unit, owner, contact, lon, lat)
RESOURCES: list[tuple[str, str, str, int, str, str, str, float, float]] = [
    (
        "team",
        "professional",
        "腾格里园区消防救援站",
        42,
        "人",
        "应急管理局",
        "王建军",
        STATION_LON,
        STATION_LAT,
    ),
    (
        "team",
        "professional",
        "阿拉善盟危险化学品应急救援队孛井滩分队",
        25,
        "人",
        "应急管理局",
        "李海涛",
        105.2210,
        37.8150,
    ),
    ("team", "volunteer", "腾格里镇志愿扑火队", 30, "人", "腾格里镇", "马立新", 105.1000, 37.7500),
    ("team", "volunteer", "孛井滩镇志愿扑火队", 24, "人", "孛井滩镇", "苏和", 105.3500, 37.6500),
    ("equipment", "", "泡沫消防车", 4, "辆", "应急管理局", "王建军", STATION_LON, STATION_LAT),
    ("equipment", "", "举高喷射消防车", 1, "辆", "应急管理局", "王建军", STATION_LON, STATION_LAT),
    ("equipment", "", "有毒有害气体检测仪", 12, "台", "应急管理局", "赵宁", 105.2560, 37.8380),
    ("equipment", "", "正压式空气呼吸器", 40, "套", "应急管理局", "赵宁", 105.2560, 37.8380),
    ("equipment", "", "移动排烟机", 3, "台", "应急管理局", "王建军", STATION_LON, STATION_LAT),
    ("material", "", "堵漏器材", 6, "套", "应急管理局", "赵宁", 105.2560, 37.8380),
    ("material", "", "吸附棉", 800, "千克", "应急管理局", "赵宁", 105.2560, 37.8380),
    ("material", "", "中和剂（碳酸氢钠）", 5, "吨", "应急管理局", "赵宁", 105.2560, 37.8380),
    ("material", "", "防汛沙袋", 3000, "条", "腾格里镇", "马立新", 105.1000, 37.7500),
    ("material", "", "风力灭火机", 20, "台", "孛井滩镇", "苏和", 105.3500, 37.6500),
    ("shelter", "", "园区管委会应急避难场所", 1500, "人", "应急管理局", "刘芳", 105.2350, 37.8600),
    ("shelter", "", "腾格里镇中心小学避难场所", 800, "人", "腾格里镇", "马立新", 105.0900, 37.7450),
    ("shelter", "", "孛井滩镇文化广场避难场所", 600, "人", "孛井滩镇", "苏和", 105.3450, 37.6480),
    ("medical", "", "园区急救站", 2, "辆救护车", "应急管理局", "陈静", 105.2400, 37.8550),
    ("medical", "", "孛井滩示范区人民医院", 120, "张床位", "应急管理局", "周医生", 105.1200, 37.7600),
]

SCENARIOS = [
    ("液氯钢瓶泄漏处置演练", "液氯充装间钢瓶阀门泄漏，人员疏散、堵漏、碱液吸收", "special"),
    ("储罐区火灾扑救演练", "甲苯储罐呼吸阀着火，泡沫覆盖、邻罐冷却", "onsite"),
    ("液氨泄漏中毒救援演练", "液氨管线法兰泄漏，人员中毒，警戒疏散与救护", "special"),
    ("综合应急预案桌面推演", "园区级综合预案启动、信息报送与资源调度", "comprehensive"),
    ("反应釜超温超压处置演练", "反应釜冷却失效超温，紧急泄放与停车", "onsite"),
    ("草原火灾扑救演练", "镇域草场火情，志愿扑火队集结与隔离带开设", "special"),
]
IMPROVEMENTS = [
    "补充配备堵漏器材并建立台账",
    "修订现场处置方案中的疏散路线",
    "增设储罐区可燃气体报警联动",
    "开展班组长应急指挥培训",
    "更换失效的正压式空气呼吸器气瓶",
    "完善与园区消防站的通信联络表",
]


def _unit(name: str) -> OrgUnit:
    return OrgUnit.objects.get(name=name)


def _resources() -> list[Resource]:
    out: list[Resource] = []
    for kind, team_type, name, qty, unit_label, owner, contact, lon, lat in RESOURCES:
        resource = Resource(
            kind=kind,
            team_type=team_type,
            name=name,
            quantity=Decimal(qty),
            unit_label=unit_label,
            owner_unit=_unit(owner),
            contact=contact,
            phone=f"0483-{8200000 + len(out) * 137}",
            lon=Decimal(f"{lon:.6f}"),
            lat=Decimal(f"{lat:.6f}"),
        )
        out.append(actions.do_save_resource(resource, acting_user=None, reason="演示数据"))
    return out


def _enterprise_resources(enterprises: list[Any], rng: Any) -> None:
    for e in enterprises[:8]:
        if e.lon is None:
            continue
        actions.do_save_resource(
            Resource(
                kind="team",
                team_type="enterprise",
                name=f"{e.display_name}应急救援队",
                quantity=Decimal(rng.randrange(8, 30)),
                unit_label="人",
                enterprise=e,
                contact=e.safety_manager_name,
                phone=e.phone,
                lon=e.lon,
                lat=e.lat,
            ),
            acting_user=None,
            reason="演示数据",
        )
        actions.do_save_resource(
            Resource(
                kind="equipment",
                name="空气呼吸器",
                quantity=Decimal(rng.randrange(4, 16)),
                unit_label="套",
                enterprise=e,
                contact=e.safety_manager_name,
                lon=e.lon,
                lat=e.lat,
            ),
            acting_user=None,
            reason="演示数据",
        )


def _plans(ctx: DemoContext, enterprises: list[Any], rng: Any) -> list[EmergencyPlan]:
    today = ctx.today
    plans = [
        EmergencyPlan(title="孛井滩示范区生产安全事故综合应急预案", kind="comprehensive", level="zone", owner_unit=_unit("应急管理局"),
                      version="2.0", approved_on=today - dt.timedelta(days=400), approved_by="示范区管委会", filed_on=today - dt.timedelta(days=380), filing_no="BJT-YA-2024-001"),
        EmergencyPlan(title="危险化学品事故专项应急预案", kind="special", level="department", owner_unit=_unit("应急管理局"),
                      version="1.1", approved_on=today - dt.timedelta(days=3 * 365 + 60), approved_by="应急管理局", filed_on=today - dt.timedelta(days=3 * 365 + 30), filing_no="BJT-YA-2022-004"),
        EmergencyPlan(title="森林草原火灾专项应急预案", kind="special", level="department", owner_unit=_unit("应急管理局"),
                      version="1.0", approved_on=today - dt.timedelta(days=700), approved_by="应急管理局", filed_on=today - dt.timedelta(days=690), filing_no="BJT-YA-2024-002"),
    ]  # fmt: skip
    for i, e in enumerate(enterprises[:14]):
        approved = today - dt.timedelta(days=rng.randrange(100, 1300) + (500 if i % 5 == 0 else 0))
        plans.append(
            EmergencyPlan(
                title=f"{e.display_name}生产安全事故应急预案",
                kind="comprehensive",
                level="enterprise",
                enterprise=e,
                version=f"{1 + i % 3}.0",
                approved_on=approved,
                approved_by=e.principal,
                filed_on=None if i % 6 == 3 else approved + dt.timedelta(days=rng.randrange(5, 30)),
                filing_no="" if i % 6 == 3 else f"YQ-BA-{approved.year}-{i + 10:03d}",
                scenarios="火灾、爆炸、泄漏、中毒窒息",
            )
        )
        if i % 2 == 0:
            plans.append(
                EmergencyPlan(
                    title=f"{e.display_name}储罐区泄漏现场处置方案",
                    kind="onsite",
                    level="enterprise",
                    enterprise=e,
                    approved_on=approved,
                    approved_by=e.principal,
                    filed_on=approved + dt.timedelta(days=10),
                    filing_no=f"YQ-BA-{approved.year}-{i + 60:03d}",
                )
            )
    saved = [actions.do_save_plan(p, acting_user=None, reason="演示数据") for p in plans]
    from anjian.majorhazards.models import HazardInstallation

    for plan in saved:
        if plan.enterprise_id:
            plan.installations.set(HazardInstallation.objects.filter(enterprise_id=plan.enterprise_id)[:3])
    return saved


def _drills(ctx: DemoContext, plans: list[EmergencyPlan], rng: Any) -> None:
    today = ctx.today
    for month in range(12):
        held = today - dt.timedelta(days=15 + 30 * month + rng.randrange(0, 10))
        title, scenario, kind = SCENARIOS[month % len(SCENARIOS)]
        candidates = [p for p in plans if p.kind == kind] or plans
        plan = candidates[month % len(candidates)]
        drill = actions.do_record_drill(
            Drill(
                title=title,
                plan=plan,
                enterprise=plan.enterprise,
                owner_unit=plan.owner_unit,
                held_on=held,
                scenario=scenario,
                participants=rng.randrange(15, 120),
                participant_units="园区消防救援站、企业应急救援队"
                + ("、镇志愿扑火队" if "草原" in title else ""),
                evaluation="响应及时，分工明确；"
                + rng.choice(["通信联络存在延误。", "个体防护装备穿戴不规范。", "疏散集合点指引不清。"]),
            ),
            acting_user=None,
            reason="演示数据",
        )
        for k in range(rng.randrange(1, 3)):
            item = actions.do_add_improvement(
                drill,
                description=IMPROVEMENTS[(month + k) % len(IMPROVEMENTS)],
                owner_name=rng.choice(["张伟", "李强", "王磊", "刘洋"]),
                due_on=held + dt.timedelta(days=45),
                acting_user=None,
            )
            if month > 2 and (month + k) % 4 != 0:
                actions.do_complete_improvement(
                    item, acting_user=None, reason="已整改并复查", done_on=held + dt.timedelta(days=30)
                )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def _incidents(ctx: DemoContext, enterprises: list[Any], resources: list[Resource]) -> None:
    office = User.objects.filter(username="anweiban").first()
    today = ctx.today
    park = [e for e in enterprises if e.in_park and e.lon is not None]
    # 1. a road-traffic accident months ago, closed
    old = _at(today - dt.timedelta(days=160), 15, 20)
    road = actions.do_report_incident(
        Incident(title="危化品运输车辆追尾事故", kind="road", occurred_at=old, known_at=old + dt.timedelta(minutes=12),
                 place="园区经三路与纬一路交叉口", lon=Decimal("105.240000"), lat=Decimal("37.833000"), town=_unit("腾格里镇"),
                 owner_unit=_unit("应急管理局"), deaths=0, injuries=1, loss_cny=Decimal(180000), summary="槽罐车追尾，无泄漏。"),
        acting_user=office,
    )  # fmt: skip
    actions.do_mark_reported(road, "unit", acting_user=office, at=old + dt.timedelta(minutes=40))
    actions.do_mark_reported(road, "city", acting_user=office, at=old + dt.timedelta(hours=2))
    actions.do_respond_incident(road, acting_user=office)
    actions.do_stand_down_incident(road, acting_user=office)
    actions.do_close_incident(road, acting_user=office, reason="调查报告已批复，责任单位已整改")
    # 2. a reactor explosion: 2 deaths at first, a third death on day 5 → 较大, reported again, veto written
    e = park[1]
    day = today - dt.timedelta(days=40)
    when = _at(day, 9, 35)
    blast = actions.do_report_incident(
        Incident(title="反应釜爆燃事故", kind="hazchem", occurred_at=when, known_at=when + dt.timedelta(minutes=8),
                 place=f"{e.display_name}合成车间", enterprise=e, lon=e.lon, lat=e.lat, deaths=2, injuries=5,
                 loss_cny=Decimal(6_200_000), summary="合成车间反应釜超温超压爆燃。"),
        acting_user=office,
    )  # fmt: skip
    actions.do_mark_reported(blast, "unit", acting_user=office, at=when + dt.timedelta(minutes=45))
    actions.do_mark_reported(blast, "city", acting_user=office, at=when + dt.timedelta(hours=2, minutes=20))
    actions.do_respond_incident(blast, acting_user=office)
    actions.do_add_timeline(
        blast,
        kind="decision",
        text="启动园区Ⅲ级应急响应，设立现场指挥部",
        acting_user=office,
        at=when + dt.timedelta(minutes=20),
    )
    actions.do_add_timeline(
        blast,
        kind="dispatch",
        text="",
        resource=resources[0],
        quantity=Decimal(20),
        acting_user=office,
        at=when + dt.timedelta(minutes=25),
    )
    actions.do_add_timeline(
        blast,
        kind="dispatch",
        text="",
        resource=resources[4],
        quantity=Decimal(2),
        acting_user=office,
        at=when + dt.timedelta(minutes=26),
    )
    actions.do_change_casualties(blast, deaths=3, injuries=4, loss_cny=Decimal(6_200_000), acting_user=office,
                                 reason="一名重伤人员经抢救无效死亡", changed_at=when + dt.timedelta(days=5))  # fmt: skip
    actions.do_mark_reported(blast, "r1-unit", acting_user=office, at=when + dt.timedelta(days=5, minutes=50))
    actions.do_stand_down_incident(blast, acting_user=office)
    actions.do_report_danger(blast, description="同类反应釜温度联锁未投用", acting_user=office)
    # 3. a small fire last month, under investigation
    e2 = park[4]
    fire_at = _at(today - dt.timedelta(days=20), 22, 10)
    small = actions.do_report_incident(
        Incident(title="仓库电气火灾", kind="fire", occurred_at=fire_at, known_at=fire_at + dt.timedelta(minutes=5),
                 place=f"{e2.display_name}成品仓库", enterprise=e2, lon=e2.lon, lat=e2.lat, injuries=1, loss_cny=Decimal(350000)),
        acting_user=office,
    )  # fmt: skip
    for key, minutes in (("unit", 30), ("city", 140)):
        actions.do_mark_reported(small, key, acting_user=office, at=fire_at + dt.timedelta(minutes=minutes))
    actions.do_respond_incident(small, acting_user=office)
    actions.do_stand_down_incident(small, acting_user=office)
    # 4. happening now: an ammonia leak, 40 minutes ago; the unit head has reported, the city report is due
    e3 = park[0]
    now = timezone.now().replace(second=0, microsecond=0)
    leak_at = now - dt.timedelta(minutes=40)
    leak = actions.do_report_incident(
        Incident(title="液氨管线泄漏", kind="hazchem", occurred_at=leak_at, known_at=leak_at + dt.timedelta(minutes=6),
                 place=f"{e3.display_name}冷冻站", enterprise=e3, lon=e3.lon, lat=e3.lat, injuries=2,
                 summary="冷冻站液氨管线法兰泄漏，两人轻度中毒送医。"),
        acting_user=office,
    )  # fmt: skip
    actions.do_mark_reported(leak, "unit", acting_user=office, at=leak_at + dt.timedelta(minutes=30))
    actions.do_respond_incident(leak, acting_user=office)
    actions.do_add_timeline(
        leak,
        kind="decision",
        text="下风向500米内人员疏散至园区管委会避难场所",
        acting_user=office,
        at=leak_at + dt.timedelta(minutes=15),
    )
    actions.do_add_timeline(
        leak,
        kind="dispatch",
        text="",
        resource=resources[1],
        quantity=Decimal(12),
        acting_user=office,
        at=leak_at + dt.timedelta(minutes=18),
    )
    actions.do_compute_footprint(
        Footprint(incident=leak, name="液氨管线泄漏影响范围", substance="氨", lon=e3.lon, lat=e3.lat, release_gs=800,
                  height_m=2, wind_speed=3.2, wind_from_deg=300, daytime=True, insolation="moderate", cloud_oktas=3,
                  level1_label="IDLH", level1_mg_m3=210, level2_label="AEGL-2（60分钟，110 ppm）", level2_mg_m3=77),
        acting_user=office,
    )  # fmt: skip


def build(ctx: DemoContext) -> None:
    """Create the demo's emergency plans, resources, drills and incidents."""
    rng = ctx.child_rng("emergency")
    enterprises = [e for e in ctx.refs.get("enterprises", []) if e.status == "operating"]
    resources = _resources()
    _enterprise_resources([e for e in enterprises if e.in_park], rng)
    plans = _plans(ctx, [e for e in enterprises if e.in_park], rng)
    _drills(ctx, plans, rng)
    if len([e for e in enterprises if e.in_park]) >= 5:
        _incidents(ctx, enterprises, resources)
