"""Fixtures of the gates app (registered in the root ``conftest.py``).

``gate_site_factory()`` builds an enterprise with one zone and gate (controller token known), its
enterprise user and gate operator; ``site.enrol(...)`` adds a person with a pass and a credential.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from anjian.gates.models import AccessPass, Credential, Gate, Zone

_seq = itertools.count(1)


@dataclass
class GateSite:
    enterprise: Any
    zone: Zone
    gate: Gate
    token: str
    owner: Any
    operator: Any
    _person_factory: Callable[..., Any]
    _certificate_factory: Callable[..., Any]
    _training_factory: Callable[..., Any]
    people: list[tuple[Any, str]] = field(default_factory=list)

    def enrol(
        self,
        name: str | None = None,
        *,
        category: str = "employee",
        trainings: Iterable[str] = ("three_level",),
        certificates: Iterable[tuple[str, dt.date | None]] = (),
        zones: Iterable[Zone] | None = None,
        blacklisted: bool = False,
        valid_from: dt.datetime | None = None,
        valid_until: dt.datetime | None = None,
        credential: str | None = None,
        phone: str = "",
    ) -> tuple[Any, str]:
        """A person of this enterprise with a pass for ``zones`` (default: the site's zone) and a card."""
        person = self._person_factory(self.enterprise, name=name, phone=phone)
        for kind in trainings:
            self._training_factory(person, kind=kind)
        for kind, expires in certificates:
            if ":" in kind:
                base, category_code = kind.split(":", 1)
                self._certificate_factory(person, kind=base, expires_on=expires, category=category_code)
            else:
                self._certificate_factory(person, kind=kind, expires_on=expires)
        access_pass = AccessPass.objects.create(
            enterprise=self.enterprise,
            person=person,
            category=category,
            blacklisted=blacklisted,
            blacklist_reason="测试" if blacklisted else "",
            valid_from=valid_from,
            valid_until=valid_until,
        )
        access_pass.zones.set(list(zones) if zones is not None else [self.zone])
        code = credential or f"C{next(_seq):06d}"
        Credential.objects.create(code=code, access_pass=access_pass)
        self.people.append((person, code))
        return person, code

    def add_gate(self, zone: Zone | None = None, code: str | None = None) -> tuple[Gate, str]:
        gate = Gate(zone=zone or self.zone, code=code or f"G{next(_seq):05d}", name="二道门")
        token = gate.issue_token()
        gate.save()
        return gate, token


@pytest.fixture
def gate_site_factory(
    enterprise_factory: Callable[..., Any],
    enterprise_user_factory: Callable[..., Any],
    user_factory: Callable[..., Any],
    person_factory: Callable[..., Any],
    certificate_factory: Callable[..., Any],
    training_factory: Callable[..., Any],
) -> Callable[..., GateSite]:
    """Return ``make(quota=3, trainings=["safety"], certificates=[], hours=None, name=None)`` → :class:`GateSite`."""

    def make(
        quota: int | None = 3,
        trainings: Iterable[str] = ("safety",),
        certificates: Iterable[str] = (),
        hours: tuple[dt.time, dt.time] | None = None,
        name: str | None = None,
        **enterprise_fields: Any,
    ) -> GateSite:
        enterprise = enterprise_factory(name=name, **enterprise_fields)
        n = next(_seq)
        zone = Zone.objects.create(
            enterprise=enterprise,
            code=f"Z{n}",
            name=f"生产装置区{n}",
            quota=quota,
            required_trainings=list(trainings),
            required_certificates=list(certificates),
            opens_at=hours[0] if hours else None,
            closes_at=hours[1] if hours else None,
        )
        gate = Gate(zone=zone, code=f"G{n:05d}", name=f"{n}号二道门")
        token = gate.issue_token()
        gate.save()
        return GateSite(
            enterprise=enterprise,
            zone=zone,
            gate=gate,
            token=token,
            owner=enterprise_user_factory(enterprise),
            operator=user_factory(role="gate", org=enterprise.org_unit),
            _person_factory=person_factory,
            _certificate_factory=certificate_factory,
            _training_factory=training_factory,
        )

    return make


@pytest.fixture
def gate_site(gate_site_factory: Callable[..., GateSite]) -> GateSite:
    """One site with a quota of 3 that requires 安全教育."""
    return gate_site_factory()
