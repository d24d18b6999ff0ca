"""Demo people: ~1,500 enterprise staff and department officials with certificates and training records.

Runs after the enterprises part (``ctx.refs["enterprises"]``). Deterministic for the context's seed
(``ctx.child_rng("people")``); dates are relative to ``ctx.today``. Rows are bulk-inserted (no per-row
audit); one ``IMPORTED`` audit row summarises the load. The mix is chosen so that the plan's metrics
look like a real zone part-way to its targets:

* 三类人员持证上岗率 ≈ 95% (about 2% hold no certificate, about 3% let theirs expire);
* some certificates expire within 30, 60 and 90 days; older 主要负责人/安全管理人员 certificates have a
  renewal on record (the expired one is superseded, not listed as expired);
* 监管执法人员 with a safety-related major and ≥ 3 years ≈ 70%; 专题业务培训 coverage ≈ 90%;
  领导干部轮训 ≈ 87%.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from anjian.core.audit import record
from anjian.core.choices import AuditEvent
from anjian.demo.context import DemoContext
from anjian.domain.check_digits import resident_id_check_char
from anjian.orgs.models import OrgUnit
from anjian.people.actions import refresh_superseded
from anjian.people.choices import (
    CertificateKind,
    Education,
    IdType,
    RoleCategory,
    SpecialOperationCategory,
    TrainingKind,
    TrainingResult,
)
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = ["TOTAL_PEOPLE", "build"]

#: About this many people in all (enterprise staff plus ~45 department officials).
TOTAL_PEOPLE = 1500

# 阿拉善左旗 (most), 阿拉善右旗, 额济纳旗, and the neighbouring 乌海 districts.
_REGIONS = ["152921"] * 6 + ["152922", "152923", "150302", "150303", "150304"]

_FAMILY = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    "包乌其巴敖"
)
_GIVEN_ALL = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰"
    "涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦"
    "亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛秀娟英华慧巧美娜静淑惠珠翠"
    "雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜"
    "秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬"
    "茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
_MALE_GIVEN, _FEMALE_GIVEN = _GIVEN_ALL[: _GIVEN_ALL.index("秀")], _GIVEN_ALL[_GIVEN_ALL.index("秀") :]

_SPECIAL_CATEGORIES_BY_INDUSTRY = {
    "hazchem_production": [SpecialOperationCategory.HAZARDOUS_CHEMICALS] * 4
    + [
        SpecialOperationCategory.ELECTRICAL,
        SpecialOperationCategory.WELDING,
        SpecialOperationCategory.HEIGHT,
    ],
    "coal_mine": [SpecialOperationCategory.COAL_MINE] * 4 + [SpecialOperationCategory.ELECTRICAL],
    "non_coal_mine": [SpecialOperationCategory.METAL_MINE] * 4 + [SpecialOperationCategory.ELECTRICAL],
    "metallurgy": [SpecialOperationCategory.METALLURGY] * 3
    + [SpecialOperationCategory.ELECTRICAL, SpecialOperationCategory.WELDING],
    "nonferrous": [SpecialOperationCategory.METALLURGY] * 3
    + [SpecialOperationCategory.ELECTRICAL, SpecialOperationCategory.WELDING],
    "construction": [SpecialOperationCategory.HEIGHT] * 3
    + [SpecialOperationCategory.ELECTRICAL, SpecialOperationCategory.WELDING],
    "fireworks": [SpecialOperationCategory.FIREWORKS] * 3 + [SpecialOperationCategory.ELECTRICAL],
    "oil_gas": [SpecialOperationCategory.OIL_GAS] * 3 + [SpecialOperationCategory.ELECTRICAL],
}
_DEFAULT_CATEGORIES = [SpecialOperationCategory.ELECTRICAL] * 3 + [
    SpecialOperationCategory.WELDING,
    SpecialOperationCategory.WELDING,
    SpecialOperationCategory.HEIGHT,
    SpecialOperationCategory.REFRIGERATION,
]
_OPERATION_ITEMS = {
    SpecialOperationCategory.ELECTRICAL: ("低压电工作业", "高压电工作业"),
    SpecialOperationCategory.WELDING: ("熔化焊接与热切割作业", "压力焊作业"),
    SpecialOperationCategory.HEIGHT: ("登高架设作业", "高处安装、维护、拆除作业"),
    SpecialOperationCategory.REFRIGERATION: ("制冷与空调设备运行操作作业",),
    SpecialOperationCategory.HAZARDOUS_CHEMICALS: (
        "氯化工艺作业",
        "加氢工艺作业",
        "硝化工艺作业",
        "化工自动化控制仪表作业",
        "氧化工艺作业",
        "聚合工艺作业",
    ),
    SpecialOperationCategory.COAL_MINE: ("煤矿井下电气作业", "煤矿安全检查作业"),
    SpecialOperationCategory.METAL_MINE: ("金属非金属矿山安全检查作业", "金属非金属矿山排水作业"),
    SpecialOperationCategory.METALLURGY: ("煤气作业",),
    SpecialOperationCategory.FIREWORKS: ("烟火药制造作业", "礼花弹制造作业"),
    SpecialOperationCategory.OIL_GAS: ("司钻作业",),
}
_SPECIAL_JOBS = {
    SpecialOperationCategory.ELECTRICAL: "电工",
    SpecialOperationCategory.WELDING: "焊工",
    SpecialOperationCategory.HEIGHT: "架子工",
    SpecialOperationCategory.REFRIGERATION: "制冷工",
    SpecialOperationCategory.HAZARDOUS_CHEMICALS: "化工操作工",
    SpecialOperationCategory.COAL_MINE: "井下电工",
    SpecialOperationCategory.METAL_MINE: "安全检查工",
    SpecialOperationCategory.METALLURGY: "煤气工",
    SpecialOperationCategory.FIREWORKS: "药物混合工",
    SpecialOperationCategory.OIL_GAS: "司钻",
}
_EQUIPMENT_ITEMS = (
    "叉车司机（N1）",
    "锅炉操作（G1）",
    "起重机指挥（Q1）",
    "压力容器操作（R1）",
    "气瓶充装（P）",
)
_OTHER_JOBS = (
    "操作工",
    "巡检工",
    "仓库保管员",
    "装卸工",
    "化验员",
    "维修工",
    "司机",
    "门卫",
    "统计员",
    "设备员",
)
_SAFE_MAJORS = ("安全工程", "化学工程与工艺", "应用化学", "消防工程", "矿业工程", "安全技术管理")
_OTHER_MAJORS = ("法学", "行政管理", "汉语言文学", "会计学", "计算机科学与技术", "机械设计制造及其自动化")

# (unit, enforcement staff, leaders) — officers in the plan's supervising departments; leaders zone-wide.
_GOV_STAFF = (
    ("应急管理局", 12, 2),
    ("市场监督管理局", 7, 1),
    ("住建交通局", 6, 1),
    ("综合执法局", 5, 1),
    ("安委会办公室", 0, 2),
    ("工业和科技局", 0, 1),
    ("生态环境分局", 0, 1),
    ("腾格里镇", 0, 2),
    ("孛井滩镇", 0, 2),
    ("腾格里技术产业园区管委会", 0, 2),
)
_ISSUERS: dict[str, str] = {
    CertificateKind.PRINCIPAL: "阿拉善盟应急管理局",
    CertificateKind.SAFETY_MANAGER: "阿拉善盟应急管理局",
    CertificateKind.SPECIAL_OPERATION: "阿拉善盟应急管理局",
    CertificateKind.SPECIAL_EQUIPMENT: "阿拉善盟市场监督管理局",
    CertificateKind.REGISTERED_ENGINEER: "应急管理部",
    CertificateKind.ENFORCEMENT: "内蒙古自治区人民政府",
}
# Validity in years: 考核合格证 3, 特种作业操作证 6, 特种设备作业人员证 4, 注册 5, 执法证 5.
_YEARS: dict[str, int] = {
    CertificateKind.PRINCIPAL: 3,
    CertificateKind.SAFETY_MANAGER: 3,
    CertificateKind.SPECIAL_OPERATION: 6,
    CertificateKind.SPECIAL_EQUIPMENT: 4,
    CertificateKind.REGISTERED_ENGINEER: 5,
    CertificateKind.ENFORCEMENT: 5,
}


class _Builder:
    """Accumulates people, certificates and training records, then bulk-inserts them."""

    def __init__(self, ctx: DemoContext) -> None:
        self.rng: random.Random = ctx.child_rng("people")
        self.today = ctx.today
        self.people: list[Person] = []
        self.certs: list[tuple[int, dict[str, Any]]] = []  # (index into people, fields)
        self.trainings: list[tuple[int, dict[str, Any]]] = []
        self._ids: set[str] = set()
        self._serial = 0

    # -- identity ------------------------------------------------------------------------------

    def name(self, sex: str) -> str:
        rng = self.rng
        chars = _MALE_GIVEN if sex == "男" else _FEMALE_GIVEN
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
        return rng.choice(_FAMILY) + given

    def resident_id(self, age: int, sex: str) -> tuple[str, dt.date]:
        rng = self.rng
        while True:
            birth = self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
            seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
            first17 = f"{rng.choice(_REGIONS)}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number, birth

    def person(
        self,
        *,
        role: str,
        job: str,
        enterprise: Any = None,
        unit: Any = None,
        age: tuple[int, int],
        name: str = "",
        **fields: Any,
    ) -> int:
        rng = self.rng
        sex = "男" if rng.random() < (0.8 if role != RoleCategory.OTHER_WORKER else 0.65) else "女"
        number, birth = self.resident_id(rng.randint(*age), sex)
        self.people.append(
            Person(
                name=name or self.name(sex),
                id_type=IdType.RESIDENT,
                id_number=number,
                sex=sex,
                birth_date=birth,
                phone=f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                employer_enterprise=enterprise,
                employer_unit=unit,
                job=job,
                role_category=role,
                **fields,
            )
        )
        return len(self.people) - 1

    # -- certificates --------------------------------------------------------------------------

    def _number(self, kind: str, person_idx: int) -> str:
        self._serial += 1
        if kind == CertificateKind.SPECIAL_OPERATION:
            return f"T{self.people[person_idx].id_number}"
        prefixes: dict[str, str] = {
            CertificateKind.PRINCIPAL: "ZF",
            CertificateKind.SAFETY_MANAGER: "AQ",
            CertificateKind.SPECIAL_EQUIPMENT: "TS",
            CertificateKind.REGISTERED_ENGINEER: "ZC",
            CertificateKind.ENFORCEMENT: "ZFZ",
        }
        return f"{prefixes.get(kind, 'QT')}1529{self._serial:07d}"

    def certificate(
        self,
        person_idx: int,
        kind: str,
        *,
        state: str,
        category: str = "",
        item: str = "",
        renewal_history: bool = False,
    ) -> None:
        """Add a certificate whose state today is valid / d30 / d60 / d90 / expired."""
        rng = self.rng
        offsets = {"d30": (0, 30), "d60": (31, 60), "d90": (61, 90), "expired": (-700, -1)}
        lo, hi = offsets.get(state, (91, _YEARS[kind] * 365 - 30))
        expires = self.today + dt.timedelta(days=rng.randint(lo, hi))
        issued = _add_years(expires, -_YEARS[kind]) + dt.timedelta(days=1)
        self.certs.append(
            (
                person_idx,
                {
                    "kind": kind,
                    "category": category,
                    "operation_item": item,
                    "number": self._number(kind, person_idx),
                    "issuer": _ISSUERS[kind],
                    "issued_on": issued,
                    "expires_on": expires,
                },
            )
        )
        if renewal_history and kind != CertificateKind.SPECIAL_OPERATION:
            # The certificate it replaced: same kind, earlier period, now expired (superseded, not overdue).
            self.certs.append(
                (
                    person_idx,
                    {
                        "kind": kind,
                        "category": "",
                        "operation_item": item,
                        "number": self._number(kind, person_idx),
                        "issuer": _ISSUERS[kind],
                        "issued_on": _add_years(issued, -_YEARS[kind]),
                        "expires_on": issued - dt.timedelta(days=1),
                    },
                )
            )

    def required_state(self) -> str | None:
        """State of a 三类人员's required certificate: None = holds none (~2%), expired (~3%), or in force."""
        r = self.rng.random()
        if r < 0.02:
            return None
        if r < 0.05:
            return "expired"
        if r < 0.08:
            return "d30"
        if r < 0.11:
            return "d60"
        if r < 0.14:
            return "d90"
        return "valid"

    # -- training ------------------------------------------------------------------------------

    def training(
        self,
        person_idx: int,
        kind: str,
        course: str,
        hours: int,
        day: dt.date,
        provider: str,
        result: str = TrainingResult.PASSED,
    ) -> None:
        self.trainings.append(
            (
                person_idx,
                {
                    "kind": kind,
                    "course": course,
                    "hours": Decimal(hours),
                    "date": day,
                    "result": result,
                    "provider": provider,
                },
            )
        )

    def day_this_year(self) -> dt.date:
        start = dt.date(self.today.year, 1, 1)
        return start + dt.timedelta(days=self.rng.randint(0, (self.today - start).days))

    # -- save ----------------------------------------------------------------------------------

    def save(self) -> tuple[list[Person], int, int]:
        people = Person.objects.bulk_create(self.people, batch_size=500)
        if any(p.pk is None for p in people):
            ids = dict(
                Person.objects.filter(id_number__in=[p.id_number for p in people]).values_list(
                    "id_number", "pk"
                )
            )
            for p in people:
                p.pk = ids[p.id_number]
        certs = [Certificate(person_id=people[i].pk, **f) for i, f in self.certs]
        Certificate.objects.bulk_create(certs, batch_size=1000)
        # bulk_create skips Certificate.save: mark the renewals' predecessors here.
        refresh_superseded(p.pk for p in people)
        records = [TrainingRecord(person_id=people[i].pk, **f) for i, f in self.trainings]
        TrainingRecord.objects.bulk_create(records, batch_size=1000)
        return people, len(certs), len(records)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _enterprises(ctx: DemoContext) -> list[Any]:
    refs = ctx.refs.get("enterprises")
    if isinstance(refs, dict):
        refs = list(refs.values())
    if not refs:
        from anjian.enterprises.models import Enterprise

        refs = list(Enterprise.objects.order_by("id"))
    return sorted(refs, key=lambda e: e.pk)


