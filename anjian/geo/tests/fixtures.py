"""Fixtures of the geo app (registered in the root ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from anjian.enterprises.models import Enterprise


@dataclass
class GeoWorld:
    """Two enterprises on the map, one per town and department, and a user for every role."""

    a: Enterprise  # 腾格里镇, in the park, hazchem production (应急管理局), 重大危险源
    b: Enterprise  # 孛井滩镇, construction (住建交通局)
    users: dict[str, Any]


@pytest.fixture
def geo_world(
    enterprise_factory: Callable[..., Enterprise],
    enterprise_user_factory: Callable[..., Any],
    user_factory: Callable[..., Any],
    committee_user: Any,
) -> GeoWorld:
    """Return a :class:`GeoWorld`: ``users`` keyed committee, dept, other_dept, town, enterprise, other_enterprise."""
    a = enterprise_factory(
        name="甲地图化工有限公司",
        industry="hazchem_production",
        town="腾格里镇",
        in_park=True,
        lon=Decimal("105.250000"),
        lat=Decimal("37.840000"),
        major_hazard=True,
        plot_geojson={
            "type": "Polygon",
            "coordinates": [
                [
                    [105.249, 37.839],
                    [105.251, 37.839],
                    [105.251, 37.841],
                    [105.249, 37.841],
                    [105.249, 37.839],
                ]
            ],
        },
    )
    b = enterprise_factory(
        name="乙地图建筑有限公司",
        industry="construction",
        town="孛井滩镇",
        lon=Decimal("105.350000"),
        lat=Decimal("37.650000"),
    )
    users = {
        "committee": committee_user,
        "dept": user_factory(role="dept", org="应急管理局"),
        "other_dept": user_factory(role="dept", org="住建交通局"),
        "town": user_factory(role="dept", org="腾格里镇"),
        "enterprise": enterprise_user_factory(a),
        "other_enterprise": enterprise_user_factory(b),
    }
    return GeoWorld(a=a, b=b, users=users)
