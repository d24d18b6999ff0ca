"""Areas and roads: validation (in the zone, not self-intersecting, [lon, lat]), audit, scope of change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from anjian.core.access import restrict
from anjian.core.errors import ValidationFailed
from anjian.core.models import AuditEntry
from anjian.geo import actions
from anjian.geo.choices import GeoEvent
from anjian.geo.models import Area, Road

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[105.20, 37.80], [105.21, 37.80], [105.21, 37.81], [105.20, 37.81], [105.20, 37.80]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[105.20, 37.80], [105.21, 37.81], [105.21, 37.80], [105.20, 37.81], [105.20, 37.80]]],
}


def _audits(obj: Any) -> list[int]:
    return list(
        AuditEntry.objects.filter(object_id=str(obj.pk)).order_by("id").values_list("event_type", flat=True)
    )


def test_area_is_saved_with_one_audit_row_and_unchanged_save_writes_none() -> None:
    area = actions.do_save_area(
        Area(kind="functional", code="FZ-1", name="生产区", function="production", geometry=SQUARE),
        acting_user=None,
        reason="测试",
    )
    assert _audits(area) == [GeoEvent.AREA_CREATED]
    assert area.area_km2 == pytest.approx(0.88 * 1.11, rel=0.02)
    actions.do_save_area(Area.objects.get(pk=area.pk), acting_user=None)
    assert _audits(area) == [GeoEvent.AREA_CREATED]
    area.name = "北部生产区"
    actions.do_save_area(area, acting_user=None, reason="改名")
    assert _audits(area) == [GeoEvent.AREA_CREATED, GeoEvent.AREA_CHANGED]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (BOWTIE, "自相交"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[37.80, 105.20], [37.80, 105.21], [37.81, 105.21], [37.80, 105.20]]],
            },
            "纬度写在了前面",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 39.9]]],
            },
            "不在示范区范围内",
        ),
        ({"type": "Point", "coordinates": [105.2, 37.8]}, "几何类型应为"),
        ({"type": "Polygon", "coordinates": [[["a", 1]]]}, "不是有效的 GeoJSON"),
    ],
)
def test_bad_area_geometry_is_refused_with_a_chinese_message(geometry: Any, message: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        actions.do_save_area(
            Area(kind="functional", code="FZ-X", name="x", function="storage", geometry=geometry),
            acting_user=None,
        )
    assert message in exc.value.message
    assert not Area.objects.exists()
    assert not AuditEntry.objects.filter(event_type__gte=600, event_type__lt=700).exists()


def test_kind_specific_fields_are_required(grid_factory: Any) -> None:
    with pytest.raises(ValidationFailed, match="网格区域必须关联一个网格"):
        actions.do_save_area(Area(kind="grid", code="G", name="g", geometry=SQUARE), acting_user=None)
    with pytest.raises(ValidationFailed, match="功能分区必须选择功能"):
        actions.do_save_area(Area(kind="functional", code="F", name="f", geometry=SQUARE), acting_user=None)
    grid = grid_factory(town="腾格里镇")
    area = actions.do_save_area(
        Area(kind="grid", code="G", name="g", geometry=SQUARE, grid=grid), acting_user=None
    )
    assert area.grid == grid


def test_road_width_and_length() -> None:
    road = actions.do_save_road(
        Road(
            code="R1",
            name="经一路",
            width_m=Decimal("12"),
            geometry={"type": "LineString", "coordinates": [[105.2, 37.80], [105.2, 37.81]]},
        ),
        acting_user=None,
    )
    assert road.length_m == pytest.approx(1110, rel=0.01)
    with pytest.raises(ValidationFailed):
        actions.do_save_road(
            Road(
                code="R2",
                name="x",
                width_m=Decimal("1"),
                geometry={"type": "LineString", "coordinates": [[105.2, 37.8], [105.21, 37.8]]},
            ),
            acting_user=None,
        )


def test_delete_needs_a_reason_and_is_audited() -> None:
    road = actions.do_save_road(
        Road(
            code="R1",
            name="经一路",
            width_m=Decimal("12"),
            geometry={"type": "LineString", "coordinates": [[105.2, 37.80], [105.2, 37.81]]},
        ),
        acting_user=None,
    )
    with pytest.raises(ValidationFailed, match="理由"):
        actions.do_delete_road(road, acting_user=None, reason=" ")
    pk = road.pk
    actions.do_delete_road(road, acting_user=None, reason="道路改线")
    assert not Road.objects.filter(pk=pk).exists()
    assert _audits(road)[-1] == GeoEvent.ROAD_DELETED


def test_who_may_change_geography(geo_world: Any, grid_factory: Any) -> None:
    own = grid_factory(town="腾格里镇")
    other = grid_factory(town="孛井滩镇")
    a = actions.do_save_area(
        Area(kind="grid", code="GA", name="a", geometry=SQUARE, grid=own), acting_user=None
    )
    b = actions.do_save_area(
        Area(kind="grid", code="GB", name="b", geometry=SQUARE, grid=other), acting_user=None
    )
    zone = actions.do_save_area(
        Area(kind="functional", code="F", name="f", geometry=SQUARE, function="public"), acting_user=None
    )
    users = geo_world.users
    for role in users:
        assert restrict(Area.objects.all(), users[role]).count() == 3
    assert set(restrict(Area.objects.all(), users["committee"], "change")) == {a, b, zone}
    assert set(restrict(Area.objects.all(), users["town"], "change")) == {a}
    assert not restrict(Area.objects.all(), users["dept"], "change").exists()
    assert not restrict(Area.objects.all(), users["enterprise"], "change").exists()
