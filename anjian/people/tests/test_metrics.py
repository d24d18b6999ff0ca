"""Metrics computed from small hand-built fixtures equal hand-counted values."""

import datetime as dt
from decimal import Decimal

import pytest

from anjian.core.metrics import compute
from anjian.enterprises.choices import EnterpriseStatus
from anjian.people.choices import CertificateKind, RoleCategory, TrainingKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_types(enterprise_factory, person_factory, certificate_factory):
    """Five counted 三类人员 (three certified on 2025-06-30) and four people that must not count."""
    plant = enterprise_factory(name="甲化工")
    closed = enterprise_factory(name="已关闭化工", status=EnterpriseStatus.CLOSED)
    # counted, certified: matching kind, valid on the day
    certificate_factory(person_factory(plant, RoleCategory.PRINCIPAL), expires_on=dt.date(2026, 1, 1))
    certificate_factory(person_factory(plant, RoleCategory.SAFETY_MANAGER), expires_on=dt.date(2025, 6, 30))
    certificate_factory(
        person_factory(plant, RoleCategory.SPECIAL_WORKER), kind=CertificateKind.SPECIAL_EQUIPMENT
    )
    # counted, not certified: expired on 2025-05-31; wrong kind; none at all
    certificate_factory(person_factory(plant, RoleCategory.SPECIAL_WORKER), expires_on=dt.date(2025, 5, 31))
    certificate_factory(
        person_factory(plant, RoleCategory.SAFETY_MANAGER), kind=CertificateKind.SPECIAL_OPERATION
    )
    # not counted: other worker, inactive principal, principal of a closed enterprise, officer
    person_factory(plant, RoleCategory.OTHER_WORKER)
    person_factory(plant, RoleCategory.PRINCIPAL, is_active=False)
    person_factory(closed, RoleCategory.PRINCIPAL)
    person_factory("应急管理局", RoleCategory.ENFORCEMENT)


def test_three_types_certified_rate_counts_by_hand(three_types):
    # when computed on 2025-06-30 (the safety manager's certificate expires that day, still valid)
    value = compute("people.three_types_certified_rate", dt.date(2025, 6, 30))
    # then 3 of 5 hold a valid certificate of the matching kind
    assert (value.numerator, value.denominator, value.value) == (3, 5, Decimal("60.0"))
    assert value.breakdown["special_worker"] == {"label": "特种作业人员", "total": 2, "certified": 1}
    assert "三类人员5人，持有效证书3人" in value.detail


def test_three_types_certified_rate_depends_on_the_day(three_types):
    # on 2025-05-31 the special worker's certificate is still valid: 4 of 5
    assert compute("people.three_types_certified_rate", dt.date(2025, 5, 31)).value == Decimal("80.0")
    # on 2025-07-01 the safety manager's has expired too: 2 of 5
    assert compute("people.three_types_certified_rate", dt.date(2025, 7, 1)).value == Decimal("40.0")


def test_a_tiny_enterprise_four_people_three_certified_is_75(
    enterprise_factory, person_factory, certificate_factory
):
    plant = enterprise_factory()
    for role in (RoleCategory.PRINCIPAL, RoleCategory.SAFETY_MANAGER, RoleCategory.SPECIAL_WORKER):
        certificate_factory(person_factory(plant, role))
    person_factory(plant, RoleCategory.SPECIAL_WORKER)
    assert compute("people.three_types_certified_rate", dt.date(2025, 1, 1)).value == Decimal("75.0")


def test_empty_base_gives_no_value(db):
    value = compute("people.three_types_certified_rate", dt.date(2025, 1, 1))
    assert (value.value, value.numerator, value.denominator) == (None, 0, 0)


@pytest.fixture
def officers(person_factory, training_factory):
    """Four active officers (and one inactive), with training records around 2025."""
    unit = "应急管理局"
    a = person_factory(unit, RoleCategory.ENFORCEMENT, major_safety_related=True, years_experience=5)
    b = person_factory(unit, RoleCategory.ENFORCEMENT, major_safety_related=True, years_experience=3)
    c = person_factory(unit, RoleCategory.ENFORCEMENT, major_safety_related=True, years_experience=2)
    d = person_factory("市监局", RoleCategory.ENFORCEMENT, major_safety_related=False, years_experience=10)
    gone = person_factory(
        unit, RoleCategory.ENFORCEMENT, major_safety_related=True, years_experience=9, is_active=False
    )
    training_factory(a, TrainingKind.SPECIAL_TOPIC, dt.date(2025, 3, 1))
    training_factory(b, TrainingKind.SPECIAL_TOPIC, dt.date(2024, 12, 31))  # last year
    training_factory(c, TrainingKind.ROTATION, dt.date(2025, 3, 1))  # another kind
    training_factory(d, TrainingKind.SPECIAL_TOPIC, dt.date(2025, 6, 1))
    training_factory(gone, TrainingKind.SPECIAL_TOPIC, dt.date(2025, 3, 1))  # not on the job


def test_enforcement_qualified_rate(officers):
    # a (5 years) and b (exactly 3 years) qualify; c has 2 years; d studied something else
    value = compute("people.enforcement_qualified_rate", dt.date(2025, 6, 30))
    assert (value.numerator, value.denominator, value.value) == (2, 4, Decimal("50.0"))
    assert "满3年" in value.detail


def test_special_training_coverage_counts_the_metric_year_up_to_the_day(officers):
    # on 2025-05-31 only a has a 专题业务培训 of 2025; by year end d has one too
    assert compute("people.special_training_coverage", dt.date(2025, 5, 31)).value == Decimal("25.0")
    value = compute("people.special_training_coverage", dt.date(2025, 12, 31))
    assert (value.numerator, value.denominator, value.value) == (2, 4, Decimal("50.0"))
    # in 2024 only b was trained
    assert compute("people.special_training_coverage", dt.date(2024, 12, 31)).numerator == 1


def test_leader_rotation_rate(person_factory, training_factory):
    leaders = [person_factory("腾格里镇", RoleCategory.LEADER) for _ in range(3)]
    training_factory(leaders[0], TrainingKind.ROTATION, dt.date(2025, 4, 1))
    training_factory(leaders[1], TrainingKind.ROTATION, dt.date(2025, 9, 1))
    training_factory(leaders[2], TrainingKind.SPECIAL_TOPIC, dt.date(2025, 4, 1))
    value = compute("people.leader_rotation_rate", dt.date(2025, 12, 31))
    assert (value.numerator, value.denominator, value.value) == (2, 3, Decimal("66.7"))
