"""Fire pages: the compliance map and list, facility pages with inspections, GeoJSON import/export."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from anjian.fire.models import FireRoad, Inspection
from anjian.fire.tests.fixtures import park_point

pytestmark = pytest.mark.django_db


def test_compliance_page_lists_what_to_fix(hydrant_factory, client_for, user_factory):
    a, b = park_point(0, 0), park_point(400, 0)
    FireRoad.objects.create(
        code="R1",
        name="纬一路",
        width_m=20,
        geometry={
            "type": "LineString",
            "coordinates": [[float(a[0]), float(a[1])], [float(b[0]), float(b[1])]],
        },
    )
    hydrant_factory(0, 10)
    client = client_for(user_factory(role="committee", org="安委会办公室"))
    html = client.get("/fire/").content.decode()
    assert "消火栓间距不大于120米" in html and "纬一路" in html and "增设" in html
    assert client.get("/fire/hydrants/").status_code == 200
    assert client.get("/fire/pool/").status_code == 200
    assert client.get("/fire/nope/").status_code == 404
    exported = json.loads(client.get("/fire/layers.geojson").content)
    assert {f["properties"]["kind"] for f in exported["features"]} == {"hydrant", "road"}


def test_inspection_with_photo_updates_the_hydrant(hydrant_factory, client_for, user_factory):
    hydrant = hydrant_factory(0, 0)
    client = client_for(user_factory(role="committee", org="安委会办公室"))
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    buf.seek(0)
    buf.name = "p.jpg"
    response = client.post(
        f"/fire/hydrant/{hydrant.pk}/",
        {
            "inspected_on": "2025-06-01",
            "inspector": "张三",
            "pressure_mpa": "0.35",
            "result": "ok",
            "photo": buf,
        },
    )
    assert response.status_code == 302
    hydrant.refresh_from_db()
    assert str(hydrant.pressure_mpa) == "0.35"
    assert Inspection.objects.get(hydrant=hydrant).photo


def test_import_page_refuses_other_roles(client_for, enterprise_factory, enterprise_user_factory):
    user = enterprise_user_factory(enterprise_factory())
    assert client_for(user).get("/fire/import/").status_code == 403


def test_map_features_for_the_park_map(hydrant_factory, user_factory):
    from anjian.emergency import maps as emergency_maps
    from anjian.fire import maps

    a, b = park_point(0, 0), park_point(400, 0)
    FireRoad.objects.create(
        code="R1",
        name="纬一路",
        width_m=20,
        geometry={
            "type": "LineString",
            "coordinates": [[float(a[0]), float(a[1])], [float(b[0]), float(b[1])]],
        },
    )
    hydrant_factory(0, 10)
    hydrant_factory(50, 10, status="damaged")
    committee = user_factory(role="committee", org="安委会办公室")
    colours = sorted(f["properties"]["colour"] for f in maps.hydrant_features(committee))
    assert colours == ["#2c6fbb", "#e74c3c"]
    gaps = maps.gap_features(committee)
    assert [g["geometry"]["type"] for g in gaps] == ["LineString"]
    assert emergency_maps.resource_features(committee) == []


def test_inspection_photo_is_bounded_by_the_upload_limit(hydrant_factory, client_for, user_factory, settings):
    # given: an upload limit of 1 KB and a real JPEG of several KB
    settings.ANJIAN_ATTACHMENT_MAX_BYTES = 1024
    hydrant = hydrant_factory(0, 0)
    client = client_for(user_factory(role="committee", org="安委会办公室"))
    buf = io.BytesIO()
    Image.effect_noise((64, 64), 80).convert("RGB").save(buf, "JPEG", quality=95)
    buf.seek(0)
    buf.name = "p.jpg"
    # when
    response = client.post(
        f"/fire/hydrant/{hydrant.pk}/",
        {"inspected_on": "2025-06-01", "inspector": "张三", "result": "ok", "photo": buf},
    )
    # then: the form says why, nothing stored
    assert response.status_code == 200
    assert "照片不能超过" in response.content.decode()
    assert not Inspection.objects.filter(hydrant=hydrant).exists()
