"""The demo part builds a deterministic zone whose metrics sit near, but not at, the plan's targets."""

import datetime as dt
from decimal import Decimal

import pytest

from anjian.demo.context import DemoContext
from anjian.enterprises import metrics
from anjian.enterprises.choices import LicenceState
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization
from anjian.orgs.models import OrgUnit, User

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)


def test_demo_zone():
    from anjian.demo import enterprises

    # given / when
    ctx = DemoContext(seed=20211, today=TODAY)
    enterprises.build(ctx)
    # then about 60 enterprises, about 20 in the park, all with valid codes and a department
    all_e = list(Enterprise.objects.all())
    assert len(all_e) == 60 and len(ctx.refs["enterprises"]) == 60
    assert sum(e.in_park for e in all_e) == 20
    assert {e.town.name for e in all_e} == {"腾格里镇", "孛井滩镇"}
    assert all(e.supervising_unit_id for e in all_e)
    for e in all_e:
        e.full_clean()
    # metrics near but not at the targets (100%, 80%, 2)
    above = metrics.above_scale_rate(TODAY).value
    small = metrics.small_rate(TODAY).value
    assert Decimal("90") <= above < Decimal("100")
    assert Decimal("55") <= small <= Decimal("75")
    assert metrics.level2_added(TODAY).value == Decimal("1")
    # some licences need action
    states = [lic.state(TODAY) for lic in Licence.objects.all()]
    assert states.count(LicenceState.EXPIRED) == 2 and states.count(LicenceState.EXPIRING) >= 3
    # two enterprise logins
    assert [u for u, _p, _d in ctx.logins] == ["qiye", "jiayouzhan"]


def _state():
    return (
        sorted(Enterprise.objects.values_list("uscc", "name", "lon", "lat", "status", "scale", "industry")),
        sorted(Licence.objects.values_list("number", "valid_until")),
        sorted(Standardization.objects.values_list("certificate_no", "grade", "issued_on", "is_current")),
    )


def test_demo_is_deterministic():
    from anjian.demo import enterprises

    # given a zone built from seed 7
    enterprises.build(DemoContext(seed=7, today=TODAY))
    first = _state()
    # when it is deleted and built again from the same seed
    User.objects.filter(role="enterprise").delete()
    Enterprise.objects.all().delete()
    OrgUnit.objects.filter(kind="enterprise").delete()
    Grid.objects.all().delete()
    enterprises.build(DemoContext(seed=7, today=TODAY))
    # then it is the same zone
    assert _state() == first
    assert first[0][0][0].startswith("91152921")
