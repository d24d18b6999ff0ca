"""The layer registry and its endpoint: scoping per role, bounding box, refusals; the map page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from anjian.geo import layers as layers_module
from anjian.geo.layers import MapLayer, feature_bounds, layers_for, point_feature, register_layer
from anjian.geo.tests.fixtures import GeoWorld

pytestmark = pytest.mark.django_db

URL = "/api/v1/geo/layers/"

# role → (sees A, sees B)
EXPECTED = {
    "committee": (True, True),
    "dept": (True, False),
    "other_dept": (False, True),
    "town": (True, False),
    "enterprise": (True, False),
    "other_enterprise": (False, True),
}


def _names(body: dict[str, Any]) -> set[str]:
    return {f["properties"]["name"] for f in body["features"]}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("key", ["enterprises", "enterprises.grade", "enterprises.plots"])
def test_layer_returns_only_what_the_role_may_see(
    geo_world: GeoWorld, api_client_for: Any, role: str, key: str
) -> None:
    # given
    api = api_client_for(geo_world.users[role])
    # when
    response = api.get(f"{URL}{key}/")
    # then
    assert response.status_code == 200
    names = _names(response.json())
    sees_a, sees_b = EXPECTED[role]
    assert (geo_world.a.display_name in names) is sees_a
    # B has no plot outline: it is on the point layers only.
    if key != "enterprises.plots":
        assert (geo_world.b.display_name in names) is sees_b
    else:
        assert geo_world.b.display_name not in names


def test_point_feature_carries_colour_and_its_popup_loads_on_click(
    geo_world: GeoWorld, api_client_for: Any
) -> None:
    api = api_client_for(geo_world.users["committee"])
    body = api.get(f"{URL}enterprises/").json()
    feat = next(f for f in body["features"] if f["id"] == geo_world.a.pk)
    assert feat["geometry"] == {"type": "Point", "coordinates": [105.25, 37.84]}
    assert feat["properties"] == {"name": geo_world.a.display_name, "colour": "#d32f2f", "kind": "major"}
    # the popup is asked for when the feature is clicked, from any of the enterprise layers
    for key in ("enterprises", "enterprises.grade", "enterprises.plots"):
        popup = api.get(f"{URL}{key}/features/{geo_world.a.pk}/").json()
        assert popup["url"] == f"/enterprises/{geo_world.a.pk}/"
        assert popup["name"] == geo_world.a.display_name
        assert ["两重点一重大", "重大危险源"] in popup["popup"] and ["所在镇", "腾格里镇"] in popup["popup"]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_popup_of_an_enterprise_the_role_may_not_see_is_404(
    geo_world: GeoWorld, api_client_for: Any, role: str
) -> None:
    api = api_client_for(geo_world.users[role])
    sees_a, sees_b = EXPECTED[role]
    for enterprise, sees in ((geo_world.a, sees_a), (geo_world.b, sees_b)):
        response = api.get(f"{URL}enterprises/features/{enterprise.pk}/")
        assert response.status_code == (200 if sees else 404)
    for bad in ("0", "abc", "1e5", "9" * 30, "-1"):
        response = api.get(f"{URL}enterprises/features/{bad}/")
        assert response.status_code == 404 and response.json()["code"]
    # a layer whose features carry their popups has no popup endpoint
    assert api.get(f"{URL}geo.roads/features/1/").status_code == 404


def test_enterprise_layers_use_few_queries_and_are_cached_until_a_change(
    geo_world: GeoWorld,
    api_client_for: Any,
    enterprise_factory: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from anjian.enterprises import actions as enterprise_actions

    for i in range(30):
        enterprise_factory(
            name=f"批量企业{i:02d}", town="腾格里镇", lon=Decimal("105.26"), lat=Decimal("37.85")
        )
    api = api_client_for(geo_world.users["committee"])
    # The first answer reads rows (one query for the points, whatever their number) …
    with django_assert_max_num_queries(6):
        first = api.get(f"{URL}enterprises/", {"bbox": "105.2,37.8,105.3,37.9"}).json()
    assert len(first["features"]) == 31
    # … the next answers come from the cache (session and user only).
    with django_assert_max_num_queries(3):
        api.get(f"{URL}enterprises/", {"bbox": "105.2,37.8,105.3,37.9"})
    # A change through the registry's action is seen at once (the cache generation moves on).
    enterprise_actions.do_update_enterprise(
        geo_world.a,
        {"lon": Decimal("105.27"), "lat": Decimal("37.86")},
        acting_user=geo_world.users["committee"],
    )
    again = api.get(f"{URL}enterprises/", {"bbox": "105.2,37.8,105.3,37.9"}).json()
    moved = next(f for f in again["features"] if f["id"] == geo_world.a.pk)
    assert moved["geometry"]["coordinates"] == [105.27, 37.86]


def test_bbox_filters_features(geo_world: GeoWorld, api_client_for: Any) -> None:
    api = api_client_for(geo_world.users["committee"])
    park = _names(api.get(f"{URL}enterprises/", {"bbox": "105.2,37.8,105.3,37.9"}).json())
    town = _names(api.get(f"{URL}enterprises/", {"bbox": "105.3,37.6,105.4,37.7"}).json())
    assert park == {geo_world.a.display_name}
    assert town == {geo_world.b.display_name}
    plots = _names(api.get(f"{URL}enterprises.plots/", {"bbox": "105.2505,37.8395,105.26,37.85"}).json())
    assert plots == {geo_world.a.display_name}


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "105.3,37.8,105.2,37.9", "105,37,106,nan", "0,-100,1,1"]
)
def test_bad_bbox_is_400_with_a_chinese_message(geo_world: GeoWorld, api_client_for: Any, bbox: str) -> None:
    response = api_client_for(geo_world.users["committee"]).get(f"{URL}enterprises/", {"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_bbox"
    assert "西经度" in response.json()["detail"]


def test_unknown_or_hidden_layer_is_404(geo_world: GeoWorld, api_client_for: Any, monkeypatch: Any) -> None:
    secret = MapLayer(
        "test.secret", "仅安委办", "测试", lambda s, b: [], visible=lambda scope: scope.sees_all
    )
    monkeypatch.setitem(layers_module._LAYERS, secret.key, secret)
    assert api_client_for(geo_world.users["committee"]).get(f"{URL}test.secret/").status_code == 200
    hidden = api_client_for(geo_world.users["dept"]).get(f"{URL}test.secret/")
    absent = api_client_for(geo_world.users["dept"]).get(f"{URL}no-such-layer/")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()
    keys = [m["key"] for m in api_client_for(geo_world.users["dept"]).get(URL).json()["layers"]]
    assert "test.secret" not in keys and "enterprises" in keys


def test_anonymous_gets_nothing(geo_world: GeoWorld, client: Any) -> None:
    assert client.get(f"{URL}enterprises/").status_code in (401, 403)
    assert client.get(URL).status_code in (401, 403)
    assert client.get("/geo/").status_code == 302


def test_layer_list_filters_by_keys(geo_world: GeoWorld, api_client_for: Any) -> None:
    body = api_client_for(geo_world.users["town"]).get(URL, {"keys": "enterprises,enterprises.plots"}).json()
    assert {m["key"] for m in body["layers"]} == {"enterprises", "enterprises.plots"}
    meta = next(m for m in body["layers"] if m["key"] == "enterprises")
    assert meta["default_visible"] is True and meta["geometry"] == "point" and meta["legend"]


def test_registry_refuses_bad_layers() -> None:
    with pytest.raises(ValueError):
        MapLayer("x", "x", "x", lambda s, b: [], geometry="circle")
    with pytest.raises(ValueError):
        MapLayer("a/b", "x", "x", lambda s, b: [])
    assert feature_bounds(point_feature(105, 37)) == (105.0, 37.0, 105.0, 37.0)
    assert feature_bounds({"geometry": None}) is None
    assert layers_for(None) == []
    assert register_layer(layers_module._LAYERS["enterprises"]).key == "enterprises"


def test_map_page_embeds_the_layers_the_user_may_see(geo_world: GeoWorld, client_for: Any) -> None:
    response = client_for(geo_world.users["enterprise"]).get("/geo/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="anjian-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert '"key": "enterprises"' in html and "geo/map.js" in html
    # The component loads nothing from the internet.
    assert "http://" not in html.split("<main")[1] and "https://" not in html.split("<main")[1]


def test_tiles_are_404_without_a_file_and_served_from_mbtiles(
    geo_world: GeoWorld, client_for: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    import sqlite3

    client = client_for(geo_world.users["town"])
    assert client.get("/geo/tiles/10/5/5/").status_code == 404
    path = tmp_path / "zone.mbtiles"
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE tiles (zoom_level int, tile_column int, tile_row int, tile_data blob)")
        # TMS row of XYZ (z=10, y=5) is 1023 - 5.
        db.execute("INSERT INTO tiles VALUES (10, 5, 1018, ?)", (png,))
    monkeypatch.setenv("ANJIAN_MAP_MBTILES", str(path))
    response = client.get("/geo/tiles/10/5/5/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png" and response.content == png
    assert client.get("/geo/tiles/10/5/6/").status_code == 404
    assert client.get("/geo/tiles/2/9/0/").status_code == 404
    assert "/geo/tiles/{z}/{x}/{y}/" in client.get("/geo/").content.decode()


def test_generated_base_map_is_served_as_offline_tiles(
    geo_world: GeoWorld, client_for: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    import io

    from django.core.management import call_command
    from PIL import Image

    from anjian.geo import actions
    from anjian.geo.choices import LandCover
    from anjian.geo.mbtiles import _world_px, tile_range, zoom_range
    from anjian.geo.models import Area
    from anjian.geo.zone import zone_bbox

    # given a lake on the base map
    lake = [[105.24, 37.83], [105.26, 37.83], [105.26, 37.85], [105.24, 37.85], [105.24, 37.83]]
    actions.do_save_area(
        Area(
            kind="base",
            code="B-1",
            name="湖",
            land_cover="water",
            geometry={"type": "Polygon", "coordinates": [lake]},
        ),
        acting_user=None,
    )
    # when the command renders the stored geography into an MBTiles file
    path = tmp_path / "zone.mbtiles"
    call_command("geo", "tiles", str(path), "--min-zoom", "11", "--max-zoom", "13")
    assert zoom_range(str(path)) == (11, 13)
    monkeypatch.setenv("ANJIAN_MAP_MBTILES", str(path))
    # then the tile under the lake's centre is served, and that pixel has the lake's colour
    client = client_for(geo_world.users["town"])
    x, y = _world_px(105.25, 37.84, 13)
    response = client.get(f"/geo/tiles/13/{int(x // 256)}/{int(y // 256)}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    pixel = Image.open(io.BytesIO(response.content)).convert("RGB").getpixel((int(x % 256), int(y % 256)))
    water = LandCover.colour_of("water").lstrip("#")
    assert all(abs(p - int(water[i * 2 : i * 2 + 2], 16)) <= 3 for i, p in enumerate(pixel))
    # the map is configured with the file's zoom range (no tile is asked below it)
    config = client.get("/geo/").content.decode()
    assert '"tiles_min_zoom": 11' in config and '"tiles_max_zoom": 13' in config
    xs, _ys = tile_range(zone_bbox(), 11)
    assert client.get(f"/geo/tiles/10/{xs[0] // 2}/0/").status_code == 404
