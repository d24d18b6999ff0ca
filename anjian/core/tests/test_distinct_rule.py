"""``restrict()`` adds DISTINCT only where a model's scope rule can return a row twice (issue 8).

A rule that follows foreign keys only (a person → its enterprise → its supervising unit) returns each row once;
DISTINCT there makes PostgreSQL sort and de-duplicate every visible row to show one page of 600,000 people.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from anjian.core.access import restrict, rule_spans_many, scope_of
from anjian.enterprises.models import PARK_COMMITTEE_CODE
from anjian.orgs.choices import Role
from anjian.orgs.models import OrgUnit
from anjian.people.models import Certificate, Person, TrainingRecord

pytestmark = pytest.mark.django_db

#: Registers whose rule follows foreign keys only, for every role: their scoped lists never DISTINCT.
FOREIGN_KEY_ONLY = [
    ("people", "Person"),
    ("people", "Certificate"),
    ("people", "TrainingRecord"),
    ("enterprises", "Enterprise"),
    ("enterprises", "Licence"),
    ("enterprises", "Standardization"),
    ("dangers", "HiddenDanger"),
    ("risks", "RiskUnit"),
    ("majorhazards", "HazardInstallation"),
    ("monitoring", "MonitoringPoint"),
]


@pytest.fixture
def role_users(user_factory: Any, enterprise_factory: Any, enterprise_user_factory: Any) -> list[Any]:
    """One user per kind of scope: a department, a town, the park committee, an enterprise, the commander."""
    enterprise = enterprise_factory(town="孛井滩镇")
    park = OrgUnit.objects.filter(code=PARK_COMMITTEE_CODE).first()
    users = [
        user_factory(role=Role.DEPARTMENT, org="应急管理局", username="dept"),
        user_factory(role=Role.DEPARTMENT, org="孛井滩镇", username="town"),
        enterprise_user_factory(enterprise, username="ent"),
        user_factory(role=Role.COMMANDER, org="应急管理局", username="cmd"),
    ]
    if park is not None:
        users.append(user_factory(role=Role.DEPARTMENT, org=park, username="parkuser"))
    return users


@pytest.mark.parametrize(("app", "name"), FOREIGN_KEY_ONLY)
def test_a_foreign_key_rule_adds_no_distinct(role_users: list[Any], app: str, name: str) -> None:
    # given a register whose scope rule follows foreign keys only
    model = apps.get_model(app, name)
    for user in role_users:
        # when a scoped list is built for any role
        qs = restrict(model._default_manager.all(), user)
        # then it is not DISTINCT
        assert not qs.query.distinct, f"{name} for {user.username}: DISTINCT on a foreign-key-only rule"
        assert "DISTINCT" not in str(qs.query).upper().split(" FROM ")[0], f"{name} for {user.username}"


def test_every_scoped_list_is_distinct_exactly_when_its_rule_spans_a_to_many_relation(
    role_users: list[Any],
) -> None:
    # given every model with a scope rule and every kind of user
    for model in apps.get_models():
        rule = getattr(model, "scope_q", None)
        if rule is None:
            continue
        for user in role_users:
            q = rule(scope_of(user), "view")
            # when the list is restricted
            qs = restrict(model._default_manager.all(), user)
            # then DISTINCT is there if and only if the rule can match a row twice
            expected = bool(q) and rule_spans_many(model, q)
            assert qs.query.distinct == expected, f"{model.__name__} for {user.username}"


def test_the_rule_detection_sees_reverse_and_many_to_many_paths() -> None:
    # a reverse foreign key (person → certificates) and a many-to-many (unit → members) span many rows
    assert rule_spans_many(Person, models.Q(certificates__kind="x"))
    assert rule_spans_many(OrgUnit, models.Q(members__id=1) | models.Q(pk=1))
    # foreign keys, lookups and subqueries do not
    assert not rule_spans_many(Certificate, models.Q(person__employer_enterprise__town_id__in=[1]))
    assert not rule_spans_many(TrainingRecord, models.Q(person__employer_unit_id=1))
    assert not rule_spans_many(Person, models.Q(pk__in=Certificate.objects.values("person_id")))
    assert not rule_spans_many(
        Person, models.Q(models.Exists(Certificate.objects.filter(person_id=models.OuterRef("pk"))))
    )
