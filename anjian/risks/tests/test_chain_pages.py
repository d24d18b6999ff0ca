"""The chain by page (object → unit → event → measure → tasks), the object page, deletion with a reason, and
the four-colour risk map layers (scoped, coloured by the highest level)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.core.models import AuditEntry
from anjian.risks import actions, map_layer
from anjian.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskUnit

pytestmark = pytest.mark.django_db

PLOT = {
    "type": "Polygon",
    "coordinates": [[[105.40, 39.20], [105.41, 39.20], [105.41, 39.21], [105.40, 39.21], [105.40, 39.20]]],
}


def test_enterprise_builds_the_chain_on_pages(danger_world, client_for):
    w = danger_world
    client = client_for(w.manager)
    # the register offers 新增 and the form needs no enterprise choice (only one)
    assert "新增风险分析对象" in client.get("/risks/").content.decode()
    r = client.post(
        "/risks/objects/new/", {"name": "甲醇罐区", "kind": "area", "lon": "105.405", "lat": "39.205"}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    obj = RiskObject.objects.get()
    assert obj.enterprise == w.enterprise and r["Location"] == f"/risks/objects/{obj.pk}/"
    r = client.post(f"/risks/objects/{obj.pk}/units/new/", {"name": "甲醇储罐组", "emergency_phones": "119"})
    unit = RiskUnit.objects.get()
    assert r.status_code == 302 and unit.enterprise == w.enterprise
    r = client.post(f"/risks/units/{unit.pk}/events/new/", {"name": "储罐泄漏", "consequence": "火灾"})
    event = RiskEvent.objects.get()
    r = client.post(
        f"/risks/events/{event.pk}/measures/new/",
        {"kind": "engineering", "description": "液位高高联锁", "check_content": "联锁是否投用"},
    )
    assert r.status_code == 302 and ControlMeasure.objects.get().event == event
    client.post(f"/risks/events/{event.pk}/assess/", {"method": "ls", "likelihood": "4", "consequence": "4"})
    # the object page lists its unit with the level; the unit page offers the edit links
    page = client.get(f"/risks/objects/{obj.pk}/").content.decode()
    assert "甲醇储罐组" in page and "较大风险" in page
    unit_page = client.get(f"/risks/units/{unit.pk}/").content.decode()
    assert (
        f"/risks/events/{event.pk}/measures/new/" in unit_page
        and f"/risks/units/{unit.pk}/tasks/" in unit_page
    )
    # tasks from the unit's measures
    r = client.post(
        f"/risks/units/{unit.pk}/tasks/",
        {"cycle": "weekly", "assignee": w.reporter.pk, "valid_from": timezone.localdate().isoformat()},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    from anjian.dangers.models import InspectionTask

    assert InspectionTask.objects.get().content == "联锁是否投用"
    # every save is audited
    assert AuditEntry.objects.filter(event_type__in=[801, 802, 803, 805]).count() == 4


def test_a_refused_save_shows_the_message_and_changes_nothing(danger_world, client_for, installation_factory):
    w = danger_world
    obj = RiskObject.objects.create(enterprise=w.enterprise, name="罐区")
    foreign = installation_factory(w.other_enterprise)
    r = client_for(w.committee).post(
        f"/risks/objects/{obj.pk}/edit/", {"name": "罐区", "kind": "area", "installation": foreign.pk}
    )
    # the form only offers the enterprise's own installations
    assert r.status_code == 400 and RiskObject.objects.get().installation is None


def test_other_enterprise_pages_answer_404(danger_world, client_for):
    w = danger_world
    obj = RiskObject.objects.create(enterprise=w.enterprise, name="罐区")
    unit = RiskUnit.objects.create(enterprise=w.enterprise, risk_object=obj, name="储罐")
    other = client_for(w.other_user)
    for url in (
        f"/risks/objects/{obj.pk}/",
        f"/risks/objects/{obj.pk}/edit/",
        f"/risks/objects/{obj.pk}/units/new/",
        f"/risks/units/{unit.pk}/edit/",
        f"/risks/units/{unit.pk}/tasks/",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/risks/object/{obj.pk}/delete/", {"reason": "x"}).status_code == 404
    # the supervising department sees but may not change (403)
    assert client_for(w.dept_user).get(f"/risks/objects/{obj.pk}/").status_code == 200


def test_delete_with_reason_recomputes_the_unit(danger_world, client_for):
    w = danger_world
    obj = RiskObject.objects.create(enterprise=w.enterprise, name="罐区")
    unit = RiskUnit.objects.create(enterprise=w.enterprise, risk_object=obj, name="储罐")
    hi = RiskEvent.objects.create(enterprise=w.enterprise, unit=unit, name="泄漏")
    lo = RiskEvent.objects.create(enterprise=w.enterprise, unit=unit, name="滑倒")
    actions.do_assess_event(hi, acting_user=None, method="ls", likelihood=5, consequence=5)
    actions.do_assess_event(lo, acting_user=None, method="ls", likelihood=1, consequence=2)
    assert RiskUnit.objects.get().level == "major"
    r = client_for(w.manager).post(f"/risks/event/{hi.pk}/delete/", {"reason": "重复录入"})
    assert r.status_code == 302
    assert RiskUnit.objects.get().level == "low" and RiskObject.objects.get().level == "low"
    assert AuditEntry.objects.filter(event_type=830, reason="重复录入").count() == 1


def _assessed(enterprise, name, level_pairs, lon=None):
    obj = RiskObject.objects.create(
        enterprise=enterprise, name=name, lon=lon, lat=Decimal("39.205") if lon else None
    )
    unit = RiskUnit.objects.create(enterprise=enterprise, risk_object=obj, name=f"{name}单元")
    for i, (lk, s) in enumerate(level_pairs):
        ev = RiskEvent.objects.create(enterprise=enterprise, unit=unit, name=f"事件{i}")
        actions.do_assess_event(ev, acting_user=None, method="ls", likelihood=lk, consequence=s)
    return obj


def test_four_colour_map_layers_are_scoped_and_coloured_by_the_highest_level(danger_world):
    from anjian.core.access import scope_of
    from anjian.enterprises.models import Enterprise

    w = danger_world
    Enterprise.objects.filter(pk__in=[w.enterprise.pk, w.other_enterprise.pk]).update(plot_geojson=PLOT)
    _assessed(w.enterprise, "罐区", [(2, 2), (4, 3)], lon=Decimal("105.405"))  # 一般, 较大 → 较大 object
    _assessed(w.enterprise, "反应区", [(5, 5)])  # 重大, no position
    _assessed(w.other_enterprise, "仓库", [(1, 2)], lon=Decimal("105.406"))  # 低
    # the enterprise: its plot red (its highest object is 重大), one positioned object orange
    plots = map_layer.plot_features(scope_of(w.manager), None)
    assert [(f["id"], f["properties"]["colour"]) for f in plots] == [(w.enterprise.pk, "#d9262c")]
    assert ["重大风险对象", "1"] in plots[0]["properties"]["popup"]
    objects = map_layer.object_features(scope_of(w.manager), None)
    assert [(f["properties"]["name"], f["properties"]["colour"]) for f in objects] == [
        ("罐区（较大风险）", "#f28c1c")
    ]
    # the committee office sees both enterprises; the other enterprise only its own blue plot
    assert len(map_layer.plot_features(scope_of(w.committee), None)) == 2
    theirs = map_layer.plot_features(scope_of(w.other_user), None)
    assert [(f["id"], f["properties"]["colour"]) for f in theirs] == [(w.other_enterprise.pk, "#1f6fd1")]


def test_map_page_and_layer_endpoint(danger_world, client_for):
    from anjian.enterprises.models import Enterprise

    w = danger_world
    Enterprise.objects.filter(pk=w.enterprise.pk).update(plot_geojson=PLOT)
    _assessed(w.enterprise, "罐区", [(4, 5)], lon=Decimal("105.405"))
    client = client_for(w.manager)
    page = client.get("/risks/map/").content.decode()
    assert "四色风险分布图" in page and "risks.plots" in page
    body = client.get("/api/v1/geo/layers/risks.plots/").json()
    assert [f["properties"]["level"] for f in body["features"]] == ["major"]
    assert client_for(w.other_user).get("/api/v1/geo/layers/risks.plots/").json()["features"] == []


def test_risk_layers_are_cached_until_the_register_changes(danger_world, django_assert_num_queries):
    """Layer rows are kept per scope: a second read costs no query; an assessment (which saves the object's
    level), a move or a deletion shows on the next read."""
    from anjian.core.access import scope_of

    w = danger_world
    scope = scope_of(w.manager)
    tank = _assessed(w.enterprise, "罐区", [(1, 2)], lon=Decimal("105.405"))  # 低
    assert [f["properties"]["level"] for f in map_layer.object_features(scope, None)] == ["low"]
    with django_assert_num_queries(0):
        again = map_layer.object_features(scope, None)
    assert [f["id"] for f in again] == [tank.pk]
    # re-assessed to 重大: the object's level is saved, the cache dropped
    event = RiskEvent.objects.get(unit__risk_object=tank)
    actions.do_assess_event(event, acting_user=None, method="ls", likelihood=5, consequence=5)
    assert [f["properties"]["level"] for f in map_layer.object_features(scope, None)] == ["major"]
    # moved out of the box the map asks for, then deleted
    tank.refresh_from_db()
    tank.lon = Decimal("105.500")
    actions.do_save(tank, acting_user=w.manager)
    from anjian.domain.geodesy import BBox

    near = BBox.parse("105.40,39.20,105.41,39.21")
    assert map_layer.object_features(scope, near) == []
    assert len(map_layer.object_features(scope, None)) == 1
    RiskObject.objects.filter(pk=tank.pk).delete()
    assert map_layer.object_features(scope, None) == []


def test_risk_object_popup_loads_on_click_and_is_scoped(danger_world, client_for):
    w = danger_world
    tank = _assessed(w.enterprise, "罐区", [(4, 3)], lon=Decimal("105.405"))  # 较大
    body = client_for(w.manager).get("/api/v1/geo/layers/risks.objects/").json()
    assert body["features"][0]["properties"]["popup"] == []  # drawn without, loaded on click
    url = f"/api/v1/geo/layers/risks.objects/features/{tank.pk}/"
    popup = client_for(w.manager).get(url).json()
    assert popup["name"] == "罐区（较大风险）"
    assert ["风险分析单元", "1"] in popup["popup"] and ["企业", w.enterprise.display_name] in popup["popup"]
    assert client_for(w.other_user).get(url).status_code == 404
