"""The demo part: deterministic, valid identities, and metrics in the intended ranges."""

import datetime as dt

import pytest

from anjian.core.metrics import compute
from anjian.core.models import AuditEntry
from anjian.demo import people as demo_people
from anjian.demo.context import DemoContext
from anjian.domain.check_digits import check_resident_id
from anjian.people.models import Certificate, Person, TrainingRecord

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 9, 1)


@pytest.fixture
def demo_enterprises(enterprise_factory):
    industries = [
        "hazchem_production",
        "hazchem_trade",
        "construction",
        "metallurgy",
        "fuel_station",
        "other",
    ]
    return [
        enterprise_factory(industry=industries[n % len(industries)], employees=20 + 15 * n) for n in range(12)
    ]


def test_demo_people_build(demo_enterprises, monkeypatch):
    # given a small zone (the full demo makes 1,500 people; 400 keep this test fast)
    monkeypatch.setattr(demo_people, "TOTAL_PEOPLE", 400)
    ctx = DemoContext(seed=7, today=TODAY)
    ctx.refs["enterprises"] = demo_enterprises
    # when the part is built
    demo_people.build(ctx)
    # then about 400 people with certificates and training exist, with valid resident IDs
    people = Person.objects.count()
    assert 380 <= people <= 440, people
    assert Certificate.objects.count() > people * 0.8
    assert TrainingRecord.objects.count() > people * 0.5
    assert all(
        check_resident_id(n, today=TODAY).valid for n in Person.objects.values_list("id_number", flat=True)
    )
    assert ctx.refs["people"]["people"] == people
    # and one audit row summarises the load
    assert AuditEntry.objects.filter(event_type=10).count() == 1
    # and the metrics look like a zone part-way to its targets
    three = compute("people.three_types_certified_rate", TODAY).value
    assert 88 <= three < 100, three
    assert 40 <= compute("people.enforcement_qualified_rate", TODAY).value <= 95
    assert 70 <= compute("people.special_training_coverage", TODAY).value <= 100
    # and some certificates are expiring or expired
    current = Certificate.objects.of_active_people().current()
    assert current.expiring_within(TODAY, 30).exists() and current.expired_on(TODAY).exists()


def test_demo_is_deterministic(demo_enterprises, monkeypatch):
    monkeypatch.setattr(demo_people, "TOTAL_PEOPLE", 100)
    ctx = DemoContext(seed=7, today=TODAY)
    ctx.refs["enterprises"] = demo_enterprises
    demo_people.build(ctx)
    first = list(Person.objects.order_by("id").values_list("name", "id_number"))
    Person.objects.all().delete()
    demo_people.build(DemoContext(seed=7, today=TODAY, refs={"enterprises": demo_enterprises}))
    assert list(Person.objects.order_by("id").values_list("name", "id_number")) == first
