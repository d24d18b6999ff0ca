"""State changes of the second gate: decide an event (under the zone's lock), override, roll call, visitors.

Only this module writes presences, counters, roll calls and registrations. Allowed swipes are not audited
one row each (they are the access log itself, ``AccessEvent``); overrides, roll calls, registrations and
configuration changes write one audit row each (see ``docs/gates.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import record, snapshot
from anjian.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from anjian.core.workflow import apply, check
from anjian.domain import gate_rules as rules
from anjian.gates import facts
from anjian.gates.choices import (
    Category,
    Direction,
    EventSource,
    GateDirections,
    GateEvent,
    RollCallEntryStatus,
    RollCallStatus,
)
from anjian.gates.models import (
    AccessEvent,
    AccessPass,
    Credential,
    Gate,
    Presence,
    Registration,
    RollCall,
    RollCallEntry,
    Zone,
)
from anjian.gates.workflows import REGISTRATION_FLOW, ROLL_CALL_ENTRY_FLOW, ROLL_CALL_FLOW, nobody_missing
from anjian.people.choices import CertificateKind, TrainingKind, TrainingResult

__all__ = [
    "FUTURE_TOLERANCE",
    "InvalidGateToken",
    "Outcome",
    "check_registration_quiz",
    "do_approve_registration",
    "do_check_at_muster",
    "do_close_roll_call",
    "do_decide_event",
    "do_issue_gate_token",
    "do_override_event",
    "do_reject_registration",
    "do_start_roll_call",
    "person_facts",
    "zone_rule",
]

#: A controller's clock may run a little ahead; an event further in the future is refused (400).
FUTURE_TOLERANCE = dt.timedelta(minutes=10)

#: Called after commit with the enterprise id whose headcount changed (live pages; see ``gates.live``).
_listeners: list[Callable[[int], None]] = []


def on_headcount_change(listener: Callable[[int], None]) -> None:
    """Register ``listener(enterprise_id)``, called after a commit that changed a headcount."""
    _listeners.append(listener)


def _changed(enterprise_id: int) -> None:
    for listener in _listeners:
        transaction.on_commit(functools.partial(listener, enterprise_id))


# ---------------------------------------------------------------------------------------------
# Facts for the pure rules
# ---------------------------------------------------------------------------------------------


def zone_rule(zone: Zone) -> rules.ZoneRule:
    """The zone as the rules see it."""
    hours = (zone.opens_at, zone.closes_at) if zone.opens_at and zone.closes_at else None
    return rules.ZoneRule(
        code=zone.code,
        quota=zone.quota,
        requires=frozenset(zone.required_trainings or ()),
        requires_certificates=frozenset(zone.required_certificates or ()),
        hours=hours,
    )


def person_facts(access_pass: AccessPass, credential: str) -> rules.PersonFacts:
    """What the rules need of a pass holder: trainings (mapped onto TrainingRecord kinds), certificates, zones.

    安全教育 (``safety``) is met by a 三级安全教育 record or by the registration's 入厂安全教育 quiz.
    A special-operations certificate also counts as ``special_operation:<category>``.
    """
    person = access_pass.person
    kinds = set(
        person.trainings.exclude(result=TrainingResult.FAILED).values_list("kind", flat=True).distinct()
    )
    trainings = {k for k in kinds if k != TrainingKind.THREE_LEVEL}
    if TrainingKind.THREE_LEVEL in kinds or access_pass.induction_passed_at is not None:
        trainings.add("safety")
    certificates: list[rules.CertificateFact] = []
    for kind, category, issued, expires in person.certificates.values_list(
        "kind", "category", "issued_on", "expires_on"
    ):
        certificates.append(rules.CertificateFact(kind, expires, issued))
        if kind == CertificateKind.SPECIAL_OPERATION and category:
            certificates.append(rules.CertificateFact(f"{kind}:{category}", expires, issued))
    return rules.PersonFacts(
        credential=credential,
        trainings=frozenset(trainings),
        certificates=tuple(certificates),
        zones=frozenset(access_pass.zones.values_list("code", flat=True)),
        blacklisted=access_pass.blacklisted,
        valid_from=access_pass.valid_from,
        valid_until=access_pass.valid_until,
    )


# ---------------------------------------------------------------------------------------------
# The decision at the gate
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The stored event and whether this call created it (``False`` for a repeated event)."""

    event: AccessEvent
    created: bool

    def as_dict(self) -> dict[str, Any]:
        """The controller's answer ``{"allow", "reason", "message"}``."""
        return {"allow": self.event.allow, "reason": self.event.reason or None, "message": self.event.message}


