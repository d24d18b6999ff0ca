"""The smart second gate (智能化二道门): may this person pass this gate now?

Pure Python (no Django), so the same rules decide at the gate (``gates.actions.decide_event``, under a
row lock) and replay a day of events without a database (``anjian gates replay --json < day.json``).

The plan (``seed/safety-plan-2021-2025.txt`` 八.二 "智能化二道门") asks that the entrance of a chemical
plant's production area count and classify who goes in and out, know who is inside at the moment of an
emergency, and refuse people who are not trained or not approved. 《危险化学品企业安全风险隐患排查治理
导则》(应急〔2019〕78号) and the 化工园区 "智能化二道门" guidance (应急厅〔2022〕4号 附件) name the checks;
this module fixes their **order** — the first failed check is the reason a gate shows:

1. ``unknown_credential`` — the card/face id is not bound to an active person;
2. ``blacklisted`` — the person is on the blacklist (a flag now, the credit module later);
3. ``training_missing`` — a training the zone requires is not on record (passed);
4. ``certificate_missing`` — the zone requires a certificate kind the person has none of at all;
5. ``certificate_expired`` — the person has that kind, but none is valid on the event's day
   (the calendar day in Asia/Shanghai; a certificate is valid from its issue day through its expiry day,
   no expiry = 长期有效);
6. ``not_authorized`` — the zone is not in the person's list, or the event falls outside the person's
   permitted period (visitors, contractors) or the zone's opening hours;
7. ``zone_full`` — the zone holds ``quota`` (定员) people already;
8. ``already_inside`` — the person is inside this zone already (anti-passback, 防尾随/防折返).

Exits are always allowed and recorded: nobody is ever kept inside a hazardous area by a gate. An exit
of someone not counted inside changes no count (the headcount never goes below zero).

A repeated event (same credential, gate and time) counts once: the replay answers it with the first
decision and changes nothing, exactly as the database's unique key does at the gate.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "CHECK_ORDER",
    "MESSAGES",
    "SHANGHAI",
    "CertificateFact",
    "Decision",
    "Direction",
    "GateDay",
    "PersonFacts",
    "Reason",
    "ReplayError",
    "ZoneRule",
    "certificate_problem",
    "decide",
    "local_day",
    "parse_day",
    "replay",
    "replay_json",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Direction(StrEnum):
    """Which way a person passes a gate."""

    IN = "in"
    OUT = "out"


class Reason(StrEnum):
    """Why a gate refuses an entry; the values are the published reason codes."""

    UNKNOWN_CREDENTIAL = "unknown_credential"
    BLACKLISTED = "blacklisted"
    TRAINING_MISSING = "training_missing"
    CERTIFICATE_MISSING = "certificate_missing"
    CERTIFICATE_EXPIRED = "certificate_expired"
    NOT_AUTHORIZED = "not_authorized"
    ZONE_FULL = "zone_full"
    ALREADY_INSIDE = "already_inside"


CHECK_ORDER: tuple[Reason, ...] = tuple(Reason)

# What the gate's display shows (short enough for a 2-line LED panel).
MESSAGES: Mapping[Reason, str] = {
    Reason.UNKNOWN_CREDENTIAL: "卡/人脸未登记或已停用，请到门岗登记",
    Reason.BLACKLISTED: "已列入黑名单，禁止进入",
    Reason.TRAINING_MISSING: "未完成进入本区域所需的安全培训",
    Reason.CERTIFICATE_MISSING: "缺少进入本区域所需的证书",
    Reason.CERTIFICATE_EXPIRED: "所需证书已过期，请复审后再进入",
    Reason.NOT_AUTHORIZED: "未授权进入本区域或不在允许时段",
    Reason.ZONE_FULL: "区域人数已达定员，请稍候",
    Reason.ALREADY_INSIDE: "系统显示您已在区域内，请先刷卡离开（防折返）",
}
ALLOW_MESSAGE_IN = "允许进入"
ALLOW_MESSAGE_OUT = "允许离开"


# ---------------------------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneRule:
    """What a zone requires: quota (``None`` = no quota), trainings, certificate kinds, opening hours.

    ``hours`` is ``(opens, closes)`` in local (Asia/Shanghai) time; ``closes < opens`` spans midnight.
    """

    code: str
    quota: int | None = None
    requires: frozenset[str] = frozenset()
    requires_certificates: frozenset[str] = frozenset()
    hours: tuple[dt.time, dt.time] | None = None


@dataclass(frozen=True, slots=True)
class CertificateFact:
    """One certificate: its kind and validity (``expires=None`` = 长期有效; ``issued=None`` = unknown)."""

    kind: str
    expires: dt.date | None
    issued: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        """In force on ``day``: issued on or before it and expiring on or after it."""
        if self.issued is not None and self.issued > day:
            return False
        return self.expires is None or self.expires >= day


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the gate knows of the person behind a credential.

    ``valid_from``/``valid_until`` bound the permitted period of a visitor or contractor (aware datetimes).
    """

    credential: str
    trainings: frozenset[str] = frozenset()
    certificates: tuple[CertificateFact, ...] = ()
    zones: frozenset[str] = frozenset()
    blacklisted: bool = False
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer: allowed or not, the reason code of a refusal, and the display message."""

    allow: bool
    reason: Reason | None = None
    direction: Direction = Direction.IN

    @property
    def message(self) -> str:
        """The Chinese text the gate's display shows."""
        if self.reason is not None:
            return MESSAGES[self.reason]
        return ALLOW_MESSAGE_OUT if self.direction is Direction.OUT else ALLOW_MESSAGE_IN

    def as_dict(self) -> dict[str, Any]:
        """``{"allow": …, "reason": …}`` — the replay's published shape."""
        return {"allow": self.allow, "reason": None if self.reason is None else str(self.reason)}


