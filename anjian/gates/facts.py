"""What a gate decision reads, kept in this process: gates by code, credentials' facts by (enterprise, code).

A decision needs the gate (zone, directions, token hash) and the facts of the credential's holder (pass,
trainings, certificates, zones). Read from the database they cost five queries and most of a decision's CPU
time, yet they change rarely. Both are kept here and checked under the zone lock in the decision's own
queries (``gates.actions.do_decide_event``), never trusted blindly:

* a gate's row is read again (token hash, active flag, zone, directions) in the same statement that locks
  its zone, so a reissued token or a deactivated gate is refused by the next event after the change commits;
* a credential's facts carry their pass's ``facts_version``, which database triggers replace whenever the
  pass, its zones, its credentials, or its person's trainings, certificates or 在职 flag change (migration
  ``0002``, any writer, any process); the decision reads the version after taking the zone lock and reloads
  the facts when it differs.

So several web processes each keep their own copy and none can act on a stale one. Unknown credentials are
not kept (a flood of random card numbers must not fill the memory).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from anjian.domain import gate_rules as rules

__all__ = [
    "GateInfo",
    "PassInfo",
    "clear",
    "gate_for_token",
    "hash_token",
    "load_gate",
    "load_pass",
    "pass_info",
]

K = TypeVar("K")
V = TypeVar("V")

#: Credentials kept per process (least recently used dropped beyond): ~1 KB each.
MAX_PASSES = 50_000
MAX_GATES = 5_000


class _Lru(Generic[K, V]):
    """A small thread-safe LRU map (the web server may serve requests on several threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def drop(self, key: K) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass(frozen=True, slots=True)
class GateInfo:
    """A gate as the decision needs it (``token_hash`` is the stored SHA-256, never the token)."""

    id: int
    code: str
    zone_id: int
    enterprise_id: int
    enterprise_code: str
    directions: str
    token_hash: str
    is_active: bool
    zone_is_active: bool


@dataclass(frozen=True, slots=True)
class PassInfo:
    """The facts of a credential's holder at one ``version`` of their pass."""

    pass_id: int
    person_id: int
    category: str
    version: str
    trainings: frozenset[str]
    certificates: tuple[rules.CertificateFact, ...]
    zone_ids: frozenset[int]
    blacklisted: bool
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None

    def facts(self, credential: str, zone_id: int, zone_code: str) -> rules.PersonFacts:
        """The rules' view of this holder at one zone (only that zone's membership matters)."""
        return rules.PersonFacts(
            credential=credential,
            trainings=self.trainings,
            certificates=self.certificates,
            zones=frozenset((zone_code,)) if zone_id in self.zone_ids else frozenset(),
            blacklisted=self.blacklisted,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


_GATES: _Lru[str, GateInfo] = _Lru(MAX_GATES)
_PASSES: _Lru[tuple[int, str], PassInfo] = _Lru(MAX_PASSES)


def clear() -> None:
    """Forget everything kept (tests; never needed for correctness)."""
    _GATES.clear()
    _PASSES.clear()


def hash_token(token: str) -> str:
    """The SHA-256 a gate keeps of its controller token."""
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Gates
# ---------------------------------------------------------------------------------------------


def load_gate(code: str) -> GateInfo | None:
    """Read gate ``code`` from the database (and keep it); ``None`` when there is none."""
    from anjian.gates.models import Gate

    row = (
        Gate.objects.filter(code=code)
        .values_list(
            "id",
            "zone_id",
            "zone__enterprise_id",
            "zone__enterprise__uscc",
            "directions",
            "token_hash",
            "is_active",
            "zone__is_active",
        )
        .first()
    )
    if row is None:
        _GATES.drop(code)
        return None
    info = GateInfo(row[0], code, row[1], row[2], row[3], row[4], row[5], row[6], row[7])
    _GATES.put(code, info)
    return info


def remember_gate(info: GateInfo) -> None:
    """Keep ``info`` (read again under the zone lock)."""
    _GATES.put(info.code, info)


def forget_gate(code: str) -> None:
    _GATES.drop(code)


def gate_for_token(code: str, token: str) -> tuple[GateInfo, str] | None:
    """The active gate ``code`` and the presented token's hash if ``token`` is its controller's token.

    A kept gate whose hash does not match is read again (the token may just have been reissued); the
    decision checks the stored hash once more under the zone lock, so a revoked token is never accepted
    after its revocation commits.
    """
    if not token or not code:
        return None
    presented = hash_token(token)
    info = _GATES.get(code)
    if info is None or not _usable(info, presented):
        info = load_gate(code)
    if info is None or not _usable(info, presented):
        return None
    return info, presented


def _usable(info: GateInfo, presented: str) -> bool:
    return (
        info.is_active
        and info.zone_is_active
        and bool(info.token_hash)
        and secrets.compare_digest(info.token_hash, presented)
    )


# ---------------------------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------------------------


def load_pass(enterprise_id: int, credential: str) -> PassInfo | None:
    """Read the facts behind ``credential`` at ``enterprise_id`` (and keep them); ``None`` when unknown.

    The pass (with its version) is read first, then trainings, certificates and zones: a change committed
    in between makes the kept facts newer than their version, never older, so the next check reloads them.
    安全教育 (``safety``) is met by a 三级安全教育 record or by the registration's 入厂安全教育 quiz; a
    special-operations certificate also counts as ``special_operation:<category>``.
    """
    from anjian.gates.models import AccessPass, Credential
    from anjian.people.choices import CertificateKind, TrainingKind, TrainingResult
    from anjian.people.models import Certificate, TrainingRecord

    key = (enterprise_id, credential)
    row = (
        Credential.objects.filter(
            code=credential,
            is_active=True,
            access_pass__is_active=True,
            access_pass__enterprise_id=enterprise_id,
            access_pass__person__is_active=True,
        )
        .values_list(
            "access_pass_id",
            "access_pass__person_id",
            "access_pass__category",
            "access_pass__facts_version",
            "access_pass__valid_from",
            "access_pass__valid_until",
            "access_pass__induction_passed_at",
            "access_pass__blacklisted",
        )
        .first()
    )
    if row is None:
        _PASSES.drop(key)
        return None
    pass_id, person_id, category, version, valid_from, valid_until, induction, blacklisted = row
    kinds = set(
        TrainingRecord.objects.filter(person_id=person_id)
        .exclude(result=TrainingResult.FAILED)
        .values_list("kind", flat=True)
        .distinct()
    )
    trainings = {k for k in kinds if k != TrainingKind.THREE_LEVEL}
    if TrainingKind.THREE_LEVEL in kinds or induction is not None:
        trainings.add("safety")
    certificates: list[rules.CertificateFact] = []
    for kind, cert_category, issued, expires in Certificate.objects.filter(person_id=person_id).values_list(
        "kind", "category", "issued_on", "expires_on"
    ):
        certificates.append(rules.CertificateFact(kind, expires, issued))
        if kind == CertificateKind.SPECIAL_OPERATION and cert_category:
            certificates.append(rules.CertificateFact(f"{kind}:{cert_category}", expires, issued))
    zone_ids = AccessPass.zones.through.objects.filter(accesspass_id=pass_id).values_list(
        "zone_id", flat=True
    )
    info = PassInfo(
        pass_id=pass_id,
        person_id=person_id,
        category=category,
        version=version,
        trainings=frozenset(trainings),
        certificates=tuple(certificates),
        zone_ids=frozenset(zone_ids),
        blacklisted=bool(blacklisted),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _PASSES.put(key, info)
    return info


def pass_info(enterprise_id: int, credential: str) -> PassInfo | None:
    """The kept facts of ``credential`` at ``enterprise_id`` (read when not kept); check ``version``."""
    info = _PASSES.get((enterprise_id, credential))
    if info is not None:
        return info
    return load_pass(enterprise_id, credential)