def parse_ts(ts: Any) -> dt.datetime:
    """``ts`` (epoch ms) as an aware datetime; ``ValidationFailed`` when malformed or in the future."""
    try:
        at = rules.epoch_ms_to_datetime(ts)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="ts") from exc
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationFailed(_("时间戳晚于当前时间（请校准控制器时钟）"), field="ts")
    return at


class InvalidGateToken(PermissionDeniedError):
    """The controller's token is not (or no longer) this active gate's: 403, nothing recorded."""

    default_code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(_("控制器令牌无效或无权代表该门上报"), code="invalid_token")


class _GateMoved(Exception):
    """The gate now belongs to another zone than the one locked: decide again under the right lock."""


def _gate_info(gate: Gate) -> facts.GateInfo:
    return facts.GateInfo(
        id=gate.pk,
        code=gate.code,
        zone_id=gate.zone_id,
        enterprise_id=gate.enterprise_id,
        enterprise_code="",
        directions=gate.directions,
        token_hash=gate.token_hash,
        is_active=True,
        zone_is_active=True,
    )


def do_decide_event(
    gate: Gate | facts.GateInfo,
    *,
    credential: str,
    direction: str,
    ts: Any,
    source: str = EventSource.HTTP,
    token_hash: str | None = None,
    enterprise_code: str | None = None,
) -> Outcome:
    """Decide one passage at ``gate`` and record it; exact under concurrency.

    The zone's row is locked (``SELECT … FOR UPDATE``) before anything is read that the decision depends
    on (duplicate, presence, headcount), so two web processes deciding for the same zone take turns:
    the last place goes to one of them, and a repeated event finds the first one's row.

    With ``token_hash`` (a controller's request) the gate's stored hash is checked again in the locking
    statement (:class:`InvalidGateToken` when it no longer matches, or the gate or zone is inactive), and
    ``enterprise_code`` (MQTT) must be the gate's enterprise's code. The holder's facts come from the
    per-process cache (``gates.facts``) and are reloaded when their pass's ``facts_version`` changed.
    On PostgreSQL a decision is three statements: the lock, one read, one write.
    """
    credential = (credential or "").strip()
    if not credential or len(credential) > 64:
        raise ValidationFailed(_("凭证不能为空且不超过64个字符"), field="credential")
    if direction not in {Direction.IN, Direction.OUT}:
        raise ValidationFailed(_("方向应为 in 或 out"), field="direction")
    info = gate if isinstance(gate, facts.GateInfo) else _gate_info(gate)
    _check_direction(info, direction)
    at = parse_ts(ts)
    holder = facts.pass_info(info.enterprise_id, credential)
    for _attempt in range(3):
        try:
            return _decide_locked(
                info, credential, direction, ts, at, source, holder, token_hash, enterprise_code
            )
        except _GateMoved as moved:
            info = moved.args[0]
            holder = facts.pass_info(info.enterprise_id, credential)
    raise InvalidGateToken()


def _check_direction(info: facts.GateInfo, direction: str) -> None:
    if info.directions != GateDirections.BOTH and info.directions != direction:
        raise ValidationFailed(_("该门不支持此通行方向"), field="direction")


