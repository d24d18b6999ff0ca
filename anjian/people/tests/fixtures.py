"""Fixtures for the people app (factories returning callables, Saleor ``*_generator``)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from anjian.domain.check_digits import resident_id_check_char
from anjian.orgs.models import OrgUnit
from anjian.people.choices import CertificateKind, RoleCategory, SpecialOperationCategory, TrainingKind
from anjian.people.models import Certificate, Person, TrainingRecord

_seq = itertools.count(1)

#: Certificate kind a factory gives each role by default.
DEFAULT_KIND = {
    RoleCategory.PRINCIPAL: CertificateKind.PRINCIPAL,
    RoleCategory.SAFETY_MANAGER: CertificateKind.SAFETY_MANAGER,
    RoleCategory.SPECIAL_WORKER: CertificateKind.SPECIAL_OPERATION,
    RoleCategory.ENFORCEMENT: CertificateKind.ENFORCEMENT,
}


def make_resident_id(birth: dt.date, seq: int, region: str = "152921") -> str:
    """A valid 18-digit 公民身份号码 (GB 11643-1999) for ``birth`` and sequence ``seq`` (0–999)."""
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "Sheet") -> bytes:
    """An .xlsx with ``header`` and ``rows`` (for import tests)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def resident_id() -> Callable[..., str]:
    """Return ``make(birth=date(1985, 6, 1))`` giving a fresh valid resident ID number."""

    def make(birth: dt.date = dt.date(1985, 6, 1), region: str = "152921") -> str:
        return make_resident_id(birth, next(_seq), region)

    return make


@pytest.fixture
def person_factory(db: Any) -> Callable[..., Person]:
    """Return ``make(employer, role="other_worker", name=None, **fields)``; ``employer`` is an Enterprise or unit.

    A unit may be given by name ("应急管理局"). Saved directly (fixtures, not the action under test).
    """

    def make(
        employer: Any, role: str = RoleCategory.OTHER_WORKER, name: str | None = None, **fields: Any
    ) -> Person:
        n = next(_seq)
        if isinstance(employer, str):
            employer = OrgUnit.objects.filter(name=employer).first() or OrgUnit.objects.get(
                aliases__name=employer
            )
        if isinstance(employer, OrgUnit):
            fields.setdefault("employer_unit", employer)
        else:
            fields.setdefault("employer_enterprise", employer)
        fields.setdefault("id_number", make_resident_id(dt.date(1980 + n % 20, 1 + n % 12, 1 + n % 28), n))
        return Person.objects.create(name=name or f"测试人员{n}", role_category=role, **fields)

    return make


@pytest.fixture
def certificate_factory(db: Any) -> Callable[..., Certificate]:
    """Return ``make(person, kind=<matching the role>, issued_on=2023-01-01, expires_on=2029-01-01, **fields)``."""

    def make(
        person: Person,
        kind: str | None = None,
        issued_on: dt.date = dt.date(2023, 1, 1),
        expires_on: dt.date | None = dt.date(2029, 1, 1),
        **fields: Any,
    ) -> Certificate:
        kind = kind or DEFAULT_KIND.get(person.role_category, CertificateKind.OTHER)  # type: ignore[call-overload]
        if kind == CertificateKind.SPECIAL_OPERATION:
            fields.setdefault("category", SpecialOperationCategory.ELECTRICAL)
        fields.setdefault("number", f"ZS{next(_seq):08d}")
        fields.setdefault("issuer", "阿拉善盟应急管理局")
        return Certificate.objects.create(
            person=person, kind=kind, issued_on=issued_on, expires_on=expires_on, **fields
        )

    return make


@pytest.fixture
def training_factory(db: Any) -> Callable[..., TrainingRecord]:
    """Return ``make(person, kind="special_topic", date=2025-03-01, course=None, hours=8)``."""

    def make(
        person: Person,
        kind: str = TrainingKind.SPECIAL_TOPIC,
        date: dt.date = dt.date(2025, 3, 1),
        course: str | None = None,
        hours: Decimal = Decimal("8"),
        **fields: Any,
    ) -> TrainingRecord:
        return TrainingRecord.objects.create(
            person=person,
            kind=kind,
            date=date,
            course=course or f"安全生产专题培训{next(_seq)}",
            hours=hours,
            **fields,
        )

    return make


@pytest.fixture
def two_enterprises(
    enterprise_factory: Callable[..., Any],
    enterprise_user_factory: Callable[..., Any],
    person_factory: Callable[..., Person],
    certificate_factory: Callable[..., Certificate],
    training_factory: Callable[..., TrainingRecord],
) -> dict[str, Any]:
    """Enterprises A and B (both 危化生产, supervised by 应急管理局), a user, a person, a certificate and a
    training record each; names are distinct so a leak is visible in any page or file."""
    data: dict[str, Any] = {}
    for key, ent_name, person_name in (("a", "甲化工有限公司", "甲员工"), ("b", "乙化工有限公司", "乙员工")):
        enterprise = enterprise_factory(name=ent_name)
        person = person_factory(enterprise, role=RoleCategory.SPECIAL_WORKER, name=person_name)
        data[key] = {
            "enterprise": enterprise,
            "user": enterprise_user_factory(enterprise),
            "person": person,
            "certificate": certificate_factory(
                person,
                number=f"T-{key.upper()}-0001",
                expires_on=timezone.localdate() + dt.timedelta(days=10),
            ),
            "training": training_factory(
                person, course=f"{person_name}三级安全教育", kind=TrainingKind.THREE_LEVEL
            ),
        }
    return data
