"""State changes of the second gate: decide an event (under the zone's lock), override, roll call, visitors.

Only this module writes presences, counters, roll calls and registrations. Allowed swipes are not audited
one row each (they are the access log itself, ``AccessEvent``); overrides, roll calls, registrations and
configuration changes write one audit row each (see ``docs/gates.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import record, snapshot
from anjian.core.errors import TransitionNotAllowed, ValidationFailed
from anjian.core.workflow import apply, check
from anjian.domain import gate_rules as rules
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


def _credential_pass(gate: Gate, credential: str) -> AccessPass | None:
    """The active pass behind ``credential`` at ``gate``'s enterprise (a card of another plant is unknown here)."""
    cred = (
        Credential.objects.select_related("access_pass__person")
        .filter(
            code=credential,
            is_active=True,
            access_pass__is_active=True,
            access_pass__enterprise_id=gate.enterprise_id,
            access_pass__person__is_active=True,
        )
        .first()
    )
    return cred.access_pass if cred is not None else None


def parse_ts(ts: Any) -> dt.datetime:
    """``ts`` (epoch ms) as an aware datetime; ``ValidationFailed`` when malformed or in the future."""
    try:
        at = rules.epoch_ms_to_datetime(ts)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="ts") from exc
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationFailed(_("时间戳晚于当前时间（请校准控制器时钟）"), field="ts")
    return at


def do_decide_event(
    gate: Gate, *, credential: str, direction: str, ts: Any, source: str = EventSource.HTTP
) -> Outcome:
    """Decide one passage at ``gate`` and record it; exact under concurrency.

    The zone's row is locked (``SELECT … FOR UPDATE``) before anything is read that the decision depends
    on (duplicate, presence, headcount), so two web processes deciding for the same zone take turns:
    the last place goes to one of them, and a repeated event finds the first one's row.
    """
    credential = (credential or "").strip()
    if not credential or len(credential) > 64:
        raise ValidationFailed(_("凭证不能为空且不超过64个字符"), field="credential")
    if direction not in {Direction.IN, Direction.OUT}:
        raise ValidationFailed(_("方向应为 in 或 out"), field="direction")
    if gate.directions != GateDirections.BOTH and gate.directions != direction:
        raise ValidationFailed(_("该门不支持此通行方向"), field="direction")
    at = parse_ts(ts)
    access_pass = _credential_pass(gate, credential)
    facts = person_facts(access_pass, credential) if access_pass is not None and direction == "in" else None
    with transaction.atomic():
        zone = Zone.objects.select_for_update().get(pk=gate.zone_id)
        existing = AccessEvent.objects.filter(credential=credential, gate=gate, ts=ts).first()
        if existing is not None:
            return Outcome(existing, created=False)
        person = access_pass.person if access_pass is not None else None
        presence = Presence.objects.filter(person=person, zone=zone).first() if person is not None else None
        decision = rules.decide(
            person=facts,
            zone=zone_rule(zone),
            direction=rules.Direction(direction),
            at=at,
            inside=presence is not None,
            headcount=zone.headcount,
        )
        event = AccessEvent.objects.create(
            gate=gate,
            zone=zone,
            enterprise_id=zone.enterprise_id,
            credential=credential,
            person=person,
            category=access_pass.category if access_pass is not None else "",
            direction=direction,
            ts=ts,
            at=at,
            allow=decision.allow,
            reason=decision.reason.value if decision.reason else "",
            source=source,
        )
        if decision.allow and direction == Direction.IN and access_pass is not None:
            _enter(zone, access_pass, credential, event)
        elif direction == Direction.OUT and presence is not None:
            _leave(zone, presence, event)
    return Outcome(event, created=True)


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


def _leave(zone: Zone, presence: Presence, event: AccessEvent) -> None:
    person_id = presence.person_id
    presence.delete()
    Zone.objects.filter(pk=zone.pk, headcount__gt=0).update(headcount=F("headcount") - 1)
    # A roll call in progress learns of the exit at once: the ``exit`` edge of ``ROLL_CALL_ENTRY_FLOW``
    # (missing → exited), taken in bulk on exactly the edge's source state; the access event is its record.
    entries = RollCallEntry.objects.filter(
        roll_call__status=RollCallStatus.OPEN,
        person_id=person_id,
        zone=zone,
        status=RollCallEntryStatus.MISSING,
    )
    roll_call_ids = list(entries.values_list("roll_call_id", flat=True))
    if roll_call_ids:
        entries.update(status=RollCallEntryStatus.EXITED, accounted_at=event.at)
        for roll_call in RollCall.objects.filter(pk__in=roll_call_ids):
            _close_if_complete(roll_call, acting_user=None)
    _changed(zone.enterprise_id)


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