_T_ZONE = Zone._meta.db_table
_T_GATE = Gate._meta.db_table
_T_EVENT = AccessEvent._meta.db_table
_T_PRESENCE = Presence._meta.db_table
_T_PASS = AccessPass._meta.db_table
_T_ENTRY = RollCallEntry._meta.db_table
_T_ROLL_CALL = RollCall._meta.db_table
_T_ENTERPRISE = "enterprises_enterprise"

# The lock; the gate's and the enterprise's rows ride along (read in the same snapshot, no extra trip).
_LOCK_SQL = (
    "SELECT z.enterprise_id, z.code, z.quota, z.required_trainings, z.required_certificates, z.opens_at,"
    " z.closes_at, z.is_active, z.headcount, g.zone_id, g.token_hash, g.is_active, g.directions, e.uscc"
    f" FROM {_T_ZONE} z, {_T_GATE} g, {_T_ENTERPRISE} e"
    " WHERE z.id = %s AND g.id = %s AND e.id = z.enterprise_id"
)
# After the lock, in a new statement (READ COMMITTED: a snapshot that sees the previous holder's commit).
_READ_SQL = (
    f"SELECT (SELECT id FROM {_T_EVENT} WHERE credential = %s AND gate_id = %s AND ts = %s),"
    f" (SELECT id FROM {_T_PRESENCE} WHERE person_id = %s AND zone_id = %s),"
    f" (SELECT facts_version FROM {_T_PASS} WHERE id = %s)"
)
_EVENT_COLUMNS = (
    "gate_id, zone_id, enterprise_id, credential, person_id, category, direction, ts, at, allow, reason,"
    " source, override_reason, received_at"
)
_INSERT_EVENT = (
    f"INSERT INTO {_T_EVENT} ({_EVENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s)"
    " RETURNING id"
)
_ENTER_SQL = (
    f"WITH ev AS ({_INSERT_EVENT}),"
    f" pr AS (INSERT INTO {_T_PRESENCE} (zone_id, enterprise_id, person_id, access_pass_id, category,"
    " credential, since, entry_id) SELECT %s, %s, %s, %s, %s, %s, %s, ev.id FROM ev),"
    f" hc AS (UPDATE {_T_ZONE} SET headcount = headcount + 1 WHERE id = %s)"
    " SELECT id FROM ev"
)
_LEAVE_SQL = (
    f"WITH ev AS ({_INSERT_EVENT}),"
    f" pr AS (DELETE FROM {_T_PRESENCE} WHERE id = %s),"
    f" hc AS (UPDATE {_T_ZONE} SET headcount = headcount - 1 WHERE id = %s AND headcount > 0),"
    f" rc AS (UPDATE {_T_ENTRY} SET status = %s, accounted_at = %s WHERE person_id = %s AND zone_id = %s"
    f" AND status = %s AND roll_call_id IN (SELECT id FROM {_T_ROLL_CALL} WHERE status = %s)"
    " RETURNING roll_call_id)"
    " SELECT (SELECT id FROM ev), ARRAY(SELECT DISTINCT roll_call_id FROM rc)"
)


def _decision_cursor() -> Any:
    """A cursor for the decision's statements, wrapped like Django's own (logged, counted). On PostgreSQL with
    server-side binding, each statement prepared on its first use on a connection: the same few statements
    run hundreds of times a second, and parsing and planning them each time was a large part of the
    database's CPU per decision. (Behind PgBouncer this needs session pooling, or transaction pooling with
    ``max_prepared_statements``, PgBouncer ≥ 1.21.)"""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    return connection._prepare_cursor(_prepared_cursor_class()(connection.connection))  # type: ignore[attr-defined]


@functools.cache
def _prepared_cursor_class() -> type:
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, *, prepare: Any = None, binary: Any = None) -> Any:
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or ())


def _time(value: Any) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(str(value))


