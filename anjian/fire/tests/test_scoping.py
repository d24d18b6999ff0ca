"""Fire registers: the park's facilities are read by every government and enterprise user; an enterprise's
own facilities only by it (another enterprise's answer 404); compliance and GeoJSON are park-wide."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from anjian.fire.models import FirePool, FireRoad, FireZone, Inspection
from anjian.fire.tests.fixtures import park_point

pytestmark = pytest.mark.django_db

COVERED_API_ROUTES = [
    "/api/v1/fire/hydrants/",
    "/api/v1/fire/hydrants/compliance/",
    "/api/v1/fire/hydrants/geojson/",
    "/api/v1/fire/pools/",
    "/api/v1/fire/foam-stations/",
    "/api/v1/fire/stations/",
    "/api/v1/fire/roads/",
    "/api/v1/fire/zones/",
    "/api/v1/fire/inspections/",
]


@pytest.fixture
def world(enterprise_factory, enterprise_user_factory, user_factory, hydrant_factory):
    a = enterprise_factory(name="甲化工有限公司", town="腾格里镇")
    b = enterprise_factory(name="乙建筑有限公司", industry="construction", town="孛井滩镇")
    park = hydrant_factory(0, 10, code="P-001", name="园区栓")
    own_a = hydrant_factory(100, 10, code="A-001", name="甲栓", enterprise=a)
    own_b = hydrant_factory(200, 10, code="B-001", name="乙栓", enterprise=b)
    for h in (park, own_a, own_b):
        Inspection.objects.create(
            hydrant=h, inspected_on=dt.date(2025, 5, 1), inspector="张三", pressure_mpa=Decimal("0.3")
        )
    users = {
        "committee": user_factory(role="committee", org="安委会办公室"),
        "dept": user_factory(role="dept", org="应急管理局"),
        "town": user_factory(role="dept", org="孛井滩镇"),
        "ent_a": enterprise_user_factory(a),
        "ent_b": enterprise_user_factory(b),
    }
    return {"users": users, "a": own_a, "b": own_b, "park": park}


EXPECTED = {
    "committee": {"P-001", "A-001", "B-001"},
    "dept": {"P-001", "A-001", "B-001"},
    "town": {"P-001", "A-001", "B-001"},
    "ent_a": {"P-001", "A-001"},
    "ent_b": {"P-001", "B-001"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_hydrants_and_inspections_per_role(world, api_client_for, role):
    api = api_client_for(world["users"][role])
    codes = {h["code"] for h in api.get("/api/v1/fire/hydrants/").json()["results"]}
    assert codes == EXPECTED[role]
    inspected = {i["hydrant"] for i in api.get("/api/v1/fire/inspections/").json()["results"]}
    assert inspected == {h.pk for h in (world["park"], world["a"], world["b"]) if h.code in EXPECTED[role]}
    for url in COVERED_API_ROUTES:
        assert api.get(url).status_code == 200, url


def test_other_enterprise_facility_answers_404(world, api_client_for):
    api = api_client_for(world["users"]["ent_a"])
    absent = api.get("/api/v1/fire/hydrants/999999/")
    hidden = api.get(f"/api/v1/fire/hydrants/{world['b'].pk}/")
    assert (hidden.status_code, hidden.json()) == (404, absent.json())
    assert (
        api.patch(f"/api/v1/fire/hydrants/{world['b'].pk}/", {"name": "x"}, format="json").status_code == 404
    )
    # the park's hydrant is read, not changed
    assert (
        api.patch(f"/api/v1/fire/hydrants/{world['park'].pk}/", {"name": "x"}, format="json").status_code
        == 403
    )
    response = api.post(
        "/api/v1/fire/inspections/",
        {"hydrant": world["b"].pk, "inspected_on": "2025-06-01", "inspector": "李四"},
        format="json",
    )
    assert response.status_code == 404


def test_compliance_on_stored_layers_and_geojson_round_trip(world, api_client_for):
    api = api_client_for(world["users"]["committee"])
    lon0, lat0 = park_point(0, 0)
    lon1, lat1 = park_point(400, 0)
    FireRoad.objects.create(
        code="R1",
        name="纬一路",
        width_m=20,
        geometry={
            "type": "LineString",
            "coordinates": [[float(lon0), float(lat0)], [float(lon1), float(lat1)]],
        },
    )
    lon, lat = park_point(50, 50)
    FirePool.objects.create(code="W1", name="1号水池", lon=lon, lat=lat, volume_m3=Decimal(500))
    FireZone.objects.create(code="Z1", name="罐区", design_flow_lps=Decimal(45))
    body = api.get("/api/v1/fire/hydrants/compliance/").json()
    assert body["counts"]["hydrant_spacing"] == 1  # 200 m → 400 m end stretch
    assert body["counts"]["pool_capacity"] == 1
    assert all(v["fix"] for v in body["violations"])
    exported = api.get("/api/v1/fire/hydrants/geojson/").json()
    kinds = sorted(f["properties"]["kind"] for f in exported["features"])
    assert kinds == ["fire_pool", "fire_zone", "hydrant", "hydrant", "hydrant", "road"]
    # re-import the export with a bigger pool: one update, nothing else changes
    for f in exported["features"]:
        if f["properties"]["kind"] == "fire_pool":
            f["properties"]["volume_m3"] = 1000
    upload = io.BytesIO(json.dumps(exported).encode())
    upload.name = "layers.geojson"
    report = api.post("/api/v1/fire/hydrants/geojson-import/", {"file": upload}, format="multipart").json()
    assert report == {"created": 0, "updated": 1, "errors": []}
    assert api.get("/api/v1/fire/hydrants/compliance/").json()["counts"]["pool_capacity"] == 0


def test_import_refuses_bad_features_and_saves_nothing(world, api_client_for):
    api = api_client_for(world["users"]["committee"])
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "N1", "kind": "hydrant"}, "geometry": {"type": "Point", "coordinates": [105.0, 37.9]}},
        {"type": "Feature", "properties": {"id": "N2", "kind": "fire_pool"}, "geometry": {"type": "Point", "coordinates": [105.0, 37.9]}},
    ]}  # fmt: skip
    upload = io.BytesIO(json.dumps(fc).encode())
    upload.name = "x.geojson"
    response = api.post("/api/v1/fire/hydrants/geojson-import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "第2个要素" in response.json()["errors"][0]
    assert not FirePool.objects.exists()
    assert (
        api_client_for(world["users"]["ent_a"])
        .post("/api/v1/fire/hydrants/geojson-import/", {}, format="multipart")
        .status_code
        == 403
    )
