"""The registry's point and plot layers in and out: GeoJSON (all or nothing), the Excel of points, the plot
editor, and the enterprise map beside the list with the list's filters."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from anjian.core.models import AuditEntry
from anjian.domain.geodesy import wgs84_to_gcj02
from anjian.enterprises.models import Enterprise
from anjian.geo.enterprise_io import export_enterprise_collection, import_enterprise_collection
from anjian.geo.tests.fixtures import GeoWorld

pytestmark = pytest.mark.django_db


def _fc(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _point(uscc: str, lon: float, lat: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"uscc": uscc, "name": "某企业"},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def _plot(uscc: str, ring: list[list[float]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"uscc": uscc},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _square(lon: float, lat: float, d: float = 0.001) -> list[list[float]]:
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


def _audits() -> int:
    return AuditEntry.objects.filter(object_type__model="enterprise").count()


# ---------------------------------------------------------------------------------------------
# GeoJSON
# ---------------------------------------------------------------------------------------------


def test_point_file_with_bad_features_reports_each_and_moves_nothing(geo_world: GeoWorld) -> None:
    # given: a department (应急管理局 supervises A, not B) and a file with one good point and four bad ones
    dept = geo_world.users["dept"]
    a, b = geo_world.a, geo_world.b
    data = _fc(
        _point(a.uscc, 105.26, 37.85),  # good
        _point(a.uscc.lower(), 105.27, 37.86),  # the same enterprise twice
        _point(b.uscc, 105.36, 37.66),  # another department's enterprise
        _point("91150000MA0000000X", 105.26, 37.85),  # no such enterprise
        _point(a.uscc, 37.85, 105.26),  # lat/lon swapped
    )
    before = _audits()
    # when
    result = import_enterprise_collection("enterprises", data, acting_user=dept)
    # then: a message per bad feature, nothing saved
    assert not result.ok and result.error_count == 4
    errors = {r.index: " ".join(r.errors) for r in result.features}
    assert errors[1] == ""
    assert "第 1 个要素是同一企业" in errors[2]
    assert "没有您可修改的该企业" in errors[3] and "没有您可修改的该企业" in errors[4]
    assert "纬度写在了前面" in errors[5]
    a.refresh_from_db()
    assert (a.lon, a.lat) == (Decimal("105.250000"), Decimal("37.840000"))
    assert _audits() == before


def test_points_outside_the_zone_are_refused_and_a_good_file_is_saved_and_audited(
    geo_world: GeoWorld, committee_user: Any
) -> None:
    a, b = geo_world.a, geo_world.b
    outside = import_enterprise_collection(
        "enterprises", _fc(_point(a.uscc, 116.40, 39.90)), acting_user=committee_user
    )
    assert "不在示范区范围内" in outside.features[0].errors[0]
    before = _audits()
    result = import_enterprise_collection(
        "enterprises",
        _fc(_point(a.uscc, 105.26, 37.85), _point(b.uscc, 105.35, 37.65)),
        acting_user=committee_user,
        reason="GPS 复核",
    )
    assert result.ok and result.updated == 1 and result.unchanged == 1
    a.refresh_from_db()
    assert (a.lon, a.lat) == (Decimal("105.260000"), Decimal("37.850000"))
    assert _audits() == before + 1
    # the export imports back unchanged
    again = import_enterprise_collection(
        "enterprises",
        json.dumps(export_enterprise_collection("enterprises", committee_user)).encode(),
        acting_user=committee_user,
    )
    assert again.ok and again.unchanged == 2 and _audits() == before + 1


def test_gcj02_points_are_converted(geo_world: GeoWorld, committee_user: Any) -> None:
    lon, lat = wgs84_to_gcj02(105.262, 37.852)
    result = import_enterprise_collection(
        "enterprises", _fc(_point(geo_world.a.uscc, lon, lat)), acting_user=committee_user, gcj02=True
    )
    assert result.ok
    geo_world.a.refresh_from_db()
    assert (geo_world.a.lon, geo_world.a.lat) == (Decimal("105.262000"), Decimal("37.852000"))


def test_plot_file_refuses_self_intersecting_outlines_and_saves_good_ones(
    geo_world: GeoWorld, committee_user: Any
) -> None:
    a, b = geo_world.a, geo_world.b
    bow_tie = [[105.35, 37.65], [105.351, 37.651], [105.351, 37.65], [105.35, 37.651], [105.35, 37.65]]
    bad = import_enterprise_collection(
        "plots",
        _fc(_plot(a.uscc, _square(105.25, 37.84)), _plot(b.uscc, bow_tie)),
        acting_user=committee_user,
    )
    assert not bad.ok and "自相交" in bad.features[1].errors[0]
    b.refresh_from_db()
    assert b.plot_geojson is None
    point_as_plot = import_enterprise_collection(
        "plots", _fc(_point(b.uscc, 105.35, 37.65)), acting_user=committee_user
    )
    assert "Polygon" in point_as_plot.features[0].errors[0]
    good = import_enterprise_collection(
        "plots", _fc(_plot(b.uscc, _square(105.35, 37.65))), acting_user=committee_user
    )
    assert good.ok and good.updated == 1
    b.refresh_from_db()
    assert b.plot_geojson["type"] == "Polygon"
    names = {
        f["properties"]["name"] for f in export_enterprise_collection("plots", committee_user)["features"]
    }
    assert names == {a.name, b.name}


def test_enterprise_geojson_pages_respect_who_may_place(geo_world: GeoWorld, client_for: Any) -> None:
    upload = SimpleUploadedFile("p.geojson", _fc(_point(geo_world.a.uscc, 105.26, 37.85)))
    dept = client_for(geo_world.users["dept"])
    # a department places its own enterprises (but does not import the zone's geography)
    response = dept.post("/geo/import/", {"target": "enterprises", "crs": "wgs84", "file": upload})
    assert response.status_code == 200 and "更新 1" in response.content.decode()
    upload.seek(0)
    assert (
        dept.post("/geo/import/", {"target": "functional", "crs": "wgs84", "file": upload}).status_code == 403
    )
    assert client_for(geo_world.users["enterprise"]).get("/geo/import/").status_code == 403
    # export: each user gets what they may see
    body = client_for(geo_world.users["other_dept"]).get("/geo/export/enterprises.geojson").json()
    assert [f["properties"]["uscc"] for f in body["features"]] == [geo_world.b.uscc]


# ---------------------------------------------------------------------------------------------
# Excel of points
# ---------------------------------------------------------------------------------------------


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "经度", "纬度"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_points_excel_round_trip_and_row_errors(geo_world: GeoWorld, client_for: Any) -> None:
    client = client_for(geo_world.users["committee"])
    # export: one row per visible enterprise with its location
    exported = client.get("/geo/enterprises/points.xlsx")
    ws = load_workbook(io.BytesIO(exported.content)).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert float(rows[geo_world.a.uscc][2]) == 105.25 and float(rows[geo_world.a.uscc][3]) == 37.84
    # import: good rows saved, bad rows reported by row and reason
    data = _workbook(
        [
            [geo_world.a.uscc, "", 105.27, 37.86],
            [geo_world.b.uscc, "", 116.40, 39.90],  # outside the zone
            [geo_world.b.uscc.lower() + "x", "", 105.3, 37.7],  # not a stored code
            ["91150000MA0000000X", "", 105.3, 37.7],  # unknown
        ]
    )
    before = _audits()
    response = client.post(
        "/geo/enterprises/points/import/",
        {"crs": "wgs84", "file": SimpleUploadedFile("p.xlsx", data)},
    )
    assert response.status_code == 400
    report = response.context["report"]
    assert report.updated == 1 and report.rejected == 3
    reasons = {e.row: e.reason for e in report.errors}
    assert "不在示范区范围内" in reasons[3]
    assert "没有您可修改的该企业" in reasons[5]
    geo_world.a.refresh_from_db()
    assert (geo_world.a.lon, geo_world.a.lat) == (Decimal("105.270000"), Decimal("37.860000"))
    assert _audits() == before + 1


def test_points_excel_converts_gcj02_and_only_government_users_import(
    geo_world: GeoWorld, client_for: Any
) -> None:
    lon, lat = wgs84_to_gcj02(105.251, 37.841)
    data = _workbook([[geo_world.a.uscc, "", round(lon, 7), round(lat, 7)]])
    dept = client_for(geo_world.users["dept"])
    response = dept.post(
        "/geo/enterprises/points/import/", {"crs": "gcj02", "file": SimpleUploadedFile("p.xlsx", data)}
    )
    assert response.status_code == 200
    geo_world.a.refresh_from_db()
    assert (geo_world.a.lon, geo_world.a.lat) == (Decimal("105.251000"), Decimal("37.841000"))
    # another department's enterprise is refused like an unknown one; an enterprise user may not import
    other = client_for(geo_world.users["other_dept"]).post(
        "/geo/enterprises/points/import/", {"crs": "wgs84", "file": SimpleUploadedFile("p.xlsx", data)}
    )
    assert other.status_code == 400 and other.context["report"].rejected == 1
    assert client_for(geo_world.users["enterprise"]).get("/geo/enterprises/points/import/").status_code == 403


# ---------------------------------------------------------------------------------------------
# The plot editor and the enterprise map page
# ---------------------------------------------------------------------------------------------


def test_plot_editor_draws_reshapes_and_clears_through_the_registry_action(
    geo_world: GeoWorld, client_for: Any
) -> None:
    client = client_for(geo_world.users["dept"])
    url = f"/geo/enterprises/{geo_world.a.pk}/plot/"
    page = client.get(url).content.decode()
    assert "geo/editor.js" in page and 'id="geo-feature-form"' in page and "GCJ-02" in page
    before = _audits()
    moved = {"type": "Polygon", "coordinates": [_square(105.2495, 37.8395, 0.002)]}
    response = client.post(
        url, {"geometry_text": json.dumps(moved), "crs": "wgs84", "reason": "按红线图修正"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=map")
    geo_world.a.refresh_from_db()
    assert geo_world.a.plot_geojson == moved
    entry = AuditEntry.objects.filter(object_type__model="enterprise").latest("pk")
    assert _audits() == before + 1 and entry.reason == "按红线图修正"
    # a self-intersecting outline is refused with a message, nothing saved
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[105.25, 37.84], [105.251, 37.841], [105.251, 37.84], [105.25, 37.841], [105.25, 37.84]]
        ],
    }
    bad = client.post(url, {"geometry_text": json.dumps(bow_tie), "crs": "wgs84"})
    assert bad.status_code == 400 and "自相交" in bad.content.decode()
    # cleared: the outline is removed
    assert client.post(url, {"geometry_text": "", "crs": "wgs84"}).status_code == 302
    geo_world.a.refresh_from_db()
    assert geo_world.a.plot_geojson is None
    # another department: 404; the enterprise itself: 403; the map tab offers the editor to those allowed
    assert client.get(f"/geo/enterprises/{geo_world.b.pk}/plot/").status_code == 404
    assert client_for(geo_world.users["enterprise"]).get(url).status_code == 403
    # (client_for logs the one test client in as each user in turn)
    tab = client_for(geo_world.users["dept"]).get(f"/enterprises/{geo_world.a.pk}/?tab=map").content.decode()
    assert url in tab
    town_tab = (
        client_for(geo_world.users["town"]).get(f"/enterprises/{geo_world.a.pk}/?tab=map").content.decode()
    )
    assert url not in town_tab  # a town sees the enterprise but does not change the registry


def test_enterprise_map_page_filters_the_table_and_the_layers_alike(
    geo_world: GeoWorld, client_for: Any, api_client_for: Any
) -> None:
    client = client_for(geo_world.users["committee"])
    html = client.get("/geo/enterprises/", {"major_hazard": "true", "page": "1"}).content.decode()
    assert geo_world.a.display_name in html and geo_world.b.display_name not in html
    # the map is told the list's filters (and nothing else), and the layer applies them
    assert '"params": "major_hazard=true"' in html
    api = api_client_for(geo_world.users["committee"])
    for key in ("enterprises", "enterprises.grade", "enterprises.plots"):
        body = api.get(f"/api/v1/geo/layers/{key}/", {"major_hazard": "true"}).json()
        assert {f["id"] for f in body["features"]} == {geo_world.a.pk}
    everything = api.get("/api/v1/geo/layers/enterprises/").json()
    assert {f["id"] for f in everything["features"]} == {geo_world.a.pk, geo_world.b.pk}
    # filters never widen a scope, and a bad filter value is ignored rather than an error
    dept = (
        api_client_for(geo_world.users["other_dept"])
        .get("/api/v1/geo/layers/enterprises/", {"q": "地图"})
        .json()
    )
    assert {f["id"] for f in dept["features"]} == {geo_world.b.pk}
    assert api.get("/api/v1/geo/layers/enterprises/", {"town_id": "1e99"}).status_code == 200
    # the registry's list links to this view with its filters
    listing = client.get("/enterprises/", {"major_hazard": "true"}).content.decode()
    assert "/geo/enterprises/?major_hazard=true" in listing
    assert Enterprise.objects.count() == 2


def test_town_edits_the_areas_of_its_own_grids_on_the_map(
    geo_world: GeoWorld, client_for: Any, grid_factory: Any
) -> None:
    from anjian.geo import actions
    from anjian.geo.models import Area

    own = grid_factory(town="腾格里镇", code="G-T1", name="腾格里一网格")
    other = grid_factory(town="孛井滩镇", code="G-B1", name="孛井滩一网格")
    areas = {
        g.code: actions.do_save_area(
            Area(
                kind="grid",
                code=f"A-{g.code}",
                name=g.name,
                grid=g,
                town=g.town,
                geometry={"type": "Polygon", "coordinates": [_square(105.20 + i * 0.01, 37.80, 0.005)]},
            ),
            acting_user=None,
        )
        for i, g in enumerate((own, other))
    }
    html = client_for(geo_world.users["town"]).get("/geo/areas/?kind=grid").content.decode()
    assert f"/geo/areas/{areas['G-T1'].pk}/edit/" in html
    assert f"/geo/areas/{areas['G-B1'].pk}/edit/" not in html
    assert client_for(geo_world.users["town"]).get(f"/geo/areas/{areas['G-T1'].pk}/edit/").status_code == 200


def test_the_registry_itself_refuses_what_the_map_refuses(geo_world: GeoWorld, api_client_for: Any) -> None:
    # given the registry's own API (the same rule holds for its form and its Excel import: Enterprise.clean)
    api = api_client_for(geo_world.users["committee"])
    url = f"/api/v1/enterprises/enterprises/{geo_world.a.pk}/"
    # when a point outside the zone, a swapped point and a self-intersecting outline are sent
    outside = api.patch(url, {"lon": "116.400000", "lat": "39.900000"}, format="json")
    swapped = api.patch(url, {"lon": "37.850000", "lat": "105.260000"}, format="json")
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[105.25, 37.84], [105.251, 37.841], [105.251, 37.84], [105.25, 37.841], [105.25, 37.84]]
        ],
    }
    crossed = api.patch(url, {"plot_geojson": bow_tie}, format="json")
    # then each is refused with a Chinese message naming the field, and nothing moves
    assert outside.status_code == 400 and "不在示范区范围内" in json.dumps(outside.json(), ensure_ascii=False)
    assert swapped.status_code == 400 and "纬度" in json.dumps(swapped.json(), ensure_ascii=False)
    assert crossed.status_code == 400 and "自相交" in json.dumps(crossed.json(), ensure_ascii=False)
    geo_world.a.refresh_from_db()
    assert (geo_world.a.lon, geo_world.a.lat) == (Decimal("105.250000"), Decimal("37.840000"))
    assert api.patch(url, {"lon": "105.260000", "lat": "37.850000"}, format="json").status_code == 200
