"""Scoped queries of the people register: what a user may see, assign and change.

The row rule itself is ``people_q`` (``Person.scope_q``); these helpers add the choices a user has when
creating or editing: the enterprises and units they may register people in.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from anjian.core.access import restrict, scope_of
from anjian.enterprises.models import Enterprise
from anjian.orgs.models import OrgUnit
from anjian.people.models import Certificate, CertificateQuerySet, Person, TrainingRecord

__all__ = [
    "EMPLOYER_UNIT_KINDS",
    "assignable_enterprises",
    "assignable_units",
    "can_register_people",
    "changeable_people",
    "visible_certificates",
    "visible_people",
    "visible_rows",
    "visible_trainings",
]

#: Units whose staff are kept here (not groups, not enterprise-side units).
EMPLOYER_UNIT_KINDS = ("committee", "department", "town", "rescue", "company")


def visible_people(user: Any) -> models.QuerySet[Person]:
    """People ``user`` may see, with their employer loaded."""
    return restrict(Person.objects.select_related("employer_enterprise", "employer_unit"), user)


def changeable_people(user: Any) -> models.QuerySet[Person]:
    """People ``user`` may change (and add certificates or training records to)."""
    return restrict(Person.objects.select_related("employer_enterprise", "employer_unit"), user, "change")


def visible_certificates(user: Any) -> CertificateQuerySet:
    """Certificates of people ``user`` may see."""
    qs = Certificate.objects.select_related("person", "person__employer_enterprise", "person__employer_unit")
    return restrict(qs, user)


def visible_trainings(user: Any) -> models.QuerySet[TrainingRecord]:
    """Training records of people ``user`` may see."""
    qs = TrainingRecord.objects.select_related(
        "person", "person__employer_enterprise", "person__employer_unit"
    )
    return restrict(qs, user)


def visible_rows(register: str, user: Any) -> models.QuerySet[Any]:
    """The rows of ``register`` ("persons", "certificates", "trainings") that ``user`` may see."""
    readers = {
        "persons": visible_people,
        "certificates": visible_certificates,
        "trainings": visible_trainings,
    }
    return readers[register](user)


def assignable_enterprises(user: Any) -> models.QuerySet[Enterprise]:
    """Enterprises ``user`` may register people in (those they may change)."""
    return restrict(Enterprise.objects.all(), user, "change")


def assignable_units(user: Any) -> models.QuerySet[OrgUnit]:
    """Units ``user`` may register staff in: every unit for zone-wide roles, else their own."""
    scope = scope_of(user)
    units = OrgUnit.objects.filter(kind__in=EMPLOYER_UNIT_KINDS, is_active=True)
    if scope.sees_all:
        return units
    if scope.org_id is None or scope.is_enterprise_side:
        return units.none()
    return units.filter(pk=scope.org_id)


def can_register_people(user: Any) -> bool:
    """True when ``user`` may register at least one person somewhere."""
    return assignable_units(user).exists() or assignable_enterprises(user).exists()