def _decide_locked(
    info: facts.GateInfo,
    credential: str,
    direction: str,
    ts: int,
    at: dt.datetime,
    source: str,
    holder: facts.PassInfo | None,
    token_hash: str | None,
    enterprise_code: str | None,
) -> Outcome:
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), _decision_cursor() as cursor:
        cursor.execute(_LOCK_SQL + (" FOR UPDATE OF z" if postgres else ""), [info.zone_id, info.id])
        row = cursor.fetchone()
        if row is None:
            facts.forget_gate(info.code)
            raise InvalidGateToken()
        (enterprise_id, zone_code, quota, trainings, certificates, opens_at, closes_at, zone_active,
         headcount, gate_zone_id, stored_hash, gate_active, directions, uscc) = row  # fmt: skip
        fresh = facts.GateInfo(
            info.id, info.code, gate_zone_id, enterprise_id, uscc, directions, stored_hash,
            bool(gate_active), bool(zone_active),
        )  # fmt: skip
        if fresh != info and token_hash is not None:
            facts.remember_gate(fresh)
        if gate_zone_id != info.zone_id:
            raise _GateMoved(fresh)
        if token_hash is not None and not (
            gate_active and zone_active and stored_hash and secrets.compare_digest(stored_hash, token_hash)
        ):
            raise InvalidGateToken()
        if enterprise_code is not None and uscc != enterprise_code:
            raise InvalidGateToken()
        if directions != info.directions:
            _check_direction(fresh, direction)
        while True:
            cursor.execute(
                _READ_SQL,
                [
                    credential,
                    info.id,
                    ts,
                    holder.person_id if holder else None,
                    info.zone_id,
                    holder.pass_id if holder else None,
                ],
            )
            duplicate, presence_id, version = cursor.fetchone()
            if duplicate is not None:
                return Outcome(AccessEvent.objects.get(pk=duplicate), created=False)
            if holder is None or version == holder.version:
                break
            # The holder's facts changed since they were kept: read them again (under the lock; rare).
            holder = facts.load_pass(enterprise_id, credential)
        opens, closes = _time(opens_at), _time(closes_at)
        zone = rules.ZoneRule(
            code=zone_code,
            quota=quota,
            requires=frozenset(_json_list(trainings)),
            requires_certificates=frozenset(_json_list(certificates)),
            hours=(opens, closes) if opens is not None and closes is not None else None,
        )
        decision = rules.decide(
            person=holder.facts(credential, info.zone_id, zone_code) if holder is not None else None,
            zone=zone,
            direction=rules.Direction(direction),
            at=at,
            inside=presence_id is not None,
            headcount=headcount,
        )
        event = AccessEvent(
            gate_id=info.id,
            zone_id=info.zone_id,
            enterprise_id=enterprise_id,
            credential=credential,
            person_id=holder.person_id if holder is not None else None,
            category=holder.category if holder is not None else "",
            direction=direction,
            ts=ts,
            at=at,
            allow=decision.allow,
            reason=decision.reason.value if decision.reason else "",
            source=source,
            received_at=timezone.now(),
        )
        entering = decision.allow and direction == Direction.IN and holder is not None
        leaving = direction == Direction.OUT and presence_id is not None
        if postgres:
            _write_postgres(cursor, event, holder, presence_id, entering=entering, leaving=leaving)
        else:
            _write_orm(event, holder, presence_id, entering=entering, leaving=leaving)
        if entering or leaving:
            _changed(enterprise_id)
    return Outcome(event, created=True)


def _event_params(event: AccessEvent) -> list[Any]:
    return [
        event.gate_id,
        event.zone_id,
        event.enterprise_id,
        event.credential,
        event.person_id,
        event.category,
        event.direction,
        event.ts,
        event.at,
        event.allow,
        event.reason,
        event.source,
        event.received_at,
    ]