# ---------------------------------------------------------------------------------------------
# The decision
# ---------------------------------------------------------------------------------------------


def local_day(at: dt.datetime) -> dt.date:
    """The calendar day of ``at`` in Asia/Shanghai (certificates are valid per local day)."""
    if at.tzinfo is None:
        raise ValueError("gate events need an aware datetime")
    return at.astimezone(SHANGHAI).date()


def certificate_problem(
    certificates: Iterable[CertificateFact], required: Iterable[str], day: dt.date
) -> Reason | None:
    """``certificate_missing`` / ``certificate_expired`` for the first required kind not held valid on ``day``.

    Kinds are checked in sorted order so the answer does not depend on set iteration. A missing kind
    anywhere wins over an expired one, since renewing would not be enough.
    """
    held = tuple(certificates)
    expired = False
    for kind in sorted(required):
        of_kind = [c for c in held if c.kind == kind]
        if not of_kind:
            return Reason.CERTIFICATE_MISSING
        if not any(c.valid_on(day) for c in of_kind):
            expired = True
    return Reason.CERTIFICATE_EXPIRED if expired else None


def _within_hours(hours: tuple[dt.time, dt.time], at: dt.datetime) -> bool:
    opens, closes = hours
    now = at.astimezone(SHANGHAI).time()
    if opens == closes:
        return True
    if opens < closes:
        return opens <= now < closes
    return now >= opens or now < closes


def _authorized(person: PersonFacts, zone: ZoneRule, at: dt.datetime) -> bool:
    if zone.code not in person.zones:
        return False
    if person.valid_from is not None and at < person.valid_from:
        return False
    if person.valid_until is not None and at >= person.valid_until:
        return False
    return zone.hours is None or _within_hours(zone.hours, at)


def decide(
    *,
    person: PersonFacts | None,
    zone: ZoneRule,
    direction: Direction,
    at: dt.datetime,
    inside: bool,
    headcount: int,
) -> Decision:
    """Decide one passage. ``inside``: the person is counted in ``zone``; ``headcount``: people in ``zone``.

    The checks run in :data:`CHECK_ORDER`; the first that fails is the reason. Exits are always allowed.
    """
    if direction is Direction.OUT:
        return Decision(True, None, Direction.OUT)
    if person is None:
        return Decision(False, Reason.UNKNOWN_CREDENTIAL)
    if person.blacklisted:
        return Decision(False, Reason.BLACKLISTED)
    if not zone.requires <= person.trainings:
        return Decision(False, Reason.TRAINING_MISSING)
    problem = certificate_problem(person.certificates, zone.requires_certificates, local_day(at))
    if problem is not None:
        return Decision(False, problem)
    if not _authorized(person, zone, at):
        return Decision(False, Reason.NOT_AUTHORIZED)
    # Strictly in the published order: a full zone is reported before anti-passback.
    if zone.quota is not None and headcount >= zone.quota:
        return Decision(False, Reason.ZONE_FULL)
    if inside:
        return Decision(False, Reason.ALREADY_INSIDE)
    return Decision(True)


