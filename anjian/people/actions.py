"""The only code that changes people, certificates and training records: the pages, the CLI, the API, the
Excel import and the admin all call these (the last three through ``WRITERS``, see ``core.actions``).

Every function is core's generic audited write with this register's audit event (``core.actions``, which is
atomic): it validates through ``Model.full_clean()``, locks the row it changes and writes exactly one audit
row (none when an edit changes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from anjian.core.actions import Writer, do_bulk_create, do_bulk_update, do_create, do_delete, do_update
from anjian.core.choices import AuditEvent
from anjian.people.models import Certificate, Person, TrainingRecord

__all__ = [
    "do_bulk_create_certificates",
    "do_bulk_create_people",
    "do_bulk_record_training",
    "do_bulk_update_certificates",
    "do_bulk_update_people",
    "do_bulk_update_training",
    "do_create_certificate",
    "do_create_person",
    "do_delete_certificate",
    "do_delete_training",
    "do_record_training",
    "do_update_certificate",
    "do_update_person",
    "do_update_training",
    "refresh_superseded",
]

M = TypeVar("M", bound=models.Model)
Event = AuditEvent | int

Data = Mapping[str, Any]


def _instance(model: type[M], data: Data | M) -> M:
    return data if isinstance(data, model) else model(**data)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


def do_create_person(
    data: Data | Person, *, acting_user: Any, reason: str = "", event: Event | None = None, **options: Any
) -> Person:
    """Register a person from its field values or an unsaved ``Person`` (validated; one PERSON_CREATED row)."""
    return do_create(
        _instance(Person, data),
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.PERSON_CREATED,
        **options,
    )


def do_update_person(
    person: Person,
    changes: Data | None = None,
    *,
    acting_user: Any,
    reason: str = "",
    event: Event | None = None,
    **options: Any,
) -> Person:
    """Change a person's fields (locked, validated; one PERSON_UPDATED row, none when nothing changed)."""
    return do_update(
        person,
        changes,
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.PERSON_UPDATED,
        **options,
    )


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------


def do_create_certificate(
    data: Data | Certificate,
    *,
    acting_user: Any,
    reason: str = "",
    event: Event | None = None,
    **options: Any,
) -> Certificate:
    """Register a certificate (one CERTIFICATE_CHANGED row)."""
    return do_create(
        _instance(Certificate, data),
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.CERTIFICATE_CHANGED,
        **options,
    )


def do_update_certificate(
    cert: Certificate,
    changes: Data | None = None,
    *,
    acting_user: Any,
    reason: str = "",
    event: Event | None = None,
    **options: Any,
) -> Certificate:
    """Change a certificate, e.g. after renewal (one CERTIFICATE_CHANGED row)."""
    return do_update(
        cert,
        changes,
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.CERTIFICATE_CHANGED,
        **options,
    )


def do_delete_certificate(
    cert: Certificate, *, acting_user: Any, reason: str = "", event: Event | None = None, message: str = ""
) -> None:
    """Remove a certificate registered in error (one CERTIFICATE_CHANGED row with the old values)."""
    do_delete(
        cert,
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.CERTIFICATE_CHANGED,
        message=message,
    )


def refresh_superseded(person_ids: Iterable[int] | None = None) -> int:
    """Recompute ``Certificate.superseded`` for these holders' certificates (all when ``None``); set-based.

    ``Certificate.save``/``delete`` call it for one holder; a bulk write (an import with ``bulk_create``, the demo
    generator) calls it with the holders it touched, and the nightly job ``people.refresh_superseded`` repairs
    whatever a raw write missed. Returns the number of certificates whose flag changed.
    """
    from anjian.people.models import superseded_q

    qs = Certificate.objects.all()
    if person_ids is not None:
        ids = sorted(set(person_ids))
        if not ids:
            return 0
        qs = qs.filter(person_id__in=ids)
    # Two updates that write only the rows whose flag changes (the nightly repair touches nothing in a
    # consistent register).
    marked = qs.filter(superseded=False).filter(superseded_q()).update(superseded=True)
    return marked + qs.filter(superseded=True).exclude(superseded_q()).update(superseded=False)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def do_record_training(
    data: Data | TrainingRecord,
    *,
    acting_user: Any,
    reason: str = "",
    event: Event | None = None,
    **options: Any,
) -> TrainingRecord:
    """Record a training a person attended (one TRAINING_RECORDED row)."""
    return do_create(
        _instance(TrainingRecord, data),
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.TRAINING_RECORDED,
        **options,
    )


def do_update_training(
    training: TrainingRecord,
    changes: Data | None = None,
    *,
    acting_user: Any,
    reason: str = "",
    event: Event | None = None,
    **options: Any,
) -> TrainingRecord:
    """Correct a training record (one TRAINING_RECORDED row)."""
    return do_update(
        training,
        changes,
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.TRAINING_RECORDED,
        **options,
    )


