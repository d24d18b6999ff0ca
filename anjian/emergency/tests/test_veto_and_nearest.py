"""A 较大 accident in a unit's remit reaches its assessment result as a veto; nearest-resource queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anjian.emergency import actions
from anjian.emergency.selectors import nearest_resources

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)


def test_larger_accident_vetoes_the_town_and_the_supervising_department(
    assessment_world, scheme_2025, committee_user, enterprise_factory, incident_factory, result_of, unit
):
    from anjian.assessment.actions import do_run_assessment
    from anjian.assessment.models import VetoEvent
    from anjian.assessment.tests.fixtures import AS_OF

    # given an enterprise in 孛井滩镇 supervised by 应急管理局, and a 3-death accident there in 2025
    enterprise = enterprise_factory(town="孛井滩镇")
    assert enterprise.supervising_unit == unit("应急管理局")
    incident = incident_factory(
        deaths=3, enterprise=enterprise, occurred_at=_at(dt.date(2025, 6, 1)), acting_user=committee_user
    )
    # then the veto events are recorded by the incidents module, once per unit
    events = VetoEvent.objects.filter(source="incidents")
    assert {e.unit.name for e in events} == {"孛井滩镇", "应急管理局"}
    assert all(e.grade == "larger" and e.year == 2025 for e in events)
    actions.do_change_casualties(
        incident,
        deaths=4,
        injuries=0,
        loss_cny=0,
        acting_user=committee_user,
        changed_at=_at(dt.date(2025, 6, 3)),
    )
    assert VetoEvent.objects.filter(source="incidents").count() == 2
    # when the 2025 assessment runs
    do_run_assessment(scheme_2025, acting_user=committee_user, as_of=AS_OF)
    # then the town that was 优秀 is vetoed, and so is the department; the other town is not
    assert result_of(scheme_2025, "孛井滩镇").vetoed
    assert result_of(scheme_2025, "应急管理局").vetoed
    assert not result_of(scheme_2025, "腾格里镇").vetoed
    assert "较大" in result_of(scheme_2025, "孛井滩镇").veto_reason


def test_general_accident_becoming_larger_vetoes_then(enterprise_factory, incident_factory):
    from anjian.assessment.models import VetoEvent

    enterprise = enterprise_factory(town="腾格里镇")
    incident = incident_factory(deaths=2, enterprise=enterprise)
    assert not VetoEvent.objects.exists()
    actions.do_change_casualties(incident, deaths=3, injuries=0, loss_cny=0, acting_user=None)
    assert VetoEvent.objects.filter(unit__name="腾格里镇", grade="larger").exists()


def test_nearest_by_kind_and_distance(resource_factory, user_factory):
    # given resources about 100 m, 1 km and 5 km east of a point, of two kinds
    lon0, lat0 = 105.0, 37.9
    per_km = 1 / (111.32 * 0.7880)  # degrees of longitude per km at 37.9°N
    near = resource_factory(
        kind="team", name="近", lon=Decimal(f"{lon0 + 0.1 * per_km:.6f}"), lat=Decimal(f"{lat0:.6f}")
    )
    mid = resource_factory(
        kind="material", name="中", lon=Decimal(f"{lon0 + 1 * per_km:.6f}"), lat=Decimal(f"{lat0:.6f}")
    )
    far = resource_factory(
        kind="team", name="远", lon=Decimal(f"{lon0 + 5 * per_km:.6f}"), lat=Decimal(f"{lat0:.6f}")
    )
    resource_factory(kind="team", name="无位置", lon=None, lat=None)
    viewer = user_factory(role="committee", org="安委会办公室")
    # when / then: sorted by distance, filtered by kind, limited
    found = nearest_resources(viewer, lon0, lat0)
    assert [n.resource for n in found] == [near, mid, far]
    assert found[0].distance_m == pytest.approx(100, rel=0.01)
    assert found[2].distance_m == pytest.approx(5000, rel=0.01)
    assert [n.resource for n in nearest_resources(viewer, lon0, lat0, kind="team")] == [near, far]
    assert [n.resource for n in nearest_resources(viewer, lon0, lat0, limit=1)] == [near]
    # a point beyond the far one: the order reverses
    assert [n.resource.name for n in nearest_resources(viewer, lon0 + 6 * per_km, lat0, kind="team")] == [
        "远",
        "近",
    ]


def test_nearest_respects_scope(resource_factory, user_factory, enterprise_factory):
    mine = enterprise_factory()
    other = enterprise_factory()
    own = resource_factory(name="本企业", enterprise=mine)
    resource_factory(name="他企业", enterprise=other)
    public = resource_factory(name="园区", lon=Decimal("105.5"))
    from anjian.orgs.models import User

    user = user_factory(role="enterprise", org=mine.org_unit)
    assert isinstance(user, User)
    names = [n.resource.name for n in nearest_resources(user, 105.02, 37.88, limit=10)]
    assert names == [own.name, public.name]