# ---------------------------------------------------------------------------------------------
# Replay of a day (``anjian gates replay --json < day.json``)
# ---------------------------------------------------------------------------------------------


class ReplayError(ValueError):
    """Bad replay input; the message names the offending item (e.g. ``事件 #3``)."""


@dataclass(frozen=True, slots=True)
class GateEvent:
    """One event of the day, validated."""

    index: int
    at: dt.datetime
    ts: int
    credential: str
    gate: str
    direction: Direction


@dataclass(slots=True)
class GateDay:
    """A parsed day: zones, gates (→ zone), people by credential, events; and the running state."""

    zones: dict[str, ZoneRule]
    gates: dict[str, str]
    people: dict[str, PersonFacts]
    events: list[GateEvent]
    inside: dict[str, set[str]] = field(default_factory=dict)
    seen: dict[tuple[str, str, int], Decision] = field(default_factory=dict)

    def headcount(self) -> dict[str, int]:
        """People inside, per zone (every zone, zero included)."""
        return {code: len(self.inside.get(code, ())) for code in self.zones}

    def apply(self, event: GateEvent) -> Decision:
        """Decide ``event`` and update who is inside; a duplicate returns the first decision unchanged."""
        key = (event.credential, event.gate, event.ts)
        if key in self.seen:
            return self.seen[key]
        zone = self.zones[self.gates[event.gate]]
        inside = self.inside.setdefault(zone.code, set())
        decision = decide(
            person=self.people.get(event.credential),
            zone=zone,
            direction=event.direction,
            at=event.at,
            inside=event.credential in inside,
            headcount=len(inside),
        )
        if decision.allow:
            if event.direction is Direction.IN:
                inside.add(event.credential)
            else:
                inside.discard(event.credential)
        self.seen[key] = decision
        return decision


def _where(kind: str, index: int, item: Any) -> str:
    text = json.dumps(item, ensure_ascii=False, default=str)
    return f"{kind} #{index}（{text[:120]}）"


def _str_list(value: Any, what: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} 应为字符串列表")
    return frozenset(value)


def _date(value: Any, what: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} 应为 YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{what} 应为 YYYY-MM-DD：{value}") from exc


def _instant(value: Any, what: str) -> dt.datetime | None:
    """An ISO datetime (local Asia/Shanghai when it has no offset) or epoch ms."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{what} 时间格式不正确：{value}") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
    raise ValueError(f"{what} 时间格式不正确")


def _hours(value: Any) -> tuple[dt.time, dt.time] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise ValueError('hours 应为 ["HH:MM", "HH:MM"]')
    try:
        return dt.time.fromisoformat(value[0]), dt.time.fromisoformat(value[1])
    except ValueError as exc:
        raise ValueError(f"hours 时间格式不正确：{value}") from exc


def epoch_ms_to_datetime(ts: Any) -> dt.datetime:
    """An event's ``ts`` (integer epoch milliseconds) as an aware UTC datetime; ``ValueError`` otherwise."""
    if isinstance(ts, bool) or not isinstance(ts, int):
        raise ValueError("ts 应为整数（毫秒时间戳）")
    try:
        return dt.datetime.fromtimestamp(ts / 1000, dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"ts 超出范围：{ts}") from exc


def _zone(index: int, item: Any) -> ZoneRule:
    try:
        if not isinstance(item, dict):
            raise ValueError("应为对象")
        code = item.get("code")
        if not isinstance(code, str) or not code:
            raise ValueError("缺少 code")
        quota = item.get("quota")
        if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota < 0):
            raise ValueError("quota 应为非负整数")
        return ZoneRule(
            code=code,
            quota=quota,
            requires=_str_list(item.get("requires"), "requires"),
            requires_certificates=_str_list(item.get("requires_certificates"), "requires_certificates"),
            hours=_hours(item.get("hours")),
        )
    except ValueError as exc:
        raise ReplayError(f"{_where('区域', index, item)}：{exc}") from exc


