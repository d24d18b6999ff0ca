"""Per role, the emergency lists show only what the role may see; another enterprise's objects answer 404.

World: enterprise 甲 (危化生产, 腾格里镇, supervised by 应急管理局) and enterprise 乙 (建筑施工, 孛井滩镇,
supervised by 住建交通局), each with a plan, a resource, a drill with an improvement, an incident and a
footprint; plus zone-level rows of 应急管理局 (marker 区级).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.emergency import actions
from anjian.emergency.models import Drill, EmergencyPlan, Footprint

pytestmark = pytest.mark.django_db

COVERED_API_ROUTES = [
    "/api/v1/emergency/plans/",
    "/api/v1/emergency/resources/",
    "/api/v1/emergency/resources/nearest/",
    "/api/v1/emergency/drills/",
    "/api/v1/emergency/improvements/",
    "/api/v1/emergency/incidents/",
    "/api/v1/emergency/footprints/",
]

LISTS = {
    "plans": ("/api/v1/emergency/plans/", "title"),
    "resources": ("/api/v1/emergency/resources/", "name"),
    "drills": ("/api/v1/emergency/drills/", "title"),
    "improvements": ("/api/v1/emergency/improvements/", "description"),
    "incidents": ("/api/v1/emergency/incidents/", "title"),
    "footprints": ("/api/v1/emergency/footprints/", "name"),
}


def _rows(owner_kwargs, marker, incident_factory, resource_factory):
    plan = actions.do_save_plan(
        EmergencyPlan(
            title=f"{marker}预案", kind="comprehensive", approved_on=dt.date(2024, 1, 1), **owner_kwargs
        ),
        acting_user=None,
    )
    resource_factory(name=f"{marker}资源", **{k: v for k, v in owner_kwargs.items() if k != "level"})
    drill = actions.do_record_drill(
        Drill(title=f"{marker}演练", held_on=dt.date(2025, 5, 1), scenario="泄漏", plan=plan,
              **{k: v for k, v in owner_kwargs.items() if k != "level"}),
        acting_user=None,
    )  # fmt: skip
    actions.do_add_improvement(drill, description=f"{marker}整改", acting_user=None)
    incident = incident_factory(
        title=f"{marker}事故", **{k: v for k, v in owner_kwargs.items() if k != "level"}
    )
    actions.do_compute_footprint(
        Footprint(name=f"{marker}范围", substance="氨", lon=Decimal("105.02"), lat=Decimal("37.88"), release_gs=100,
                  wind_speed=3, wind_from_deg=90, level1_mg_m3=210, level2_mg_m3=17, incident=incident),
        acting_user=None,
    )  # fmt: skip
    return {"plan": plan, "drill": drill, "incident": incident}


@pytest.fixture
def world(
    enterprise_factory, enterprise_user_factory, user_factory, unit, incident_factory, resource_factory
):
    a = enterprise_factory(name="甲化工有限公司", town="腾格里镇")
    b = enterprise_factory(name="乙建筑有限公司", industry="construction", town="孛井滩镇")
    rows = {
        "甲": _rows({"enterprise": a, "level": "enterprise"}, "甲", incident_factory, resource_factory),
        "乙": _rows({"enterprise": b, "level": "enterprise"}, "乙", incident_factory, resource_factory),
        "区级": _rows(
            {"owner_unit": unit("应急管理局"), "level": "department"},
            "区级",
            incident_factory,
            resource_factory,
        ),
    }
    users = {
        "committee": user_factory(role="committee", org="安委会办公室"),
        "dept": user_factory(role="dept", org="应急管理局"),
        "ent_a": enterprise_user_factory(a),
        "ent_b": enterprise_user_factory(b),
        "town_b": user_factory(role="dept", org="孛井滩镇"),
    }
    return {"a": a, "b": b, "rows": rows, "users": users}


# which markers each role sees in each list
EXPECTED = {
    "committee": {name: {"甲", "乙", "区级"} for name in LISTS},
    "dept": {name: {"甲", "区级"} for name in LISTS},
    "town_b": {name: {"乙", "区级"} for name in LISTS},
    # zone-level rescue resources are public: an enterprise reads them (never another enterprise's)
    "ent_a": {**{name: {"甲"} for name in LISTS}, "resources": {"甲", "区级"}},
    "ent_b": {**{name: {"乙"} for name in LISTS}, "resources": {"乙", "区级"}},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_lists_show_only_what_the_role_may_see(world, api_client_for, role):
    api = api_client_for(world["users"][role])
    for name, (url, field) in LISTS.items():
        body = api.get(url).json()
        seen = {
            row[field]
            .split("预案")[0]
            .split("资源")[0]
            .split("演练")[0]
            .split("整改")[0]
            .split("事故")[0]
            .split("范围")[0]
            for row in body["results"]
        }
        assert seen == EXPECTED[role][name], (role, name, seen)


@pytest.mark.parametrize("role", ["ent_a", "dept"])
def test_other_enterprise_objects_answer_404(world, api_client_for, role):
    api = api_client_for(world["users"][role])
    other = world["rows"]["乙"]
    absent = api.get("/api/v1/emergency/incidents/999999/")
    hidden = api.get(f"/api/v1/emergency/incidents/{other['incident'].pk}/")
    assert (hidden.status_code, hidden.json()) == (404, absent.json())
    assert api.get(f"/api/v1/emergency/plans/{other['plan'].pk}/").status_code == 404
    assert api.get(f"/api/v1/emergency/drills/{other['drill'].pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/emergency/incidents/{other['incident'].pk}/respond/", {}, format="json"
        ).status_code
        == 404
    )
    # nor can a drill of 乙 receive an improvement from them
    response = api.post(
        "/api/v1/emergency/improvements/", {"drill": other["drill"].pk, "description": "x"}, format="json"
    )
    assert response.status_code == 404


def test_nearest_lists_only_visible_resources(world, api_client_for):
    api = api_client_for(world["users"]["ent_a"])
    body = api.get("/api/v1/emergency/resources/nearest/", {"lon": 105.02, "lat": 37.88, "limit": 10}).json()
    assert {r["name"] for r in body} == {"甲资源", "区级资源"}
    assert api.get("/api/v1/emergency/resources/nearest/", {"lon": "x", "lat": 1}).status_code == 400


def test_enterprise_reports_its_own_incident_by_phone(world, api_client_for):
    api = api_client_for(world["users"]["ent_a"])
    occurred = timezone.now() - dt.timedelta(minutes=30)
    response = api.post(
        "/api/v1/emergency/incidents/",
        {"title": "甲罐区泄漏", "place": "罐区", "occurred_at": occurred.isoformat(), "known_at": occurred.isoformat(),
         "deaths": 0, "injuries": 10, "loss_cny": "0"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["grade_display"] == "较大" and body["grade_by"] == "injuries"
    assert body["enterprise"] == world["a"].pk
    assert [c["key"] for c in body["checklist"]] == ["unit", "city", "province"]
    # but not for the other enterprise
    response = api.post(
        "/api/v1/emergency/incidents/",
        {"title": "x", "place": "x", "occurred_at": occurred.isoformat(), "known_at": occurred.isoformat(),
         "enterprise": world["b"].pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 404


def test_commander_reads_but_does_not_write(world, api_client_for, user_factory):
    commander = user_factory(role="commander", org="应急管理局")
    api = api_client_for(commander)
    assert api.get("/api/v1/emergency/incidents/").json()["count"] == 3
    incident = world["rows"]["甲"]["incident"]
    assert (
        api.post(f"/api/v1/emergency/incidents/{incident.pk}/respond/", {}, format="json").status_code == 403
    )
