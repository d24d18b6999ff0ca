"""The only code that changes people, certificates and training records (pages and CLI call these).

Every function validates through ``Model.full_clean()`` (the same rules as the API and Excel import),
runs in one transaction and writes exactly one audit row.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = [
    "do_create_certificate",
    "do_create_person",
    "do_delete_certificate",
    "do_delete_training",
    "do_record_training",
    "do_update_certificate",
    "do_update_person",
    "do_update_training",
]

M = TypeVar("M", bound=models.Model)


def _lock(obj: M) -> M:
    """Re-read ``obj`` with a row lock (the only lock helper of this app)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _create(model: type[M], event: AuditEvent, data: dict[str, Any], *, acting_user: Any, reason: str) -> M:
    obj = model(**data)
    obj.full_clean()
    obj.save()
    record(event, obj, acting_user=acting_user, after=snapshot(obj), reason=reason)
    return obj


def _update(obj: M, event: AuditEvent, changes: dict[str, Any], *, acting_user: Any, reason: str) -> M:
    locked = _lock(obj)
    before = snapshot(locked)
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.full_clean()
    after = snapshot(locked)
    if after == before:
        return locked
    locked.save()
    record(event, locked, acting_user=acting_user, before=before, after=snapshot(locked), reason=reason)
    return locked


def _delete(obj: M, event: AuditEvent, *, acting_user: Any, reason: str) -> None:
    locked = _lock(obj)
    record(event, locked, acting_user=acting_user, before=snapshot(locked), reason=reason, message="删除")
    locked.delete()


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_person(data: dict[str, Any], *, acting_user: Any, reason: str = "") -> Person:
    """Register a person (validated; one PERSON_CREATED audit row)."""
    return _create(Person, AuditEvent.PERSON_CREATED, data, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_update_person(
    person: Person, changes: dict[str, Any], *, acting_user: Any, reason: str = ""
) -> Person:
    """Change a person's fields (validated; one PERSON_UPDATED row, none when nothing changed)."""
    return _update(person, AuditEvent.PERSON_UPDATED, changes, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_certificate(data: dict[str, Any], *, acting_user: Any, reason: str = "") -> Certificate:
    """Register a certificate (one CERTIFICATE_CHANGED row)."""
    return _create(Certificate, AuditEvent.CERTIFICATE_CHANGED, data, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_update_certificate(
    cert: Certificate, changes: dict[str, Any], *, acting_user: Any, reason: str = ""
) -> Certificate:
    """Change a certificate, e.g. after renewal (one CERTIFICATE_CHANGED row)."""
    return _update(cert, AuditEvent.CERTIFICATE_CHANGED, changes, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_delete_certificate(cert: Certificate, *, acting_user: Any, reason: str = "") -> None:
    """Remove a certificate registered in error (one CERTIFICATE_CHANGED row with the old values)."""
    _delete(cert, AuditEvent.CERTIFICATE_CHANGED, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_record_training(data: dict[str, Any], *, acting_user: Any, reason: str = "") -> TrainingRecord:
    """Record a training a person attended (one TRAINING_RECORDED row)."""
    return _create(TrainingRecord, AuditEvent.TRAINING_RECORDED, data, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_update_training(
    training: TrainingRecord, changes: dict[str, Any], *, acting_user: Any, reason: str = ""
) -> TrainingRecord:
    """Correct a training record (one TRAINING_RECORDED row)."""
    return _update(training, AuditEvent.TRAINING_RECORDED, changes, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_delete_training(training: TrainingRecord, *, acting_user: Any, reason: str = "") -> None:
    """Remove a training record entered in error (one TRAINING_RECORDED row with the old values)."""
    _delete(training, AuditEvent.TRAINING_RECORDED, acting_user=acting_user, reason=reason)
