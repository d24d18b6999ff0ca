"""The large-zone generator (``anjian demo --enterprises N``): proportional, valid and deterministic data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from anjian.demo.context import DemoContext
from anjian.demo.scale import build_scale
from anjian.enterprises.models import Enterprise
from anjian.people.models import Certificate, Person, TrainingRecord

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def templates(
    enterprise_factory: Any,
    installation_factory: Any,
    point_factory: Any,
    danger_factory: Any,
    danger_world: Any,
) -> list[Any]:
    """Two demo-like enterprises (the danger world's): one with an installation, a point and two dangers."""
    ent = danger_world.enterprise
    installation = installation_factory(ent)
    point_factory(ent, installation=installation)
    danger_factory()
    danger_factory(title="消防通道堵塞")
    return list(Enterprise.objects.order_by("id"))


def _fingerprint() -> list[Any]:
    """Everything the generator wrote, without timestamps (ids included: they are part of determinism)."""
    out: list[Any] = []
    for model in (Enterprise, Person, Certificate, TrainingRecord):
        fields = [
            f.attname for f in model._meta.concrete_fields if f.name not in {"created_at", "updated_at"}
        ]
        out.append(list(model.objects.order_by("id").values_list(*fields)))
    return out


class _Rollback(Exception):
    pass


def test_the_generator_is_proportional_valid_and_deterministic(templates: list[Any]) -> None:
    # given two template enterprises
    fingerprints = []
    for _ in range(2):
        try:
            with transaction.atomic():
                # when the zone is grown to 8 enterprises (twice, from the same seed)
                counts = build_scale(DemoContext(seed=7, today=TODAY), 8, log=lambda _line: None)
                fingerprints.append(_fingerprint())
                check_proportions_and_validity(counts)
                raise _Rollback
        except _Rollback:
            pass
    # then both runs wrote exactly the same rows
    assert fingerprints[0] == fingerprints[1]


def check_proportions_and_validity(counts: dict[str, int]) -> None:
    generated = Enterprise.objects.filter(uscc__contains="MB")
    assert generated.count() == 6 == counts["enterprises.Enterprise"]
    # about 30 people, 50 certificates and 40 training records per enterprise
    people = Person.objects.filter(employer_enterprise__in=generated)
    assert 22 * 6 <= people.count() <= 38 * 6
    certs = Certificate.objects.filter(person__in=people).count()
    assert 35 * 6 <= certs <= 65 * 6
    assert TrainingRecord.objects.filter(person__in=people).count() >= people.count()
    # each generated enterprise is a sibling of a template and carries copies of its modules
    copies_of_first = list(generated.order_by("id"))[::2]
    for label in ("majorhazards.HazardInstallation", "monitoring.MonitoringPoint", "dangers.HiddenDanger"):
        model = apps.get_model(label)
        assert model.objects.filter(enterprise__in=copies_of_first).count() >= len(copies_of_first), label
    assert counts["orgs.OrgUnit"] == 6
    # and a sample of every table passes the model's own validation
    for label in counts:
        model = apps.get_model(label)
        for obj in model.objects.order_by("-id")[:25]:
            try:
                obj.full_clean()
            except Exception as exc:  # pragma: no cover - the message names the row
                raise AssertionError(f"{label} #{obj.pk}: {exc}") from exc