def do_delete_training(
    training: TrainingRecord,
    *,
    acting_user: Any,
    reason: str = "",
    event: Event | None = None,
    message: str = "",
) -> None:
    """Remove a training record entered in error (one TRAINING_RECORDED row with the old values)."""
    do_delete(
        training,
        acting_user=acting_user,
        reason=reason,
        event=event or AuditEvent.TRAINING_RECORDED,
        message=message,
    )


#: The register's writers: the API, the Excel import and the admin write people through these.
# ---------------------------------------------------------------------------------------------
# Many new rows at once (the Excel import)
# ---------------------------------------------------------------------------------------------


def do_bulk_create_people(
    people: list[Person], *, acting_user: Any, event: Event | None = None, message: Any = ""
) -> list[Person]:
    """Register many validated people in bulk: what ``Person.save`` adds (sex and birth date from the number),
    one INSERT per 500, one PERSON_CREATED (or ``event``) audit row each."""
    for person in people:
        person.derive_from_id()
    return do_bulk_create(
        people, acting_user=acting_user, event=event or AuditEvent.PERSON_CREATED, message=message
    )


def do_bulk_create_certificates(
    certs: list[Certificate], *, acting_user: Any, event: Event | None = None, message: Any = ""
) -> list[Certificate]:
    """Register many validated certificates in bulk (one CERTIFICATE_CHANGED or ``event`` row each); a new
    certificate may supersede a holder's older one of the same kind, which ``Certificate.save`` would have
    marked: the holders' flags are recomputed in one pass."""
    created = do_bulk_create(
        certs, acting_user=acting_user, event=event or AuditEvent.CERTIFICATE_CHANGED, message=message
    )
    refresh_superseded({c.person_id for c in created})
    return created


def do_bulk_record_training(
    records: list[TrainingRecord], *, acting_user: Any, event: Event | None = None, message: Any = ""
) -> list[TrainingRecord]:
    """Record many validated trainings in bulk (one TRAINING_RECORDED or ``event`` row each)."""
    return do_bulk_create(
        records, acting_user=acting_user, event=event or AuditEvent.TRAINING_RECORDED, message=message
    )


Changes = list[tuple[Any, dict[str, Any]]]


def do_bulk_update_people(
    items: Changes, *, acting_user: Any, event: Event | None = None, message: Any = ""
) -> list[Person]:
    """Save many validated people changed in memory, each with its snapshot before (``core.actions.do_bulk_update``):
    what ``Person.save`` adds (sex and birth date from the number) first; one PERSON_UPDATED (or ``event``) row
    per changed person."""
    for person, _before in items:
        person.derive_from_id()
    return do_bulk_update(
        items, acting_user=acting_user, event=event or AuditEvent.PERSON_UPDATED, message=message
    )


def do_bulk_update_certificates(
    items: Changes, *, acting_user: Any, event: Event | None = None, message: Any = ""
) -> list[Certificate]:
    """Save many validated certificates changed in memory (one CERTIFICATE_CHANGED or ``event`` row each), then
    recompute the ``superseded`` flags of their holders before and after, as ``Certificate.save`` does."""
    changed: list[Certificate] = do_bulk_update(
        items, acting_user=acting_user, event=event or AuditEvent.CERTIFICATE_CHANGED, message=message
    )
    holders: set[int] = {c.person_id for c in changed}
    holders.update(before["person"] for _cert, before in items if before.get("person") is not None)
    refresh_superseded(holders)
    return changed


def do_bulk_update_training(
    items: Changes, *, acting_user: Any, event: Event | None = None, message: Any = ""
) -> list[TrainingRecord]:
    """Save many validated training records changed in memory (one TRAINING_RECORDED or ``event`` row each)."""
    return do_bulk_update(
        items, acting_user=acting_user, event=event or AuditEvent.TRAINING_RECORDED, message=message
    )


WRITERS: dict[type[models.Model], Writer] = {
    Person: Writer(
        create=do_create_person,
        update=do_update_person,
        bulk_create=do_bulk_create_people,
        bulk_update=do_bulk_update_people,
    ),
    Certificate: Writer(
        create=do_create_certificate,
        update=do_update_certificate,
        delete=do_delete_certificate,
        bulk_create=do_bulk_create_certificates,
        bulk_update=do_bulk_update_certificates,
    ),
    TrainingRecord: Writer(
        create=do_record_training,
        update=do_update_training,
        delete=do_delete_training,
        bulk_create=do_bulk_record_training,
        bulk_update=do_bulk_update_training,
    ),
}