def _write_postgres(
    cursor: Any,
    event: AccessEvent,
    holder: facts.PassInfo | None,
    presence_id: int | None,
    *,
    entering: bool,
    leaving: bool,
) -> None:
    """The event, the presence and the counter (and a roll call's exit) in one statement."""
    if entering:
        assert holder is not None
        cursor.execute(
            _ENTER_SQL,
            [
                *_event_params(event),
                event.zone_id,
                event.enterprise_id,
                holder.person_id,
                holder.pass_id,
                holder.category,
                event.credential,
                event.at,
                event.zone_id,
            ],
        )
        event.pk = cursor.fetchone()[0]
    elif leaving:
        cursor.execute(
            _LEAVE_SQL,
            [
                *_event_params(event),
                presence_id,
                event.zone_id,
                RollCallEntryStatus.EXITED,
                event.at,
                event.person_id,
                event.zone_id,
                RollCallEntryStatus.MISSING,
                RollCallStatus.OPEN,
            ],
        )
        event.pk, roll_call_ids = cursor.fetchone()
        if roll_call_ids:
            for roll_call in RollCall.objects.filter(pk__in=roll_call_ids):
                _close_if_complete(roll_call, acting_user=None)
    else:
        cursor.execute(_INSERT_EVENT, _event_params(event))
        event.pk = cursor.fetchone()[0]
    event._state.adding = False


def _write_orm(
    event: AccessEvent,
    holder: facts.PassInfo | None,
    presence_id: int | None,
    *,
    entering: bool,
    leaving: bool,
) -> None:
    """The same writes through the ORM (SQLite: no data-modifying WITH; one writer at a time anyway)."""
    event.save(force_insert=True)
    if entering:
        assert holder is not None
        Presence.objects.create(
            zone_id=event.zone_id,
            enterprise_id=event.enterprise_id,
            person_id=holder.person_id,
            access_pass_id=holder.pass_id,
            category=holder.category,
            credential=event.credential,
            since=event.at,
            entry=event,
        )
        Zone.objects.filter(pk=event.zone_id).update(headcount=F("headcount") + 1)
    elif leaving:
        assert presence_id is not None and event.person_id is not None
        Presence.objects.filter(pk=presence_id).delete()
        Zone.objects.filter(pk=event.zone_id, headcount__gt=0).update(headcount=F("headcount") - 1)
        _exit_roll_calls(event)


def _enter(zone: Zone, access_pass: AccessPass, credential: str, event: AccessEvent) -> None:
    Presence.objects.create(
        zone=zone,
        enterprise_id=zone.enterprise_id,
        person=access_pass.person,
        access_pass=access_pass,
        category=access_pass.category,
        credential=credential,
        since=event.at,
        entry=event,
    )
    Zone.objects.filter(pk=zone.pk).update(headcount=F("headcount") + 1)
    _changed(zone.enterprise_id)


def _exit_roll_calls(event: AccessEvent) -> None:
    """A roll call in progress learns of the exit at once: the ``exit`` edge of ``ROLL_CALL_ENTRY_FLOW``
    (missing → exited), taken in bulk on exactly the edge's source state; the access event is its record."""
    entries = RollCallEntry.objects.filter(
        roll_call__status=RollCallStatus.OPEN,
        person_id=event.person_id or 0,
        zone_id=event.zone_id,
        status=RollCallEntryStatus.MISSING,
    )
    roll_call_ids = list(entries.values_list("roll_call_id", flat=True))
    if roll_call_ids:
        entries.update(status=RollCallEntryStatus.EXITED, accounted_at=event.at)
        for roll_call in RollCall.objects.filter(pk__in=roll_call_ids):
            _close_if_complete(roll_call, acting_user=None)


# ---------------------------------------------------------------------------------------------
# Override (人工放行)
# ---------------------------------------------------------------------------------------------