def _split(total: int, weights: Iterable[float]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` (at least 3 each: a principal, a manager, a worker)."""
    weights = list(weights)
    s = sum(weights) or 1.0
    return [max(3, round(total * w / s)) for w in weights]


def _build_enterprise_staff(b: _Builder, enterprise: Any, size: int) -> None:
    rng = b.rng
    industry = getattr(enterprise, "industry", "") or ""
    categories = _SPECIAL_CATEGORIES_BY_INDUSTRY.get(industry, _DEFAULT_CATEGORIES)
    provider = "示范区应急管理局" if rng.random() < 0.5 else "阿拉善盟安全生产培训中心"
    # 主要负责人
    idx = b.person(
        role=RoleCategory.PRINCIPAL,
        job=rng.choice(("总经理", "董事长", "厂长", "法定代表人")),
        enterprise=enterprise,
        age=(38, 58),
        name=getattr(enterprise, "principal", "") or "",
        education=rng.choice((Education.BACHELOR, Education.COLLEGE, Education.POSTGRADUATE)),
        years_experience=rng.randint(8, 30),
    )
    state = b.required_state()
    if state:
        b.certificate(idx, CertificateKind.PRINCIPAL, state=state, renewal_history=rng.random() < 0.8)
    b.training(
        idx,
        TrainingKind.CONTINUING,
        "主要负责人安全生产知识和管理能力再培训",
        16,
        b.day_this_year(),
        provider,
    )
    # 安全生产管理人员: about 1 in 10, at least one
    managers = max(1, round(size * 0.1))
    for n in range(managers):
        idx = b.person(
            role=RoleCategory.SAFETY_MANAGER,
            job="安全环保部经理" if n == 0 else "专职安全员",
            enterprise=enterprise,
            age=(26, 55),
            name=(getattr(enterprise, "safety_manager_name", "") if n == 0 else "") or "",
            education=rng.choice((Education.BACHELOR, Education.COLLEGE, Education.COLLEGE)),
            major=rng.choice(_SAFE_MAJORS),
            major_safety_related=True,
            years_experience=rng.randint(2, 25),
        )
        state = b.required_state()
        if state:
            b.certificate(
                idx, CertificateKind.SAFETY_MANAGER, state=state, renewal_history=rng.random() < 0.8
            )
        if rng.random() < 0.2:
            b.certificate(idx, CertificateKind.REGISTERED_ENGINEER, state="valid")
        b.training(idx, TrainingKind.CONTINUING, "安全生产管理人员继续教育", 16, b.day_this_year(), provider)
    # 特种作业人员: about 6 in 10 of the rest
    rest = max(1, size - 1 - managers)
    specials = max(1, round(rest * 0.6))
    for _ in range(specials):
        category = rng.choice(categories)
        equipment = rng.random() < 0.1
        idx = b.person(
            role=RoleCategory.SPECIAL_WORKER,
            job="叉车司机" if equipment else _SPECIAL_JOBS.get(category, "特种作业人员"),
            enterprise=enterprise,
            age=(20, 55),
            education=Education.SECONDARY,
            years_experience=rng.randint(1, 20),
        )
        state = b.required_state()
        if state and equipment:
            b.certificate(
                idx,
                CertificateKind.SPECIAL_EQUIPMENT,
                state=state,
                item=rng.choice(_EQUIPMENT_ITEMS),
                renewal_history=rng.random() < 0.5,
            )
        elif state:
            b.certificate(
                idx,
                CertificateKind.SPECIAL_OPERATION,
                state=state,
                category=category,
                item=rng.choice(_OPERATION_ITEMS[category]),
            )
            # Many hold a second operation category, and some also operate special equipment.
            second = rng.choice(_DEFAULT_CATEGORIES)
            if rng.random() < 0.5 and second != category:
                b.certificate(
                    idx,
                    CertificateKind.SPECIAL_OPERATION,
                    state=rng.choice(("valid",) * 9 + ("d90",)),
                    category=second,
                    item=rng.choice(_OPERATION_ITEMS[second]),
                )
            if rng.random() < 0.3:
                b.certificate(
                    idx,
                    CertificateKind.SPECIAL_EQUIPMENT,
                    state="valid",
                    item=rng.choice(_EQUIPMENT_ITEMS),
                    renewal_history=rng.random() < 0.4,
                )
        if rng.random() < 0.6:
            b.training(idx, TrainingKind.CONTINUING, "特种作业人员复审培训", 8, b.day_this_year(), provider)
    # 其他从业人员
    for _ in range(max(0, rest - specials)):
        idx = b.person(
            role=RoleCategory.OTHER_WORKER,
            job=rng.choice(_OTHER_JOBS),
            enterprise=enterprise,
            age=(19, 58),
            education=rng.choice((Education.SECONDARY, Education.SECONDARY, Education.COLLEGE)),
            years_experience=rng.randint(0, 25),
            is_active=rng.random() > 0.03,
        )
        if rng.random() < 0.4:
            b.certificate(
                idx,
                CertificateKind.SPECIAL_EQUIPMENT,
                state=rng.choice(("valid",) * 8 + ("d60", "expired")),
                item=rng.choice(_EQUIPMENT_ITEMS),
                renewal_history=rng.random() < 0.4,
            )
        hired = b.today - dt.timedelta(days=rng.randint(0, 3 * 365))
        b.training(
            idx,
            TrainingKind.THREE_LEVEL,
            "新员工三级安全教育",
            72,
            hired,
            enterprise.name,
            result=TrainingResult.PASSED if rng.random() < 0.97 else TrainingResult.FAILED,
        )


def _build_government_staff(b: _Builder) -> None:
    rng = b.rng
    units = {u.name: u for u in OrgUnit.objects.filter(name__in=[name for name, _e, _l in _GOV_STAFF])}
    leader_no = 0
    for unit_name, officers, leaders in _GOV_STAFF:
        unit = units.get(unit_name)
        if unit is None:
            continue
        # Fixed shares per unit (not coin flips) so the small base gives stable rates: about 70% qualified
        # (a safety-related major and at least three years' practice), one untrained officer per 6.
        n_qualified = round(officers * 0.72)
        untrained = set(rng.sample(range(officers), officers // 6)) if officers else set()
        for n in range(officers):
            qualified = n < n_qualified
            safe_major = qualified or rng.random() < 0.3
            idx = b.person(
                role=RoleCategory.ENFORCEMENT,
                job=rng.choice(("执法队员", "执法科科长", "监管员")),
                unit=unit,
                age=(25, 55),
                education=rng.choice(
                    (Education.BACHELOR, Education.BACHELOR, Education.POSTGRADUATE, Education.COLLEGE)
                ),
                major=rng.choice(_SAFE_MAJORS if safe_major else _OTHER_MAJORS),
                major_safety_related=safe_major,
                years_experience=rng.randint(3, 20) if qualified else rng.randint(0, 2),
            )
            b.certificate(idx, CertificateKind.ENFORCEMENT, state="valid" if rng.random() < 0.93 else "d60")
            for year in (b.today.year - 2, b.today.year - 1):
                b.training(
                    idx,
                    TrainingKind.SPECIAL_TOPIC,
                    f"{year}年安全生产执法专题业务培训",
                    24,
                    dt.date(year, rng.randint(3, 11), rng.randint(1, 28)),
                    "自治区应急管理厅",
                )
            if n not in untrained:
                b.training(
                    idx,
                    TrainingKind.SPECIAL_TOPIC,
                    f"{b.today.year}年危险化学品监管执法专题业务培训",
                    24,
                    b.day_this_year(),
                    "自治区应急管理厅",
                )
        for _ in range(leaders):
            leader_no += 1
            idx = b.person(
                role=RoleCategory.LEADER,
                job=rng.choice(("局长", "副局长", "分管安全副主任", "镇长", "副镇长")),
                unit=unit,
                age=(35, 56),
                education=rng.choice((Education.BACHELOR, Education.POSTGRADUATE)),
                major=rng.choice(_OTHER_MAJORS + _SAFE_MAJORS),
                years_experience=rng.randint(5, 25),
            )
            b.people[idx].major_safety_related = b.people[idx].major in _SAFE_MAJORS
            if leader_no % 7:  # about one leader in seven has not yet attended this year's 轮训
                b.training(
                    idx,
                    TrainingKind.ROTATION,
                    f"{b.today.year}年领导干部安全生产轮训",
                    16,
                    b.day_this_year(),
                    "示范区党群工作部",
                )


def build(ctx: DemoContext) -> None:
    """Create the demo zone's people, certificates and training records (bulk; one summary audit row)."""
    b = _Builder(ctx)
    _build_government_staff(b)
    enterprises = _enterprises(ctx)
    if enterprises:
        # Square roots keep one very large plant from taking most of the demo's people.
        weights = [float(getattr(e, "employees", None) or b.rng.randint(15, 120)) ** 0.5 for e in enterprises]
        for enterprise, size in zip(enterprises, _split(TOTAL_PEOPLE - len(b.people), weights), strict=True):
            _build_enterprise_staff(b, enterprise, size)
    people, certificates, trainings = b.save()
    ctx.refs["people"] = {"people": len(people), "certificates": certificates, "trainings": trainings}
    if people:
        record(
            AuditEvent.IMPORTED,
            people[0],
            acting_user=None,
            related=None,
            message=f"演示数据：人员{len(people)}人、证书{certificates}本、培训记录{trainings}条（批量写入）",
        )
