"""A large zone for the scale benchmark: ``anjian demo --no-serve --enterprises N`` (issue 8).

The normal demo zone (about 60 enterprises, every module) is built first; this part then adds enterprises until
there are ``N``, each a sibling of one demo enterprise (its *template*, taken in turn): the same industry, scale
and flags, a name and code of its own, about 30 people with about 50 certificates and 40 training records,
licences and a standardisation grade, and copies of the template's risk register, hidden dangers, major-hazard
installations (with inventories) and monitoring points. So every module grows in the demo's own proportions.

Deterministic: every value comes from ``ctx.child_rng("scale")`` and the row's index, so a seed and an ``N``
always build the same zone.

Rows are written with PostgreSQL ``COPY`` or SQLite ``executemany`` (:mod:`anjian.demo.bulk`), not through the
actions: at N = 20,000 that is about three million rows, and one action per row (validation queries, an audit
row each) would take hours. Generated data is *not audited*: the audit trail records who changed what for a
reason, and a generator's rows have neither a person nor a reason; the one ``AuditEntry`` that would be true
("生成演示数据") says nothing a row's absence of history does not. The values are built to pass each model's
``full_clean`` (``anjian/demo/tests/test_scale.py`` checks a sample).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from anjian.demo import bulk
from anjian.demo.context import DemoContext
from anjian.demo.enterprises import ISSUERS, LICENCES_BY_INDUSTRY
from anjian.demo.people import (
    _DEFAULT_CATEGORIES,
    _EQUIPMENT_ITEMS,
    _FAMILY,
    _FEMALE_GIVEN,
    _ISSUERS,
    _MALE_GIVEN,
    _OPERATION_ITEMS,
    _OTHER_JOBS,
    _SPECIAL_CATEGORIES_BY_INDUSTRY,
    _SPECIAL_JOBS,
    _YEARS,
    _add_years,
)
from anjian.domain.check_digits import org_code_check_char, resident_id_check_char, uscc_check_char
from anjian.enterprises.choices import Scale
from anjian.enterprises.models import Enterprise, Licence, Standardization
from anjian.orgs.models import OrgUnit
from anjian.people.choices import CertificateKind, IdType, RoleCategory, TrainingKind, TrainingResult
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = ["CLONED", "build_scale"]

#: Regions of the generated people's identity numbers (each person's index picks one in turn).
_REGIONS = (
    "152921",
    "152922",
    "152923",
    "150302",
    "150303",
    "150304",
    "152901",
    "152902",
    "150102",
    "150202",
)
_PLACES = (
    "阿拉善",
    "腾格里",
    "孛井滩",
    "巴彦浩特",
    "吉兰泰",
    "乌斯太",
    "额济纳",
    "锡林郭勒",
    "鄂尔多斯",
    "乌海",
    "巴彦淖尔",
    "包头",
    "呼和浩特",
    "赤峰",
    "通辽",
    "兴安",
)
_WORDS = (
    "宏达",
    "金沙",
    "瀚海",
    "驼铃",
    "胡杨",
    "蓝天",
    "恒信",
    "瑞丰",
    "博远",
    "鑫源",
    "通达",
    "大漠",
    "绿源",
    "贺兰",
    "天盛",
    "永安",
    "兴业",
    "昌隆",
    "华信",
    "中泰",
    "远航",
    "北辰",
    "银河",
    "沙海",
)
#: The trade of a generated enterprise, by industry (the rest take "实业").
_TRADE = {
    "hazchem_production": "化工",
    "hazchem_trade": "化工贸易",
    "hazchem_use": "新材料",
    "hazardous_waste": "环保科技",
    "power": "热电",
    "fuel_station": "能源加油站",
    "charging_station": "充电服务",
    "construction": "建筑工程",
    "transport": "物流运输",
    "tourism": "旅游开发",
    "special_equipment": "供热",
    "building_materials": "建材",
    "metallurgy": "冶金",
    "machinery": "机械制造",
    "light_industry": "食品",
    "commerce": "商贸",
    "non_coal_mine": "矿业",
    "fireworks": "烟花爆竹经营",
    "explosives": "民爆器材",
    "city_gas": "燃气",
    "textile": "纺织",
}
_COURSES = (
    ("年度安全生产再培训", TrainingKind.OTHER, 16),
    ("岗前三级安全教育", TrainingKind.OTHER, 24),
    ("应急预案演练培训", TrainingKind.OTHER, 8),
)

#: Modules copied from each generated enterprise's template, in dependency order: (app.Model, the lookup that
#: reaches the enterprise). A foreign key to a copied model is remapped to the copy; one to a person or to an
#: inspection record is left empty (the generated people are new), one to a user or unit is kept.
CLONED: list[tuple[str, str]] = [
    ("majorhazards.HazardInstallation", "enterprise_id"),
    ("majorhazards.InventoryLine", "installation__enterprise_id"),
    ("risks.RiskObject", "enterprise_id"),
    ("risks.RiskUnit", "enterprise_id"),
    ("risks.RiskEvent", "enterprise_id"),
    ("risks.RiskAssessment", "enterprise_id"),
    ("risks.ControlMeasure", "enterprise_id"),
    ("dangers.HiddenDanger", "enterprise_id"),
    ("monitoring.MonitoringPoint", "enterprise_id"),
]
_DROPPED_TARGETS = {"people.Person", "dangers.InspectionRecord", "dangers.InspectionTask"}


def build_scale(ctx: DemoContext, total: int, *, log: Callable[[str], None] = print) -> dict[str, int]:
    """Add generated enterprises (and all that belongs to them) until the zone has ``total``; return row counts."""
    templates = list(Enterprise.objects.order_by("id"))
    missing = total - len(templates)
    if missing <= 0 or not templates:
        return {}
    rng = ctx.child_rng("scale")
    counts: dict[str, int] = {}
    started = time.perf_counter()
    ents, template_of = _enterprises(ctx, rng, templates, missing, counts)
    log(f"  · scale enterprises: {len(ents)} ({time.perf_counter() - started:.1f}s)")
    _people(ctx, rng, ents, counts)
    log(f"  · scale people: {counts['people.Person']} ({time.perf_counter() - started:.1f}s)")
    _registers(ctx, rng, ents, counts)
    _clone(ents, template_of, counts)
    log(f"  · scale registers and modules ({time.perf_counter() - started:.1f}s)")
    bulk.finish(*(apps.get_model(label) for label in counts))
    # Rows written without save(): drop cached metrics, to-dos and counts (core.metrics).
    from anjian.core.metrics import invalidate

    invalidate()
    return counts


# ---------------------------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------------------------


def _uscc(k: int) -> str:
    body = f"MB{k:06d}"
    first17 = "91" + _REGIONS[k % 3] + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


def _place(town_name: str, in_park: bool, rng: random.Random) -> tuple[Decimal, Decimal]:
    if in_park:
        lon, lat = rng.uniform(105.20, 105.30), rng.uniform(37.80, 37.88)
    elif town_name == "腾格里镇":
        lon, lat = rng.uniform(105.02, 105.18), rng.uniform(37.70, 37.80)
    else:
        lon, lat = rng.uniform(105.30, 105.40), rng.uniform(37.60, 37.70)
    return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")


def _enterprises(
    ctx: DemoContext, rng: random.Random, templates: list[Enterprise], missing: int, counts: dict[str, int]
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    from anjian.enterprises.models import Grid

    grids: dict[tuple[int | None, bool], list[int | None]] = defaultdict(list)
    for grid in Grid.objects.order_by("code"):
        grids[(grid.town_id, grid.in_park)].append(grid.pk)
    unit_ids = bulk.next_ids(OrgUnit, missing)
    ent_ids = bulk.next_ids(Enterprise, missing)
    ents: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    template_of: dict[int, int] = {}
    for k in range(missing):
        t = templates[k % len(templates)]
        uscc = _uscc(k)
        name = f"{rng.choice(_PLACES)}{rng.choice(_WORDS)}{_TRADE.get(t.industry, '实业')}有限公司"
        lon, lat = _place(str(t.town), t.in_park, rng)
        town_grids = grids.get((t.town_id, t.in_park)) or grids.get((t.town_id, False)) or [None]
        ent = {
            "id": ent_ids[k],
            "uscc": uscc,
            "name": name,
            "short_name": name.replace("有限公司", "")[-8:],
            "address": f"内蒙古自治区阿拉善盟孛井滩示范区{t.town}{rng.choice(['纬一路', '经三路', '创业大道'])}"
            f"{rng.randrange(1, 900)}号",
            "town_id": t.town_id,
            "in_park": t.in_park,
            "grid_id": rng.choice(town_grids),
            "lon": lon,
            "lat": lat,
            "status": "operating" if k % 50 else "suspended",
            "scale": t.scale,
            "industry": t.industry,
            "key_process": t.key_process,
            "key_chemical": t.key_chemical,
            "major_hazard": t.major_hazard,
            "legal_rep": _name(rng, "男"),
            "principal": _name(rng, "男"),
            "safety_manager_name": _name(rng, "女" if k % 4 == 0 else "男"),
            "phone": f"0483-{rng.randrange(8100000, 8999999)}",
            "employees": rng.randrange(10, 400),
            "supervising_unit_id": t.supervising_unit_id,
            "supervision_overridden": False,
            "org_unit_id": unit_ids[k],
        }
        ents.append(ent)
        template_of[ent_ids[k]] = t.pk
        # The enterprise-side unit (what do_create_enterprise creates): named with the code's tail, unique.
        units.append(
            {
                "id": unit_ids[k],
                "code": f"E{uscc}",
                "name": f"{name[:80]}（{uscc[-6:]}）",
                "full_name": name,
                "kind": "enterprise",
            }
        )
    counts["orgs.OrgUnit"] = bulk.write_rows(OrgUnit, units)
    counts["enterprises.Enterprise"] = bulk.write_rows(Enterprise, ents)
    return ents, template_of


def _name(rng: random.Random, sex: str) -> str:
    chars = _MALE_GIVEN if sex == "男" else _FEMALE_GIVEN
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(_FAMILY) + given


# ---------------------------------------------------------------------------------------------
# People, certificates, training
# ---------------------------------------------------------------------------------------------


class _People:
    """Identity numbers unique by construction: region, birth day and sequence follow the person's index."""

    def __init__(self, ctx: DemoContext) -> None:
        self.today = ctx.today
        self.taken = set(Person.objects.values_list("id_number", flat=True))
        self.bump = 0

    def resident_id(self, g: int, sex: str) -> tuple[str, dt.date]:
        region = _REGIONS[g % len(_REGIONS)]
        rest = g // len(_REGIONS)
        # Ages 20 to 59: 14,600 birth days per region, then the next pair of sequence numbers.
        birth = self.today - dt.timedelta(days=20 * 365 + rest % 14600)
        seq = 800 + 2 * (rest // 14600) + (1 if sex == "男" else 0)
        while True:
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.taken:
                return number, birth
            # A demo person holds this number: take a sequence number no generated person uses.
            self.bump += 2
            seq = 100 + self.bump + (1 if sex == "男" else 0)


def _state(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.03:
        return "expired"
    if r < 0.06:
        return "d30"
    if r < 0.09:
        return "d60"
    if r < 0.12:
        return "d90"
    return "valid"


def _people(ctx: DemoContext, rng: random.Random, ents: list[dict[str, Any]], counts: dict[str, int]) -> None:
    today = ctx.today
    ids = _People(ctx)
    person_start = bulk.next_ids(Person, 1).start
    serial = [0]
    people: list[dict[str, Any]] = []
    certs: list[dict[str, Any]] = []
    trainings: list[dict[str, Any]] = []
    offsets = {"d30": (0, 30), "d60": (31, 60), "d90": (61, 90), "expired": (-700, -1)}

    def cert(
        pid: int, id_number: str, kind: str, category: str = "", item: str = "", renewal: bool = False
    ) -> None:
        lo, hi = offsets.get(state := _state(rng), (91, _YEARS[kind] * 365 - 30))
        expires = today + dt.timedelta(days=rng.randint(lo, hi))
        issued = _add_years(expires, -_YEARS[kind]) + dt.timedelta(days=1)
        serial[0] += 1
        number = (
            f"T{id_number}"
            if kind == CertificateKind.SPECIAL_OPERATION
            else f"G{kind[:2].upper()}{serial[0]:09d}"
        )
        base = {"person_id": pid, "kind": kind, "category": category, "operation_item": item}
        certs.append(
            {**base, "number": number, "issuer": _ISSUERS[kind], "issued_on": issued, "expires_on": expires}
        )
        if renewal and state != "expired":
            # The certificate it replaced: same kind and category, the period before, expired (superseded).
            serial[0] += 1
            certs.append(
                {
                    **base,
                    "number": f"{number}-{serial[0]}" if category else f"G{kind[:2].upper()}{serial[0]:09d}",
                    "issuer": _ISSUERS[kind],
                    "issued_on": _add_years(issued, -_YEARS[kind]),
                    "expires_on": issued - dt.timedelta(days=1),
                    "superseded": True,
                }
            )

    g = 0
    for ent in ents:
        size = rng.randint(22, 38)
        n_special = round(size * 0.4)
        categories = _SPECIAL_CATEGORIES_BY_INDUSTRY.get(ent["industry"], _DEFAULT_CATEGORIES)
        for i in range(size):
            role = (
                RoleCategory.PRINCIPAL
                if i == 0
                else RoleCategory.SAFETY_MANAGER
                if i < 3
                else RoleCategory.SPECIAL_WORKER
                if i < 3 + n_special
                else RoleCategory.OTHER_WORKER
            )
            sex = "男" if rng.random() < 0.75 else "女"
            pid = person_start + g
            number, birth = ids.resident_id(g, sex)
            g += 1
            picked = rng.sample(sorted(set(categories)), k=min(2, len(set(categories))))
            job = {
                RoleCategory.PRINCIPAL: "总经理",
                RoleCategory.SAFETY_MANAGER: "安全环保部经理" if i == 1 else "专职安全员",
                RoleCategory.SPECIAL_WORKER: _SPECIAL_JOBS.get(picked[0], "特种作业人员"),
            }.get(role, rng.choice(_OTHER_JOBS))
            people.append(
                {
                    "id": pid,
                    "name": ent["principal"] if i == 0 else _name(rng, sex),
                    "id_type": IdType.RESIDENT,
                    "id_number": number,
                    "sex": sex,
                    "birth_date": birth,
                    "phone": f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                    "employer_enterprise_id": ent["id"],
                    "job": job,
                    "role_category": role,
                    "years_experience": rng.randint(0, 25),
                    "is_active": rng.random() > 0.03,
                }
            )
            renewal = rng.random() < 0.35
            if role == RoleCategory.PRINCIPAL:
                cert(pid, number, CertificateKind.PRINCIPAL, renewal=renewal)
            elif role == RoleCategory.SAFETY_MANAGER:
                cert(pid, number, CertificateKind.SAFETY_MANAGER, renewal=renewal)
                if rng.random() < 0.2:
                    cert(pid, number, CertificateKind.REGISTERED_ENGINEER)
            elif role == RoleCategory.SPECIAL_WORKER:
                for n, category in enumerate(picked):
                    items = _OPERATION_ITEMS.get(category, ("",))
                    cert(
                        pid,
                        number if n == 0 else f"{number}{n}",
                        CertificateKind.SPECIAL_OPERATION,
                        category=category,
                        item=rng.choice(items),
                        renewal=renewal and n == 0,
                    )
            elif rng.random() < 0.8:
                cert(
                    pid,
                    number,
                    CertificateKind.SPECIAL_EQUIPMENT,
                    item=rng.choice(_EQUIPMENT_ITEMS),
                    renewal=renewal,
                )
            course, kind, hours = _COURSES[g % len(_COURSES)]
            day = today - dt.timedelta(days=rng.randint(1, 330))
            trainings.append(
                {
                    "person_id": pid,
                    "course": course,
                    "kind": kind,
                    "hours": Decimal(hours),
                    "date": day,
                    "result": TrainingResult.PASSED if rng.random() > 0.04 else TrainingResult.FAILED,
                    "provider": "阿拉善盟安全生产协会",
                }
            )
            if role != RoleCategory.OTHER_WORKER:
                trainings.append(
                    {
                        "person_id": pid,
                        "course": "安全生产知识和管理能力考核培训",
                        "kind": TrainingKind.OTHER,
                        "hours": Decimal(32),
                        "date": day - dt.timedelta(days=rng.randint(1, 300)),
                        "result": TrainingResult.PASSED,
                        "provider": "内蒙古蒙安安全技术咨询有限公司",
                    }
                )
    counts["people.Person"] = bulk.write_rows(Person, people)
    del people
    cert_ids = bulk.next_ids(Certificate, len(certs))
    counts["people.Certificate"] = bulk.write_rows(Certificate, _with_ids(certs, cert_ids))
    training_ids = bulk.next_ids(TrainingRecord, len(trainings))
    counts["people.TrainingRecord"] = bulk.write_rows(TrainingRecord, _with_ids(trainings, training_ids))


def _with_ids(rows: list[dict[str, Any]], ids: range) -> Iterator[dict[str, Any]]:
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
        yield row


# ---------------------------------------------------------------------------------------------
# Licences and standardisation
# ---------------------------------------------------------------------------------------------


def _registers(
    ctx: DemoContext, rng: random.Random, ents: list[dict[str, Any]], counts: dict[str, int]
) -> None:
    today = ctx.today
    licences: list[dict[str, Any]] = []
    grades: list[dict[str, Any]] = []
    for k, ent in enumerate(ents):
        for kind, pattern in LICENCES_BY_INDUSTRY.get(ent["industry"], []):
            valid_until = today + dt.timedelta(days=rng.randrange(-60, 1000))
            issued_on = valid_until - dt.timedelta(days=3 * 365)
            licences.append(
                {
                    "enterprise_id": ent["id"],
                    "kind": kind,
                    "number": f"G{k:06d}-" + pattern.format(y=issued_on.year, n=k % 10000),
                    "issuer": ISSUERS.get(kind, ""),
                    "issued_on": issued_on,
                    "valid_until": valid_until,
                    "scope": "详见许可证正本",
                }
            )
        graded = rng.random() < (0.92 if ent["scale"] == Scale.ABOVE else 0.66)
        if graded and ent["status"] == "operating":
            issued_on = today - dt.timedelta(days=rng.randrange(30, 1150))
            grades.append(
                {
                    "enterprise_id": ent["id"],
                    "grade": "level3" if ent["scale"] == Scale.ABOVE else "small",
                    "certificate_no": f"AQBZ-G{k:07d}",
                    "issued_on": issued_on,
                    "review_due": _add_years(issued_on, 3),
                    "agency": "阿拉善盟安全生产协会",
                    "is_current": True,
                }
            )
    counts["enterprises.Licence"] = bulk.write_rows(
        Licence, _with_ids(licences, bulk.next_ids(Licence, len(licences)))
    )
    counts["enterprises.Standardization"] = bulk.write_rows(
        Standardization, _with_ids(grades, bulk.next_ids(Standardization, len(grades)))
    )


# ---------------------------------------------------------------------------------------------
# Copies of the template's other modules
# ---------------------------------------------------------------------------------------------


def _clone(ents: list[dict[str, Any]], template_of: dict[int, int], counts: dict[str, int]) -> None:
    """Copy each template's rows of ``CLONED`` to the enterprises generated from it, remapping the keys."""
    copies: dict[int, list[int]] = defaultdict(list)  # template enterprise → its generated siblings
    for ent in ents:
        copies[template_of[ent["id"]]].append(ent["id"])
    # (model label, old id, generated enterprise) → new id
    new_id: dict[tuple[str, int, int], int] = {}
    for label, path in CLONED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        fields = list(model._meta.concrete_fields)
        attnames = [f.attname for f in fields]
        template_rows = list(
            model._default_manager.filter(**{f"{path}__in": list(copies)})
            .order_by("pk")
            .values(*attnames, _owner=models.F(path.replace("_id", "__id") if "__" in path else path))
        )
        if not template_rows:
            continue
        total = sum(len(copies[row["_owner"]]) for row in template_rows)
        ids = iter(bulk.next_ids(model, total))
        relations = [
            (f.attname, f.related_model._meta.label, f.null)
            for f in fields
            if f.is_relation and f.related_model is not None and not isinstance(f.related_model, str)
        ]
        uniques = [f.attname for f in fields if f.unique and not f.primary_key and not f.is_relation]
        rows: list[dict[str, Any]] = []
        for row in template_rows:
            owner = row.pop("_owner")
            for ent_id in copies[owner]:
                copy = dict(row)
                copy["id"] = pk = next(ids)
                new_id[(label, row["id"], ent_id)] = pk
                for attname, target, nullable in relations:
                    old = copy[attname]
                    if old is None:
                        continue
                    if target == "enterprises.Enterprise":
                        copy[attname] = ent_id
                    elif (target, old, ent_id) in new_id:
                        copy[attname] = new_id[(target, old, ent_id)]
                    elif target in _DROPPED_TARGETS and nullable:
                        copy[attname] = None
                for attname in uniques:
                    if copy[attname] is not None:
                        copy[attname] = f"S{pk}"
                rows.append(copy)
        counts[label] = bulk.write_rows(model, rows)
