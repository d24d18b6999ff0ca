"""Demo risk registers (双重预防 风险分级管控) for the park's chemical plants: objects → units → events →
measures, assessed by LEC or LS, with responsible people from each enterprise's staff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from anjian.demo.context import DemoContext

# (object, kind, is_major_hazard, department, [(unit, post, hazards, [(event, consequence, method, factors,
#  [(measure kind, measure, check content)])])])
TEMPLATE: list[
    tuple[
        str,
        str,
        bool,
        str,
        list[tuple[str, str, str, list[tuple[str, str, str, tuple[Any, ...], list[tuple[str, str, str]]]]]],
    ]
] = [
    (
        "罐区",
        "installation",
        True,
        "储运车间",
        [
            (
                "甲醇储罐组（T-101～T-104）",
                "罐区操作工",
                "易燃液体泄漏、火灾爆炸、中毒",
                [
                    (
                        "储罐泄漏引发火灾爆炸",
                        "多人死亡、重大财产损失",
                        "lec",
                        (3, 6, 40),
                        [
                            (
                                "engineering",
                                "储罐设液位高高联锁、紧急切断阀",
                                "液位计、高高液位联锁及紧急切断阀是否投用、完好",
                            ),
                            (
                                "engineering",
                                "罐区设可燃气体检测报警器",
                                "可燃气体报警器是否在线、标定是否在有效期内",
                            ),
                            ("management", "防火堤排水阀常闭并上锁", "防火堤排水阀是否关闭并上锁"),
                            ("emergency", "配备泡沫灭火系统和应急物资", "泡沫站、消防炮及应急物资是否完好"),
                        ],
                    ),
                    (
                        "装卸作业静电引燃",
                        "人员伤亡",
                        "ls",
                        (3, 4),
                        [
                            ("engineering", "装卸鹤管设静电接地报警器", "静电接地报警器是否正常"),
                            ("training", "装卸人员持证上岗并培训", "装卸人员是否持证、是否参加年度培训"),
                        ],
                    ),
                ],
            ),
            (
                "液氨储罐（V-201）",
                "罐区操作工",
                "有毒气体泄漏",
                [
                    (
                        "液氨泄漏中毒",
                        "多人中毒伤亡",
                        "lec",
                        (1, 6, 40),
                        [
                            ("engineering", "设有毒气体检测报警及喷淋吸收", "有毒气体报警器和水喷淋是否正常"),
                            ("ppe", "配备正压式空气呼吸器和防化服", "空气呼吸器压力、防化服是否完好"),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "合成装置",
        "process",
        True,
        "生产车间",
        [
            (
                "加氢反应单元",
                "反应岗位操作工",
                "高温高压、氢气泄漏、超温超压",
                [
                    (
                        "反应釜超温超压爆炸",
                        "多人死亡",
                        "lec",
                        (1, 6, 100),
                        [
                            (
                                "engineering",
                                "温度压力与进料联锁，设安全仪表系统",
                                "SIS 联锁是否投用、旁路是否审批",
                            ),
                            ("engineering", "反应釜设安全阀和爆破片", "安全阀、爆破片是否在校验有效期内"),
                            ("management", "严格执行工艺操作规程和工艺卡片", "工艺参数是否在工艺卡片范围内"),
                        ],
                    ),
                    (
                        "氢气泄漏着火",
                        "人员伤亡",
                        "ls",
                        (2, 5),
                        [
                            ("engineering", "氢气管线法兰设跨接并定期检测", "法兰跨接、可燃气体报警是否正常"),
                        ],
                    ),
                ],
            ),
            (
                "精馏单元",
                "精馏岗位操作工",
                "易燃液体、高温",
                [
                    (
                        "精馏塔物料泄漏",
                        "火灾、人员灼伤",
                        "lec",
                        (3, 6, 7),
                        [
                            ("management", "定期巡检设备密封点", "塔、泵、管线密封点有无泄漏"),
                            ("ppe", "操作人员穿防静电服", "防静电服、防护眼镜是否佩戴"),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "动火作业",
        "job",
        False,
        "安全环保部",
        [
            (
                "检修动火作业",
                "动火作业人员",
                "可燃物、受限空间",
                [
                    (
                        "动火引发火灾爆炸",
                        "人员伤亡",
                        "lec",
                        (3, 3, 15),
                        [
                            (
                                "management",
                                "执行特殊作业票证制度（GB 30871）",
                                "动火作业票是否审批、气体分析是否合格",
                            ),
                            ("training", "监火人经培训并在场监护", "监火人是否在场、是否持证"),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "配电室",
        "area",
        False,
        "设备动力部",
        [
            (
                "10kV 配电室",
                "电工",
                "触电、电气火灾",
                [
                    (
                        "触电事故",
                        "人员伤亡",
                        "ls",
                        (2, 3),
                        [
                            ("ppe", "配备绝缘手套、绝缘靴并定期检测", "绝缘用具是否在检测有效期内"),
                            ("management", "执行停送电工作票制度", "工作票是否规范"),
                        ],
                    ),
                ],
            ),
        ],
    ),
]


def build(ctx: DemoContext) -> None:
    """Registers for the park's 危化 enterprises (production and storage), assessed, with notice-card data."""
    from anjian.enterprises.models import Enterprise
    from anjian.majorhazards.models import HazardInstallation
    from anjian.people.models import Person
    from anjian.risks import actions
    from anjian.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskUnit

    rng = ctx.child_rng("risks")
    enterprises = list(
        Enterprise.objects.filter(
            in_park=True, industry__in=["hazchem_production", "hazchem_trade"]
        ).order_by("id")[:12]
    )
    units_by_enterprise: dict[int, list[Any]] = {}
    for e in enterprises:
        people = list(Person.objects.filter(employer_enterprise=e, is_active=True)[:8])

        def pick(people: list[Any] = people) -> Any:
            return rng.choice(people) if people else None

        units: list[Any] = []
        installations = {
            kind: HazardInstallation.objects.filter(enterprise=e, unit_kind=kind)
            .order_by("-is_major", "grade")
            .first()
            for kind in ("storage", "production")
        }
        spots = _spots(e, len(TEMPLATE))
        for n, (obj_name, kind, major, dept, unit_specs) in enumerate(TEMPLATE):
            if e.industry == "hazchem_trade" and kind == "process":
                continue
            installation = {
                "installation": installations["storage"],
                "process": installations["production"],
            }.get(kind)
            lon, lat = spots[n] if spots else (None, None)
            obj = RiskObject.objects.create(
                enterprise=e,
                code=f"{e.uscc[-6:]}-{len(units) + 1:02d}",
                name=obj_name,
                kind=kind,
                is_major_hazard=(major and e.major_hazard) or bool(installation and installation.is_major),
                installation=installation,
                department=dept,
                liable_person=pick(),
                lon=lon,
                lat=lat,
            )
            for unit_name, post, hazards, events in unit_specs:
                unit = RiskUnit.objects.create(
                    enterprise=e,
                    risk_object=obj,
                    name=unit_name,
                    post=post,
                    liable_person=pick(),
                    hazards=hazards,
                    emergency_actions="立即报告班长和调度室；切断泄漏源，启动喷淋/泡沫系统；佩戴空气呼吸器撤离至上风向集合点。",
                    emergency_phones=f"企业应急值班 {e.phone or '0483-8512119'}　园区应急 0483-8512345　火警 119　急救 120",
                )
                units.append(unit)
                for event_name, consequence, method, factors, measures in events:
                    event = RiskEvent.objects.create(
                        enterprise=e, unit=unit, name=event_name, consequence=consequence
                    )
                    for mkind, desc, check in measures:
                        ControlMeasure.objects.create(
                            enterprise=e,
                            event=event,
                            kind=mkind,
                            description=desc,
                            check_content=check,
                            liable_person=pick(),
                        )
                    if method == "lec":
                        actions.do_assess_event(
                            event,
                            acting_user=None,
                            method="lec",
                            likelihood=factors[0],
                            exposure=factors[1],
                            consequence=factors[2],
                            note="演示数据",
                        )
                    else:
                        actions.do_assess_event(
                            event,
                            acting_user=None,
                            method="ls",
                            likelihood=factors[0],
                            consequence=factors[1],
                            note="演示数据",
                        )
        units_by_enterprise[e.pk] = units
    ctx.refs["risk_units"] = units_by_enterprise


def _spots(enterprise: Any, n: int) -> list[tuple[Decimal, Decimal]]:
    """``n`` positions spread inside the enterprise's plot (its bounding box, inset), for the risk map."""
    plot = enterprise.plot_geojson or {}
    ring = (plot.get("coordinates") or [[]])[0] if plot.get("type") == "Polygon" else []
    if len(ring) < 3:
        return []
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    w, e, s, north = min(xs), max(xs), min(ys), max(ys)
    spots = []
    for i in range(n):
        fx, fy = (0.3 + 0.4 * (i % 2)), (0.3 + 0.4 * (i // 2 % 2))
        spots.append(
            (
                Decimal(str(round(w + (e - w) * fx, 6))),
                Decimal(str(round(s + (north - s) * fy, 6))),
            )
        )
    return spots
