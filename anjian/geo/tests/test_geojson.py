"""GeoJSON import: every feature checked, a message per feature, nothing saved from a bad file; export round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from anjian.core.models import AuditEntry
from anjian.domain.geodesy import wgs84_to_gcj02
from anjian.geo.geojson_io import export_collection, import_collection
from anjian.geo.models import Area, Road

pytestmark = pytest.mark.django_db


def _ring(w: float, s: float, e: float, n: float) -> list[list[float]]:
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


def _fc(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _zone(code: str, name: str, ring: list[list[float]], function: str = "production") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "function": function},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


GOOD = _zone("FZ-A", "生产区", _ring(105.20, 37.80, 105.21, 37.81))
SELF_INTERSECTING = _zone(
    "FZ-B",
    "蝴蝶形地块",
    [[105.22, 37.80], [105.23, 37.81], [105.23, 37.80], [105.22, 37.81], [105.22, 37.80]],
)
SWAPPED = _zone("FZ-C", "经纬度填反", [[y, x] for x, y in _ring(105.24, 37.80, 105.25, 37.81)])
OUTSIDE = _zone("FZ-D", "北京某地", _ring(116.30, 39.90, 116.31, 39.91))


def test_bad_file_reports_each_feature_and_saves_nothing(committee_user: Any) -> None:
    # given: one good feature and three bad ones
    data = _fc(GOOD, SELF_INTERSECTING, SWAPPED, OUTSIDE)
    # when
    result = import_collection("functional", data, acting_user=committee_user)
    # then: a message for each bad feature, none for the good one, and nothing stored or audited
    assert not result.ok
    by_name = {f.name: f.errors for f in result.features}
    assert by_name["生产区"] == []
    assert any("自相交" in e for e in by_name["蝴蝶形地块"])
    assert any("纬度写在了前面" in e for e in by_name["经纬度填反"])
    assert any("不在示范区范围内" in e for e in by_name["北京某地"])
    assert result.error_count == 3
    assert not Area.objects.exists()
    assert not AuditEntry.objects.filter(event_type__gte=600, event_type__lt=700).exists()


def test_good_file_is_saved_and_reimporting_the_export_changes_nothing(committee_user: Any) -> None:
    other = _zone("FZ-E", "仓储区", _ring(105.26, 37.80, 105.27, 37.81), "storage")
    result = import_collection("functional", _fc(GOOD, other), acting_user=committee_user, reason="初始导入")
    assert result.ok and result.created == 2
    assert set(Area.objects.values_list("function", flat=True)) == {"production", "storage"}
    audits = AuditEntry.objects.count()
    exported = json.dumps(export_collection("functional", committee_user)).encode()
    again = import_collection("functional", exported, acting_user=committee_user)
    assert again.ok and again.unchanged == 2 and again.created == 0
    assert AuditEntry.objects.count() == audits
    # Changing one name updates just that row.
    doc = json.loads(exported)
    doc["features"][0]["properties"]["name"] = "北部生产区"
    third = import_collection("functional", json.dumps(doc).encode(), acting_user=committee_user)
    assert third.updated == 1 and third.unchanged == 1


def test_roads_need_width_and_lines(committee_user: Any) -> None:
    road = {
        "type": "Feature",
        "properties": {"code": "R-1", "name": "经一路", "width_m": 12, "grade": "支路"},
        "geometry": {"type": "LineString", "coordinates": [[105.2, 37.80], [105.2, 37.82]]},
    }
    no_width = {**road, "properties": {"code": "R-2", "name": "无宽度"}}
    polygon = {**GOOD, "properties": {"code": "R-3", "name": "面", "width_m": 9}}
    result = import_collection("roads", _fc(road, no_width, polygon), acting_user=committee_user)
    errors = {f.name: f.errors for f in result.features}
    assert errors["经一路"] == []
    assert any("路面宽度" in e for e in errors["无宽度"])
    assert any("LineString" in e for e in errors["面"])
    assert not Road.objects.exists()
    assert import_collection("roads", _fc(road), acting_user=committee_user).ok
    assert Road.objects.get().grade == "branch"


def test_gcj02_file_is_converted_to_wgs84(committee_user: Any) -> None:
    ring = _ring(105.20, 37.80, 105.21, 37.81)
    shifted = [list(wgs84_to_gcj02(x, y)) for x, y in ring]
    result = import_collection(
        "functional", _fc(_zone("FZ-G", "高德坐标", shifted)), acting_user=committee_user, gcj02=True
    )
    assert result.ok
    stored = Area.objects.get().geometry["coordinates"][0]
    for (x, y), (sx, sy) in zip(ring, stored, strict=True):
        assert sx == pytest.approx(x, abs=1e-6) and sy == pytest.approx(y, abs=1e-6)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "JSON"),
        (b'{"type": "Feature"}', "FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "没有要素"),
        (b" " * (5 * 1024 * 1024 + 1), "5 MB"),
    ],
)
def test_unreadable_files_are_refused(committee_user: Any, data: bytes, message: str) -> None:
    result = import_collection("functional", data, acting_user=committee_user)
    assert not result.ok and message in result.file_error


def test_grid_areas_must_name_a_registered_grid(committee_user: Any, grid_factory: Any) -> None:
    grid = grid_factory(town="腾格里镇", code="TGL-9")
    feat = {
        "type": "Feature",
        "properties": {"code": "GA-1", "name": "网格", "grid_code": "NOPE"},
        "geometry": GOOD["geometry"],
    }
    result = import_collection("grid", _fc(feat), acting_user=committee_user)
    assert any("网格编码" in e for e in result.features[0].errors)
    feat["properties"]["grid_code"] = "TGL-9"
    assert import_collection("grid", _fc(feat), acting_user=committee_user).ok
    assert Area.objects.get().grid == grid