def do_override_event(event: AccessEvent, *, acting_user: Any, reason: str) -> AccessEvent:
    """Let a refused person in by hand, with a reason; the presence and headcount follow, one audit row.

    Quota is not checked: the operator decides (the zone then shows 超员 and raises an alarm). A person
    already inside, an unknown credential or an exit cannot be overridden.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("人工放行必须填写理由"), field="reason")
    with transaction.atomic():
        zone = Zone.objects.select_for_update().get(pk=event.zone_id)
        event = AccessEvent.objects.select_for_update().get(pk=event.pk)
        if event.allow or event.overridden_at is not None:
            raise TransitionNotAllowed(_("该记录已放行，无需人工放行"))
        if event.direction != Direction.IN:
            raise TransitionNotAllowed(_("离开不需要人工放行"))
        if event.person_id is None:
            raise TransitionNotAllowed(_("未登记的凭证不能人工放行，请先登记"))
        if Presence.objects.filter(person_id=event.person_id, zone=zone).exists():
            raise TransitionNotAllowed(_("该人员已在区域内"))
        access_pass = AccessPass.objects.select_related("person").get(
            enterprise_id=event.enterprise_id, person_id=event.person_id
        )
        before = snapshot(event)
        event.overridden_by = acting_user
        event.overridden_at = timezone.now()
        event.override_reason = reason
        event.save(update_fields=["overridden_by", "overridden_at", "override_reason"])
        _enter(zone, access_pass, event.credential, event)
        record(
            GateEvent.DENIAL_OVERRIDDEN,
            event,
            acting_user=acting_user,
            before=before,
            after=snapshot(event),
            reason=reason,
            message=f"{event.gate.code} 人工放行（原因：{event.get_reason_display()}）",
        )
    return event


def do_clear_presence(presence: Presence, *, acting_user: Any, reason: str) -> None:
    """Remove a presence by hand (someone left without swiping: found at the muster point, gate out of order)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写理由"), field="reason")
    with transaction.atomic():
        zone = Zone.objects.select_for_update().get(pk=presence.zone_id)
        deleted, _rows = Presence.objects.filter(pk=presence.pk).delete()
        if deleted:
            Zone.objects.filter(pk=zone.pk, headcount__gt=0).update(headcount=F("headcount") - 1)
            record(
                GateEvent.PRESENCE_CLEARED,
                zone,
                acting_user=acting_user,
                reason=reason,
                message=f"清除在场记录：{presence.person}",
            )
            _changed(zone.enterprise_id)


# ---------------------------------------------------------------------------------------------
# Controller tokens
# ---------------------------------------------------------------------------------------------


def do_issue_gate_token(gate: Gate, *, acting_user: Any) -> str:
    """Issue a new controller token for ``gate`` (the old one stops working); returned once."""
    with transaction.atomic():
        gate = Gate.objects.select_for_update().get(pk=gate.pk)
        token = gate.issue_token()
        gate.save(update_fields=["token_hash", "token_hint", "updated_at"])
        record(
            GateEvent.GATE_TOKEN_ISSUED, gate, acting_user=acting_user, message=f"令牌尾号 {gate.token_hint}"
        )
    return token


# ---------------------------------------------------------------------------------------------
# Emergency roll call (应急点名)
# ---------------------------------------------------------------------------------------------


