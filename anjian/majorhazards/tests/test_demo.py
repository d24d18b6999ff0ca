"""The demo part: 15 installations in the park's chemical enterprises whose inventories compute to the grades
the part declares (one 一级, several of each other grade, two below the critical quantities), with 包保
people from the enterprises' own staff and some gaps for the job to find."""

import datetime as dt
from collections import Counter

import pytest

from anjian.demo.context import DemoContext
from anjian.majorhazards import metrics
from anjian.majorhazards.models import (
    HazardInstallation,
    Responsibility,
    ResponsibilityCheck,
    ResponsibilityGap,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)


def test_demo_installations_compute_to_their_declared_grades():
    from anjian.demo import enterprises, majorhazards, people

    ctx = DemoContext(seed=20211, today=TODAY)
    enterprises.build(ctx)
    people.build(ctx)
    majorhazards.build(ctx)
    installations = list(HazardInstallation.objects.select_related("enterprise"))
    assert len(installations) == len(majorhazards.INSTALLATIONS) == 15
    by_name = {(i.enterprise.name, i.name): i for i in installations}
    for ent_name, _suffix, name, _kind, _pop, _lines, grade in majorhazards.INSTALLATIONS:
        inst = by_name[(ent_name, name)]
        assert inst.grade == grade, (name, inst.r_value)
        assert inst.is_major == (grade is not None)
        assert inst.enterprise.in_park
    grades = Counter(i.grade for i in installations)
    assert grades == {1: 1, 2: 3, 3: 6, 4: 3, None: 2}
    # 包保 people are the enterprises' own people
    for resp in Responsibility.objects.select_related("person", "installation"):
        assert resp.person.employer_enterprise_id == resp.installation.enterprise_id
    assert ResponsibilityCheck.objects.exists()
    kinds = set(ResponsibilityGap.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    assert {"missing_person", "missed_check", "not_filed", "assessment_overdue"} <= kinds
    count = metrics.major_hazard_count(TODAY)
    assert count.value == 13 and count.breakdown == {"一级": 1, "二级": 3, "三级": 6, "四级": 3}
    rate = metrics.baobao_complete_rate(TODAY)
    assert rate.denominator == 13 and 0 < rate.numerator < 13
