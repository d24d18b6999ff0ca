"""Pages of the park map: registers with a map, the editor's form path, GeoJSON in/out, locations, the map tab."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.core.models import AuditEntry
from anjian.domain.geodesy import wgs84_to_gcj02
from anjian.geo import actions
from anjian.geo.models import Area, Road
from anjian.geo.tests.fixtures import GeoWorld

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[105.20, 37.80], [105.21, 37.80], [105.21, 37.81], [105.20, 37.81], [105.20, 37.80]]],
}


@pytest.fixture
def zone_area() -> Area:
    return actions.do_save_area(
        Area(kind="functional", code="FZ-1", name="西部生产区", function="production", geometry=SQUARE),
        acting_user=None,
    )


def test_register_pages_show_table_and_map(geo_world: GeoWorld, client_for: Any, zone_area: Area) -> None:
    client = client_for(geo_world.users["dept"])
    html = client.get("/geo/areas/?kind=functional").content.decode()
    assert "西部生产区" in html and 'class="anjian-map"' in html and "在地图上新增" not in html
    assert client.get("/geo/roads/").status_code == 200
    assert client.get("/geo/areas/?kind=nope").status_code == 404
    html = client_for(geo_world.users["committee"]).get("/geo/areas/?kind=functional").content.decode()
    assert "在地图上新增" in html


def test_editor_form_reshapes_through_the_action(
    geo_world: GeoWorld, client_for: Any, zone_area: Area
) -> None:
    client = client_for(geo_world.users["committee"])
    assert "geo/editor.js" in client.get(f"/geo/areas/{zone_area.pk}/edit/").content.decode()
    moved = {
        "type": "Polygon",
        "coordinates": [
            [[105.20, 37.80], [105.22, 37.80], [105.22, 37.81], [105.20, 37.81], [105.20, 37.80]]
        ],
    }
    data = {
        "code": "FZ-1",
        "name": "西部生产区",
        "function": "production",
        "note": "",
        "geometry_text": json.dumps(moved),
        "crs": "wgs84",
        "reason": "扩区",
    }
    response = client.post(f"/geo/areas/{zone_area.pk}/edit/", data)
    assert response.status_code == 302
    zone_area.refresh_from_db()
    assert zone_area.geometry == moved
    entry = AuditEntry.objects.filter(object_id=str(zone_area.pk)).latest("id")
    assert entry.reason == "扩区" and entry.before["geometry"] == SQUARE
    # A self-intersecting shape is refused with the reason on the form, nothing saved.
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[105.20, 37.80], [105.21, 37.81], [105.21, 37.80], [105.20, 37.81], [105.20, 37.80]]
        ],
    }
    response = client.post(f"/geo/areas/{zone_area.pk}/edit/", {**data, "geometry_text": json.dumps(bowtie)})
    assert response.status_code == 400 and "自相交" in response.content.decode()
    zone_area.refresh_from_db()
    assert zone_area.geometry == moved


def test_editor_converts_gcj02_input(geo_world: GeoWorld, client_for: Any) -> None:
    client = client_for(geo_world.users["committee"])
    line = [[105.20, 37.80], [105.20, 37.82]]
    gcj = [list(wgs84_to_gcj02(x, y)) for x, y in line]
    data = {
        "code": "R-1",
        "name": "经一路",
        "grade": "branch",
        "width_m": "12",
        "in_park": "on",
        "note": "",
        "geometry_text": json.dumps({"type": "LineString", "coordinates": gcj}),
        "crs": "gcj02",
        "reason": "",
    }
    assert client.post("/geo/roads/new/", data).status_code == 302
    stored = Road.objects.get().geometry["coordinates"]
    assert stored[0] == pytest.approx([105.20, 37.80], abs=1e-6)
    assert "GCJ-02" in client.get("/geo/roads/new/").content.decode()


def test_only_the_office_creates_and_others_get_403_or_404(
    geo_world: GeoWorld, client_for: Any, zone_area: Area
) -> None:
    for role in ("dept", "town", "enterprise"):
        client = client_for(geo_world.users[role])
        assert client.get("/geo/areas/new/functional/").status_code == 403
        assert client.get(f"/geo/areas/{zone_area.pk}/edit/").status_code == 403
        # the import page offers a department only the registry's layers (enterprise points and plots)
        page = client.get("/geo/import/")
        if role == "enterprise":
            assert page.status_code == 403
        else:
            assert [v for v, _l in page.context["form"].fields["target"].choices] == ["enterprises", "plots"]
    assert client_for(geo_world.users["committee"]).get("/geo/areas/999999/edit/").status_code == 404


def test_import_page_saves_nothing_from_a_bad_file(geo_world: GeoWorld, client_for: Any) -> None:
    client = client_for(geo_world.users["committee"])
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A", "name": "好", "function": "public"},
                "geometry": SQUARE,
            },
            {
                "type": "Feature",
                "properties": {"code": "B", "name": "坏", "function": "public"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[105.2, 37.8], [105.21, 37.81], [105.21, 37.8], [105.2, 37.81], [105.2, 37.8]]
                    ],
                },
            },
        ],
    }
    upload = SimpleUploadedFile(
        "zones.geojson", json.dumps(bad).encode(), content_type="application/geo+json"
    )
    response = client.post("/geo/import/", {"target": "functional", "file": upload, "crs": "wgs84"})
    html = response.content.decode()
    assert response.status_code == 400 and "自相交" in html and "没有保存任何要素" in html
    assert not Area.objects.exists()
    upload = SimpleUploadedFile(
        "zones.geojson", json.dumps({**bad, "features": bad["features"][:1]}).encode()
    )
    assert (
        client.post("/geo/import/", {"target": "functional", "file": upload, "crs": "wgs84"}).status_code
        == 200
    )
    exported = client.get("/geo/export/functional.geojson")
    assert exported["Content-Type"].startswith("application/geo+json")
    assert json.loads(exported.content)["features"][0]["properties"]["name"] == "好"


def test_location_form_converts_gcj02_and_refuses_points_outside(
    geo_world: GeoWorld, client_for: Any
) -> None:
    client = client_for(geo_world.users["dept"])
    url = f"/geo/enterprises/{geo_world.a.pk}/location/"
    lon, lat = wgs84_to_gcj02(105.26, 37.85)
    response = client.post(
        url, {"lon": f"{lon:.7f}", "lat": f"{lat:.7f}", "crs": "gcj02", "reason": "高德拾取"}
    )
    assert response.status_code == 302
    geo_world.a.refresh_from_db()
    assert (geo_world.a.lon, geo_world.a.lat) == (Decimal("105.260000"), Decimal("37.850000"))
    response = client.post(url, {"lon": "116.4", "lat": "39.9", "crs": "wgs84"})
    assert response.status_code == 400 and "不在示范区范围内" in response.content.decode()
    response = client.post(url, {"lon": "37.85", "lat": "105.26", "crs": "wgs84"})
    assert "填反" in response.content.decode()
    # another department's enterprise answers 404; the enterprise itself may not move its own marker
    assert client.get(f"/geo/enterprises/{geo_world.b.pk}/location/").status_code == 404
    assert client_for(geo_world.users["enterprise"]).get(url).status_code == 403


def test_enterprise_map_tab_shows_place_and_only_visible_neighbours(
    geo_world: GeoWorld, client_for: Any, enterprise_factory: Any, zone_area: Area
) -> None:
    # given: a neighbour 300 m east of A supervised by another department
    enterprise_factory(
        name="丙邻近企业",
        industry="construction",
        town="腾格里镇",
        lon=Decimal("105.253400"),
        lat=Decimal("37.840000"),
    )
    enterprise_factory(
        name="丁邻近化工",
        industry="hazchem_production",
        town="腾格里镇",
        lon=Decimal("105.251000"),
        lat=Decimal("37.840000"),
    )
    # when
    committee = (
        client_for(geo_world.users["committee"])
        .get(f"/enterprises/{geo_world.a.pk}/?tab=map")
        .content.decode()
    )
    dept = client_for(geo_world.users["dept"]).get(f"/enterprises/{geo_world.a.pk}/?tab=map").content.decode()
    # then
    assert "丙邻近企业" in committee and "丁邻近化工" in committee and "米" in committee
    assert "丁邻近化工" in dept and "丙邻近企业" not in dept
    assert 'class="anjian-map"' in dept and "WGS 84" in dept
    info = client_for(geo_world.users["committee"]).get(f"/enterprises/{geo_world.a.pk}/").content.decode()
    assert "105.250000, 37.840000" not in info
