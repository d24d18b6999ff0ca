"""The fire demo part: fire-water road stretches cut from the park map's roads, ~60 road hydrants plus the
plants' own, and exactly the gaps the part declares — one per rule and the out-of-service hydrant's."""

import datetime as dt

import pytest

from anjian.demo.context import DemoContext
from anjian.domain.fire_rules import check_layout
from anjian.fire.compliance import stored_layout
from anjian.fire.models import FirePool, FireRoad, Hydrant, Inspection

pytestmark = pytest.mark.django_db


def test_demo_fire_layers_and_their_real_gaps():
    from anjian.demo import enterprises, fire, geo

    ctx = DemoContext(seed=20211, today=dt.date(2026, 6, 30))
    enterprises.build(ctx)
    geo.build(ctx)
    fire.build(ctx)
    # the stretches lie on the park map's roads (same names, same centrelines)
    from anjian.geo.models import Road

    names = {r.name for r in Road.objects.all()}
    assert FireRoad.objects.count() == len(fire.STRETCHES)
    assert all(r.name.split("（")[0] in names for r in FireRoad.objects.all())
    road_hydrants = Hydrant.objects.filter(enterprise__isnull=True).count()
    assert 50 <= road_hydrants <= 90 and Hydrant.objects.filter(enterprise__isnull=False).exists()
    assert FirePool.objects.count() == 3 and Inspection.objects.count() == 4 * road_hydrants
    # the check finds the declared gaps and nothing else
    found = sorted((v.rule, v.feature) for v in check_layout(stored_layout()))
    by_code = {r.code: r.name for r in FireRoad.objects.all()}
    described = sorted((rule, by_code.get(feature, feature)) for rule, feature in found)
    assert [r for r, _f in described].count("hydrant_spacing") == 3
    assert ("hydrant_spacing", "纬二路（化工区段）") in described
    assert ("hydrant_spacing", "经四路（化工区段）") in described  # the out-of-service hydrant
    assert ("hydrant_spacing", "腾格里大道（化工区段）") in described  # one side only on its second half
    assert ("both_sides", "腾格里大道（北段）") in described
    assert ("pool_capacity", "XFSC-3") in described
    assert [r for r, _f in described].count("hydrant_coverage") == 1
    assert len(described) == 6
