"""``Certificate.superseded``: the stored flag behind ``current()`` follows saves, deletes and bulk refreshes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anjian.people.actions import refresh_superseded
from anjian.people.choices import CertificateKind, RoleCategory
from anjian.people.models import Certificate

pytestmark = pytest.mark.django_db


def test_a_renewal_supersedes_the_old_certificate_and_deleting_it_restores_it(
    enterprise_factory: Any, person_factory: Any, certificate_factory: Any
) -> None:
    # given a principal's certificate
    person = person_factory(enterprise_factory(), role=RoleCategory.PRINCIPAL)
    old = certificate_factory(person, issued_on=dt.date(2020, 1, 1), expires_on=dt.date(2023, 1, 1))
    assert list(Certificate.objects.current()) == [old]
    # when it is renewed
    new = certificate_factory(person, issued_on=dt.date(2023, 1, 2), expires_on=dt.date(2026, 1, 1))
    # then only the renewal is current
    assert list(Certificate.objects.current()) == [new]
    old.refresh_from_db()
    assert old.superseded and not new.superseded
    # and removing the renewal (entered in error) makes the old one current again
    new.delete()
    old.refresh_from_db()
    assert not old.superseded


def test_a_bulk_write_is_repaired_by_refresh_superseded(enterprise_factory: Any, person_factory: Any) -> None:
    # given two certificates of one kind written in bulk (no save(), so no flag)
    person = person_factory(enterprise_factory(), role=RoleCategory.SAFETY_MANAGER)
    rows = [
        Certificate(
            person=person,
            kind=CertificateKind.SAFETY_MANAGER,
            number=f"AQ{n}",
            issuer="阿拉善盟应急管理局",
            issued_on=dt.date(2017 + 3 * n, 1, 1),
            expires_on=dt.date(2020 + 3 * n, 1, 1),
        )
        for n in range(2)
    ]
    Certificate.objects.bulk_create(rows)
    assert Certificate.objects.current().count() == 2
    # when the holders are refreshed
    changed = refresh_superseded([person.pk])
    # then the older one is superseded, and a second refresh changes nothing
    assert changed == 1
    assert list(Certificate.objects.current().values_list("number", flat=True)) == ["AQ1"]
    assert refresh_superseded(None) == 0


def test_the_bulk_import_writer_marks_superseded_and_drops_cached_metrics(
    enterprise_factory: Any, person_factory: Any, certificate_factory: Any
) -> None:
    """The Excel import's bulk path (``do_bulk_create_certificates``) does what ``Certificate.save`` does: an
    imported renewal supersedes the holder's older certificate, and cached metrics and to-dos are dropped
    (a bulk insert sends no ``post_save``; ``core.actions.bulk_saved`` does)."""
    from anjian.core import metrics
    from anjian.people.actions import do_bulk_create_certificates

    person = person_factory(enterprise_factory(), role=RoleCategory.SAFETY_MANAGER)
    old = certificate_factory(
        person,
        kind=CertificateKind.SAFETY_MANAGER,
        issued_on=dt.date(2017, 1, 1),
        expires_on=dt.date(2020, 1, 1),
    )
    before = metrics.generation()
    renewal = Certificate(
        person=person,
        kind=CertificateKind.SAFETY_MANAGER,
        number="AQ-NEW",
        issuer="阿拉善盟应急管理局",
        issued_on=dt.date(2020, 1, 2),
        expires_on=dt.date(2030, 1, 1),
    )
    do_bulk_create_certificates([renewal], acting_user=None)
    old.refresh_from_db()
    assert old.superseded
    assert list(Certificate.objects.current().filter(person=person)) == [renewal]
    assert metrics.generation() != before


def test_the_bulk_update_writer_moves_the_flag_between_holders_and_drops_cached_metrics(
    enterprise_factory: Any, person_factory: Any, certificate_factory: Any
) -> None:
    """The Excel import's bulk update (``do_bulk_update_certificates``) does what ``Certificate.save`` does on an
    edit: the flags of the holder before and after the edit are recomputed."""
    from anjian.core import metrics
    from anjian.core.audit import snapshot
    from anjian.people.actions import do_bulk_update_certificates

    plant = enterprise_factory()
    first = person_factory(plant, role=RoleCategory.SAFETY_MANAGER)
    second = person_factory(plant, role=RoleCategory.SAFETY_MANAGER)
    kind = {"kind": CertificateKind.SAFETY_MANAGER}
    old = certificate_factory(first, issued_on=dt.date(2017, 1, 1), expires_on=dt.date(2020, 1, 1), **kind)
    moved = certificate_factory(first, issued_on=dt.date(2020, 1, 2), expires_on=dt.date(2030, 1, 1), **kind)
    mine = certificate_factory(second, issued_on=dt.date(2016, 1, 1), expires_on=dt.date(2019, 1, 1), **kind)
    old.refresh_from_db()
    assert old.superseded and not mine.superseded
    before = metrics.generation()
    # when the newer certificate is re-assigned to the second person (a file that corrects the holder)
    snap = snapshot(moved)
    moved.person = second
    changed = do_bulk_update_certificates([(moved, snap)], acting_user=None)
    # then the first person's old certificate is current again and the second person's old one superseded
    assert changed == [moved]
    old.refresh_from_db()
    mine.refresh_from_db()
    assert not old.superseded and mine.superseded
    assert metrics.generation() != before
    # and a row whose snapshot did not change is neither written nor audited
    from anjian.core.models import AuditEntry

    audits = AuditEntry.objects.count()
    assert do_bulk_update_certificates([(moved, snapshot(moved))], acting_user=None) == []
    assert AuditEntry.objects.count() == audits