def do_start_roll_call(enterprise: Any, *, zone: Zone | None, acting_user: Any, reason: str) -> RollCall:
    """Start a roll call of ``zone`` (or of the whole enterprise): everyone inside now is to be accounted for.

    The zones are locked first so nobody enters or leaves between the snapshot and the list.
    """
    reason = (reason or "").strip() or _("应急点名")
    with transaction.atomic():
        zones = Zone.objects.select_for_update().filter(enterprise=enterprise).order_by("pk")
        if zone is not None:
            zones = zones.filter(pk=zone.pk)
        zone_ids = [z.pk for z in zones]
        now = timezone.now()
        roll_call = RollCall.objects.create(
            enterprise=enterprise, zone=zone, reason=reason[:200], started_at=now, started_by=acting_user
        )
        presences = Presence.objects.filter(zone_id__in=zone_ids).select_related("person")
        RollCallEntry.objects.bulk_create(
            [
                RollCallEntry(
                    roll_call=roll_call,
                    person=p.person,
                    zone_id=p.zone_id,
                    name=p.person.name,
                    phone=p.person.phone,
                    category=p.category,
                    since=p.since,
                )
                for p in presences
            ]
        )
        record(
            GateEvent.ROLL_CALL_STARTED,
            roll_call,
            acting_user=acting_user,
            after=snapshot(roll_call),
            reason=reason,
            message=f"在场 {len(presences)} 人",
        )
        if not presences:
            _close_if_complete(roll_call, acting_user=acting_user)
    return roll_call


def do_check_at_muster(entry: RollCallEntry, *, acting_user: Any) -> RollCallEntry:
    """Mark a person as seen at the muster point (集合点确认, ``ROLL_CALL_ENTRY_FLOW``); the roll call closes
    when nobody is missing."""
    with transaction.atomic():
        roll_call = RollCall.objects.select_for_update().get(pk=entry.roll_call_id)
        entry = apply(
            ROLL_CALL_ENTRY_FLOW,
            entry,
            "muster",
            acting_user=acting_user,
            message=f"集合点确认：{entry.name}",
        )
        _close_if_complete(roll_call, acting_user=acting_user)
    return entry


def _close_if_complete(roll_call: RollCall, *, acting_user: Any) -> None:
    """Close the roll call (``ROLL_CALL_FLOW``) once nobody is missing; nothing while someone is."""
    roll_call.refresh_from_db(fields=["status"])
    if roll_call.status != RollCallStatus.OPEN or nobody_missing(roll_call, acting_user) is not None:
        return
    apply(ROLL_CALL_FLOW, roll_call, "close", acting_user=acting_user, message=_("全部人员已确认，点名结束"))


def do_close_roll_call(roll_call: RollCall, *, acting_user: Any, reason: str) -> RollCall:
    """Close a roll call by hand: only when nobody is missing (otherwise the list stays open)."""
    result: RollCall = apply(ROLL_CALL_FLOW, roll_call, "close", acting_user=acting_user, reason=reason)
    roll_call.status = result.status
    return result


def roll_call_timeline(roll_call: RollCall) -> list[tuple[dt.datetime, str]]:
    """Start, every accounted person (exit or muster point) and the end, in time order."""
    items: list[tuple[dt.datetime, str]] = [(roll_call.started_at, f"启动点名：{roll_call.reason}")]
    for entry in roll_call.entries.exclude(accounted_at=None).order_by("accounted_at", "id"):
        assert entry.accounted_at is not None
        items.append((entry.accounted_at, f"{entry.name}：{entry.get_status_display()}"))
    if roll_call.closed_at:
        items.append((roll_call.closed_at, "全部人员已确认，点名结束"))
    return items


# ---------------------------------------------------------------------------------------------
# Visitors and contractors
# ---------------------------------------------------------------------------------------------

#: The 入厂安全教育 quiz: (question, options, index of the right answer). Pass mark: all right.
INDUCTION_QUIZ: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("进入生产区域前必须做什么？", ("直接进入", "刷卡/刷脸并经二道门核验", "跟随前面的人进入"), 1),
    ("生产区域内可以吸烟或使用明火吗？", ("可以在无人处吸烟", "严禁，动火须办理作业票", "经同事同意即可"), 1),
    ("听到应急警报后应当？", ("继续工作", "按疏散路线到集合点并报到", "回车上等待"), 1),
    ("进入区域时手机等非防爆电子设备应？", ("按企业规定关闭或存放", "正常使用", "开启闪光灯照明"), 0),
    ("发现泄漏或异常气味时应？", ("自行处置", "立即报告接待人并撤离到上风向", "拍照发朋友圈"), 1),
)


