"""Demo second gates: zones and gates for the park's chemical plants, passes and cards for their people,
contractors and visitors, a morning of traffic, a finished roll-call drill — and the shift simulator.

``build(ctx)`` runs after the people part. ``run_simulator(...)`` (``anjian gates simulate``) walks the
demo plants' people in and out through the same action the controller endpoint uses, so the headcount
page moves; ``anjian demo`` has no side-process mechanism yet, so start it on demand in a second terminal.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from anjian.demo.context import DemoContext
from anjian.enterprises.models import Enterprise
from anjian.gates import actions
from anjian.gates.choices import Category, EventSource
from anjian.gates.models import AccessPass, Credential, Gate, Presence, Registration, Zone
from anjian.people.choices import CertificateKind, RoleCategory
from anjian.people.models import Person

__all__ = ["PLANTS", "build", "run_simulator"]

#: How many of the park's chemical plants get second gates.
PLANTS = 5

# (code, name, quota share of staff, certificate required, hours)
ZONES: tuple[tuple[str, str, float, list[str], tuple[dt.time, dt.time] | None], ...] = (
    ("Z1", "生产装置区", 0.30, [], None),
    ("Z2", "储罐区", 0.06, ["special_operation:hazardous_chemicals"], None),
    ("Z3", "危化品仓库", 0.04, [], (dt.time(7, 30), dt.time(18, 0))),
)


def _outline(enterprise: Enterprise, index: int) -> tuple[dict[str, Any] | None, tuple[float, float] | None]:
    """A third of the plant plot (west to east) as the zone outline, and a gate point on its south edge."""
    if not enterprise.plot_geojson:
        return None, None
    from shapely.geometry import box, mapping, shape

    plot = shape(enterprise.plot_geojson)
    minx, miny, maxx, maxy = plot.bounds
    w = (maxx - minx) / 3
    cell = box(
        minx + index * w + w * 0.1,
        miny + (maxy - miny) * 0.15,
        minx + (index + 1) * w - w * 0.1,
        maxy - (maxy - miny) * 0.15,
    )
    part = plot.intersection(cell)
    if part.is_empty or part.geom_type != "Polygon":
        return None, None
    south = part.exterior.interpolate(0.05, normalized=True)
    outline = mapping(part)
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in outline["coordinates"]]}, (
        south.x,
        south.y,
    )


def _plants() -> list[Enterprise]:
    return list(
        Enterprise.objects.filter(in_park=True, industry="hazchem_production", status="operating").order_by(
            "id"
        )[:PLANTS]
    )


def build(ctx: DemoContext) -> None:
    """Zones, gates, passes, cards, registrations, a morning of events and a roll-call drill."""
    from anjian.demo.users import DEMO_PASSWORD
    from anjian.orgs.models import User

    rng = ctx.child_rng("gates")
    plants = _plants()
    token_note = ""
    for p_no, plant in enumerate(plants, start=1):
        staff = list(Person.objects.filter(employer_enterprise=plant, is_active=True).order_by("id"))
        _induct(staff, rng)
        zones: list[Zone] = []
        for z_no, (code, name, share, certs, hours) in enumerate(ZONES):
            outline, gate_at = _outline(plant, z_no)
            quota = max(4, round(len(staff) * share))
            zone = Zone.objects.create(
                enterprise=plant,
                code=code,
                name=name,
                quota=quota,
                warn_level=max(1, round(quota * 0.85)),
                required_trainings=["safety"],
                required_certificates=certs,
                opens_at=hours[0] if hours else None,
                closes_at=hours[1] if hours else None,
                outline_geojson=outline,
                hazard_note="",
            )
            zones.append(zone)
            from anjian.majorhazards.models import HazardInstallation

            # the tank farm holds the storage units, the production area the production units
            kind = {"Z1": "production", "Z2": "storage"}.get(code)
            if kind is not None:
                zone.hazard_installations.set(
                    HazardInstallation.objects.filter(enterprise=plant, unit_kind=kind, is_major=True)
                )
            for g_no in (1, 2):
                gate = Gate(
                    zone=zone,
                    code=f"P{p_no}{code}G{g_no}",
                    name=f"{name}{g_no}号门",
                    controller_id=f"CTL-{p_no:02d}{z_no}{g_no}",
                    lon=round(gate_at[0], 6) if gate_at else None,
                    lat=round(gate_at[1] + g_no * 0.00005, 6) if gate_at else None,
                )
                token = gate.issue_token()
                gate.save()
                if p_no == 1 and code == "Z1" and g_no == 1:
                    token_note = f"{gate.code} 令牌 {token}"
        specials = set(
            Person.objects.filter(
                employer_enterprise=plant, certificates__kind=CertificateKind.SPECIAL_OPERATION
            ).values_list("pk", flat=True)
        )
        for i, person in enumerate(staff):
            access_pass = AccessPass.objects.create(
                enterprise=plant,
                person=person,
                category=Category.EMPLOYEE,
                blacklisted=i == 7,
                blacklist_reason="多次违规动火，暂停进入生产区域" if i == 7 else "",
            )
            allowed = [zones[0], zones[2]] + (
                [zones[1]]
                if person.pk in specials or person.role_category == RoleCategory.SAFETY_MANAGER
                else []
            )
            access_pass.zones.set(allowed)
            Credential.objects.create(code=f"C{p_no}{person.pk:06d}", access_pass=access_pass)
        _registrations(plant, zones, rng, p_no)
        _morning(plant, rng)
        if p_no == 1:
            operator, _created = User.objects.get_or_create(
                username="menggang",
                defaults={"org": plant.org_unit, "role": "gate", "last_name": "门", "first_name": "岗值班员"},
            )
            operator.set_password(DEMO_PASSWORD)
            operator.save()
            ctx.logins.append(
                ("menggang", DEMO_PASSWORD, f"门岗操作员：{plant.name}二道门（点名、人工放行）")
            )
            _drill(plant, zones[0], operator)
    ctx.refs["gates"] = {"plants": len(plants), "token": token_note}
    if token_note:
        print(f"    二道门控制器示例：POST /api/v1/gates/{token_note.split()[0]}/events（{token_note}）")


def _induct(staff: list[Person], rng: random.Random) -> None:
    """Staff without a 三级安全教育 record get one (all but about one in twenty: the gate refuses those)."""
    from decimal import Decimal

    from anjian.people.choices import TrainingKind, TrainingResult
    from anjian.people.models import TrainingRecord

    done = set(
        TrainingRecord.objects.filter(person__in=staff, kind=TrainingKind.THREE_LEVEL).values_list(
            "person_id", flat=True
        )
    )
    today = timezone.localdate()
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                person=p,
                course="三级安全教育（厂级、车间级、班组级）",
                kind=TrainingKind.THREE_LEVEL,
                hours=Decimal("72"),
                date=today - dt.timedelta(days=rng.randrange(30, 900)),
                result=TrainingResult.PASSED,
                provider=p.employer_enterprise.name if p.employer_enterprise else "",
            )
            for p in staff
            if p.pk not in done and rng.random() > 0.05
        ]
    )


def _registrations(plant: Enterprise, zones: list[Zone], rng: random.Random, p_no: int) -> None:
    now = timezone.now()
    quiz_right = [r for _q, _o, r in actions.INDUCTION_QUIZ]
    names = (
        ("赵建军", "钱志强", "孙丽", "李明", "周涛"),
        ("吴海峰", "郑国强", "王晓燕", "冯磊", "陈刚"),
        ("褚卫东", "卫建平", "蒋欣", "沈浩", "韩勇"),
        ("杨振华", "朱宏伟", "秦雪", "尤建新", "许亮"),
        ("何志刚", "吕永胜", "施静", "张伟东", "孔亮"),
    )[p_no % 5]
    people = (
        ("contractor", names[0], "阿拉善盟安泰检维修工程有限公司", "装置检修", True, True),
        ("contractor", names[1], "阿拉善盟安泰检维修工程有限公司", "装置检修", True, True),
        ("visitor", names[2], "内蒙古某设计院", "工艺交流", True, True),
        ("visitor", names[3], "某设备厂家", "设备调试", True, False),
        ("contractor", names[4], "腾格里保温防腐工程队", "保温施工", False, False),
    )
    for n, (category, name, company, purpose, trained, approved) in enumerate(people):
        reg = Registration(
            enterprise=plant,
            category=category,
            name=name,
            id_number=_resident_id(rng),
            phone=f"139{rng.randrange(10**7, 10**8)}",
            company=company,
            purpose=purpose,
            host_name=plant.safety_manager_name or "安全科",
            valid_from=now - dt.timedelta(hours=6),
            # one contractor's permitted time ran out an hour ago in two plants (an overstay alarm if inside)
            valid_until=now + dt.timedelta(hours=(-1 if n == 1 and p_no in (0, 2) else 10)),
            self_registered=n == 3,
        )
        actions.do_submit_registration(reg, [zones[0]], acting_user=None)
        if trained:
            actions.check_registration_quiz(reg, quiz_right)
        if approved:
            actions.do_approve_registration(reg, acting_user=None, note="同意，注意动火作业票")


def _resident_id(rng: random.Random) -> str:
    """A valid 公民身份号码 (GB 11643-1999) of a visitor from elsewhere in Inner Mongolia, not yet on record."""
    from anjian.domain.check_digits import resident_id_check_char

    while True:
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(30 * 365))
        first17 = f"150102{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + resident_id_check_char(first17)
        if not Person.objects.filter(id_number=number).exists():
            return number


def _credentials(plant: Enterprise) -> list[str]:
    return list(
        Credential.objects.filter(access_pass__enterprise=plant, is_active=True).values_list(
            "code", flat=True
        )
    )


def _morning(plant: Enterprise, rng: random.Random) -> None:
    """The last few hours of traffic: most staff arrive, some come and go, a few are refused."""
    now = timezone.now()
    start = now - dt.timedelta(hours=4)
    gates = list(Gate.objects.filter(zone__enterprise=plant).select_related("zone"))
    main_gates = [g for g in gates if g.zone.code == "Z1"]
    tank_gates = [g for g in gates if g.zone.code == "Z2"]
    tank_people = set(
        Credential.objects.filter(access_pass__enterprise=plant, access_pass__zones__code="Z2").values_list(
            "code", flat=True
        )
    )
    creds = _credentials(plant)
    rng.shuffle(creds)
    crowd = creds[: max(10, int(len(creds) * 0.5))]
    t = start
    step = dt.timedelta(seconds=max(2, int(4 * 3600 / (len(crowd) * 2.2))))
    inside: set[tuple[str, int]] = set()
    for cred in crowd:
        gate = rng.choice(tank_gates if cred in tank_people and rng.random() < 0.5 else main_gates)
        t += step
        actions.do_decide_event(
            gate, credential=cred, direction="in", ts=int(t.timestamp() * 1000), source=EventSource.SIMULATOR
        )
        inside.add((cred, gate.zone_id))
        if rng.random() < 0.25:
            t += step
            out_gate = rng.choice([g for g in gates if g.zone_id == gate.zone_id])
            actions.do_decide_event(
                out_gate,
                credential=cred,
                direction="out",
                ts=int(t.timestamp() * 1000),
                source=EventSource.SIMULATOR,
            )
    for n in range(3):
        t += step
        actions.do_decide_event(
            gates[0],
            credential=f"X{rng.randrange(10**6)}{n}",
            direction="in",
            ts=int(t.timestamp() * 1000),
            source=EventSource.SIMULATOR,
        )


def _drill(plant: Enterprise, zone: Zone, operator: Any) -> None:
    """A finished roll-call drill of the warehouse (every entry checked at the muster point)."""
    rc = actions.do_start_roll_call(plant, zone=zone, acting_user=operator, reason="季度应急疏散演练")
    for entry in rc.entries.all():
        actions.do_check_at_muster(entry, acting_user=operator)


# ---------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------


def run_simulator(
    *,
    minutes: float = 0,
    speed: float = 60.0,
    seed: int = 13,
    events: int = 0,
    log: Callable[[str], None] = print,
) -> int:
    """Walk the demo plants' people in and out until ``minutes`` pass (0 = forever) or ``events`` are sent.

    ``speed`` compresses the shift: with 60, a simulated hour of traffic happens in a real minute. Event
    times are real times (a controller never reports the future).
    """
    rng = random.Random(seed)
    plants = [p for p in _plants() if Zone.objects.filter(enterprise=p).exists()]
    if not plants:
        log("没有配置二道门的演示企业（先运行 anjian demo）")
        return 0
    gates = {
        p.pk: list(Gate.objects.filter(zone__enterprise=p, is_active=True).select_related("zone"))
        for p in plants
    }
    creds = {p.pk: _credentials(p) for p in plants}
    # About one passage per person per simulated hour of a shift; at least 2 events a second overall.
    per_hour = sum(len(c) for c in creds.values()) * 0.5
    interval = max(0.05, min(0.5, 3600 / (per_hour * max(speed, 1))))
    deadline = time.monotonic() + minutes * 60 if minutes else None
    sent = 0
    last_ts = 0
    while (deadline is None or time.monotonic() < deadline) and (not events or sent < events):
        plant = rng.choice(plants)
        gate = rng.choice(gates[plant.pk])
        cred = rng.choice(creds[plant.pk]) if rng.random() > 0.02 else f"X{rng.randrange(10**8)}"
        inside = Presence.objects.filter(credential=cred, zone_id=gate.zone_id).exists()
        zone = gate.zone
        zone.refresh_from_db(fields=["headcount"])
        fill = zone.headcount / zone.quota if zone.quota else 0.5
        # Keep zones mostly between half and full; sometimes someone forgets they are inside (anti-passback).
        if inside:
            direction = "out" if rng.random() < 0.9 else "in"
        else:
            direction = "in" if rng.random() > fill * 0.6 else "out"
        ts = max(int(time.time() * 1000), last_ts + 1)
        last_ts = ts
        outcome = actions.do_decide_event(
            gate, credential=cred, direction=direction, ts=ts, source=EventSource.SIMULATOR
        )
        sent += 1
        if sent % 50 == 0:
            total = sum(Zone.objects.filter(enterprise__in=plants).values_list("headcount", flat=True))
            log(
                f"已发送 {sent} 条，在场 {total} 人（最近：{gate.code} {cred} {direction} → {outcome.as_dict()['message']}）"
            )
        time.sleep(interval)
    return sent