def _person(index: int, item: Any) -> PersonFacts:
    try:
        if not isinstance(item, dict):
            raise ValueError("应为对象")
        credential = item.get("credential")
        if not isinstance(credential, str) or not credential:
            raise ValueError("缺少 credential")
        certificates: list[CertificateFact] = []
        raw_certs = item.get("certificates") or []
        if not isinstance(raw_certs, list):
            raise ValueError("certificates 应为列表")
        for cert in raw_certs:
            if not isinstance(cert, dict) or not isinstance(cert.get("kind"), str):
                raise ValueError("certificates 的每一项应含 kind")
            certificates.append(
                CertificateFact(
                    kind=cert["kind"],
                    expires=_date(cert.get("expires"), "expires"),
                    issued=_date(cert.get("issued"), "issued"),
                )
            )
        blacklisted = item.get("blacklisted", False)
        if not isinstance(blacklisted, bool):
            raise ValueError("blacklisted 应为 true/false")
        return PersonFacts(
            credential=credential,
            trainings=_str_list(item.get("trainings"), "trainings"),
            certificates=tuple(certificates),
            zones=_str_list(item.get("zones"), "zones"),
            blacklisted=blacklisted,
            valid_from=_instant(item.get("valid_from"), "valid_from"),
            valid_until=_instant(item.get("valid_until"), "valid_until"),
        )
    except ValueError as exc:
        raise ReplayError(f"{_where('人员', index, item)}：{exc}") from exc


def _event(index: int, item: Any, gates: Mapping[str, str]) -> GateEvent:
    try:
        if not isinstance(item, dict):
            raise ValueError("应为对象")
        at = epoch_ms_to_datetime(item.get("ts"))
        credential = item.get("credential")
        if not isinstance(credential, str) or not credential:
            raise ValueError("缺少 credential")
        gate = item.get("gate")
        if not isinstance(gate, str) or gate not in gates:
            raise ValueError(f"未知的门：{gate}")
        raw_direction = item.get("direction")
        if raw_direction not in {"in", "out"}:
            raise ValueError(f"direction 应为 in 或 out：{raw_direction}")
        direction = Direction(str(raw_direction))
        return GateEvent(index, at, int(item["ts"]), credential, gate, direction)
    except ValueError as exc:
        raise ReplayError(f"{_where('事件', index, item)}：{exc}") from exc


def _items(data: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ReplayError(f"{key} 应为列表")
    return value


def parse_day(data: Any) -> GateDay:
    """Validate a replay document; raise :class:`ReplayError` naming the first bad item."""
    if not isinstance(data, dict):
        raise ReplayError("输入应为 JSON 对象")
    zones: dict[str, ZoneRule] = {}
    for i, item in enumerate(_items(data, "zones")):
        zone = _zone(i, item)
        if zone.code in zones:
            raise ReplayError(f"{_where('区域', i, item)}：区域编码重复")
        zones[zone.code] = zone
    gates: dict[str, str] = {}
    for i, item in enumerate(_items(data, "gates")):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise ReplayError(f"{_where('门', i, item)}：缺少 code")
        if item.get("zone") not in zones:
            raise ReplayError(f"{_where('门', i, item)}：未知的区域 {item.get('zone')}")
        if item["code"] in gates:
            raise ReplayError(f"{_where('门', i, item)}：门编码重复")
        gates[item["code"]] = item["zone"]
    people: dict[str, PersonFacts] = {}
    for i, item in enumerate(_items(data, "people")):
        person = _person(i, item)
        if person.credential in people:
            raise ReplayError(f"{_where('人员', i, item)}：credential 重复")
        people[person.credential] = person
    events = [_event(i, item, gates) for i, item in enumerate(_items(data, "events"))]
    return GateDay(zones=zones, gates=gates, people=people, events=events)


def replay(day: GateDay) -> tuple[list[Decision], dict[str, int]]:
    """Decide every event of ``day`` in order; return the decisions and the final headcount per zone."""
    decisions = [day.apply(event) for event in day.events]
    return decisions, day.headcount()


def replay_json(data: Any) -> dict[str, Any]:
    """The replay's published output: ``{"decisions": [{"allow", "reason"}, …], "headcount": {zone: n}}``."""
    decisions, headcount = replay(parse_day(data))
    return {"decisions": [d.as_dict() for d in decisions], "headcount": headcount}