def check_registration_quiz(registration: Registration, answers: list[int]) -> Registration:
    """Grade the quiz (taken by the visitor through the registration's secret link: the system acts). All
    right → the induction is passed and the registration waits for the host's approval
    (``REGISTRATION_FLOW``); otherwise the score is kept (audited) and the visitor may try again."""
    check(REGISTRATION_FLOW, registration, "pass_induction", acting_user=None, data={"score": 100})
    if len(answers) != len(INDUCTION_QUIZ):
        raise ValidationFailed(_("请回答全部题目"), field="answers")
    right = sum(1 for (_q, _o, r), given in zip(INDUCTION_QUIZ, answers, strict=True) if given == r)
    score = round(100 * right / len(INDUCTION_QUIZ))
    if right == len(INDUCTION_QUIZ):
        passed: Registration = apply(
            REGISTRATION_FLOW, registration, "pass_induction", acting_user=None, data={"score": score}
        )
        return passed
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        before = snapshot(registration)
        registration.quiz_score = score
        registration.save(update_fields=["quiz_score", "updated_at"])
        record(
            GateEvent.INDUCTION_FAILED,
            registration,
            acting_user=None,
            before=before,
            after=snapshot(registration),
            message=f"测验得分 {score}",
        )
    return registration


def do_submit_registration(
    registration: Registration, zones: list[Zone], *, acting_user: Any
) -> Registration:
    """Save a new registration (by the host, or by the visitor from the gate's QR code)."""
    registration.full_clean()
    with transaction.atomic():
        registration.save()
        registration.zones.set([z for z in zones if z.enterprise_id == registration.enterprise_id])
        record(
            GateEvent.REGISTRATION_SUBMITTED,
            registration,
            acting_user=acting_user,
            after=snapshot(registration),
        )
    return registration


def do_approve_registration(registration: Registration, *, acting_user: Any, note: str = "") -> Registration:
    """Approve: the person (kept by the host), a pass for the period and zones, and a credential are created."""
    from anjian.people.choices import RoleCategory
    from anjian.people.models import Person

    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        check(REGISTRATION_FLOW, registration, "approve", acting_user=acting_user, reason=note)
        person = Person.objects.filter(id_type=registration.id_type, id_number=registration.id_number).first()
        if person is None:
            job = "访客" if registration.category == Category.VISITOR else f"承包商·{registration.company}"
            person = Person(
                name=registration.name,
                id_type=registration.id_type,
                id_number=registration.id_number,
                phone=registration.phone,
                employer_enterprise_id=registration.enterprise_id,
                job=job[:100],
                role_category=RoleCategory.OTHER_WORKER,
            )
            person.save()
        access_pass, _created = AccessPass.objects.get_or_create(
            enterprise_id=registration.enterprise_id,
            person=person,
            defaults={"category": registration.category},
        )
        if access_pass.category != Category.EMPLOYEE:
            access_pass.category = registration.category
            access_pass.valid_from = registration.valid_from
            access_pass.valid_until = registration.valid_until
        access_pass.induction_passed_at = registration.induction_passed_at
        access_pass.is_active = True
        access_pass.save()
        access_pass.zones.add(*registration.zones.all())
        code = f"V{secrets.randbelow(10**10):010d}"
        Credential.objects.create(code=code, kind=Credential.Kind.CARD, access_pass=access_pass)
        registration = apply(
            REGISTRATION_FLOW,
            registration,
            "approve",
            acting_user=acting_user,
            reason=note,
            data={"access_pass": access_pass, "credential_code": code},
            message=f"发放凭证 {code}",
        )
    return registration


def do_reject_registration(registration: Registration, *, acting_user: Any, note: str) -> Registration:
    """Reject with a note."""
    result: Registration = apply(
        REGISTRATION_FLOW, registration, "reject", acting_user=acting_user, reason=note, data={"note": note}
    )
    return result
