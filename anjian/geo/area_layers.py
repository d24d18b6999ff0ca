"""Layers of the zone's own geography: boundaries, towns, grid areas, functional zones, roads, base map."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count

from anjian.core.access import restrict
from anjian.domain.geodesy import BBox
from anjian.enterprises.models import Enterprise
from anjian.geo.cache import generation as cache_generation
from anjian.geo.cache import memoised, scope_key
from anjian.geo.choices import AreaKind, FunctionalZone, LandCover, RoadGrade
from anjian.geo.layers import MapLayer, feature, feature_bounds
from anjian.geo.models import Area, Road

__all__ = ["AREA_LAYERS"]

TOWN_COLOURS = ("#1e88e5", "#8e24aa", "#00897b", "#6d4c41")
GRID_COLOUR = "#5c6bc0"


def _shared(key: str, build: Callable[[], list[dict[str, Any]]], scope: Any = None) -> list[dict[str, Any]]:
    """Features cached until the geography or the registry changes (per scope when ``scope`` is given:
    layers whose popups count the enterprises the user may see)."""
    who = "" if scope is None else scope_key(scope)
    return list(memoised(f"area:{key}:{cache_generation()}:{who}", build, 300))


def _enterprise_counts(scope: Any, field: str) -> dict[int, int]:
    """Enterprises the scope may see per town or grid (counted by the database)."""
    rows = (
        restrict(Enterprise.objects.all(), scope)
        .exclude(**{field: None})
        .order_by()
        .values(field)
        .annotate(n=Count("id", distinct=True))
    )
    return {r[field]: r["n"] for r in rows}


def _in_bbox(feat: dict[str, Any], bbox: BBox | None) -> bool:
    if bbox is None:
        return True
    bounds = feature_bounds(feat)
    return bounds is not None and bbox.intersects_bounds(bounds)


def _areas(scope: Any, kinds: tuple[str, ...]) -> Any:
    return restrict(Area.objects.filter(kind__in=kinds), scope).select_related("town", "grid", "grid__town")


def _area_feature(a: Area, colour: str, popup: list[list[Any]], **extra: Any) -> dict[str, Any]:
    return feature(
        a.geometry,
        id=a.pk,
        name=a.name,
        colour=colour,
        url="",
        popup=[["类型", a.get_kind_display()], *popup, ["面积", f"{a.area_km2:.2f} km²"]],
        **extra,
    )


def boundary_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """The zone's and the park's boundaries (outlines, no fill)."""

    def build() -> list[dict[str, Any]]:
        return [
            _area_feature(
                a,
                "#c62828" if a.kind == AreaKind.PARK else "#37474f",
                [],
                fill_opacity=0.0,
                weight=3,
                dash="8 6" if a.kind == "zone" else None,
            )
            for a in _areas(scope, (AreaKind.ZONE, AreaKind.PARK))
        ]

    return [f for f in _shared("boundaries", build) if _in_bbox(f, bbox)]


def town_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Towns (镇域) with the number of enterprises the user may see there."""

    def build() -> list[dict[str, Any]]:
        counts = _enterprise_counts(scope, "town_id")
        out = []
        for i, a in enumerate(_areas(scope, (AreaKind.TOWN,))):
            popup = [["企业数", f"{counts.get(a.town_id or 0, 0)} 家"]]
            feat = _area_feature(a, TOWN_COLOURS[i % len(TOWN_COLOURS)], popup, fill_opacity=0.06)
            if a.town_id:
                feat["properties"]["url"] = f"/enterprises/?town_id={a.town_id}"
            out.append(feat)
        return out

    return [f for f in _shared("towns", build, scope) if _in_bbox(f, bbox)]


def grid_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Grid areas joined to the registry's grids (网格员, phone, enterprises in the grid)."""

    def build() -> list[dict[str, Any]]:
        counts = _enterprise_counts(scope, "grid_id")
        out = []
        for a in _areas(scope, (AreaKind.GRID,)):
            g = a.grid
            popup: list[list[Any]] = []
            if g is not None:
                popup = [
                    ["网格编码", g.code],
                    ["所属镇", g.town.name if g.town else "—"],
                    ["网格员", g.staff_name or "—"],
                    ["电话", g.staff_phone or "—"],
                    ["企业数", f"{counts.get(g.pk, 0)} 家"],
                ]
            feat = _area_feature(a, GRID_COLOUR, popup, fill_opacity=0.05, dash="4 4")
            if g is not None:
                feat["properties"]["url"] = f"/enterprises/?grid_id={g.pk}"
            out.append(feat)
        return out

    return [f for f in _shared("grids", build, scope) if _in_bbox(f, bbox)]


def functional_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Functional zones of the park, coloured by function."""

    def build() -> list[dict[str, Any]]:
        return [
            _area_feature(
                a,
                FunctionalZone.colour_of(a.function),
                [["功能", a.get_function_display()]],
                fill_opacity=0.22,
            )
            for a in _areas(scope, (AreaKind.FUNCTIONAL,))
        ]

    return [f for f in _shared("functional", build) if _in_bbox(f, bbox)]


def base_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """The generated base map: land cover drawn flat under everything else."""

    def build() -> list[dict[str, Any]]:
        return [
            feature(
                a.geometry,
                id=a.pk,
                name=a.name,
                colour=LandCover.colour_of(a.land_cover),
                popup=[["地类", a.get_land_cover_display()]],
                fill_opacity=0.85,
                weight=0,
            )
            for a in _areas(scope, (AreaKind.BASE,))
        ]

    return [f for f in _shared("base", build) if _in_bbox(f, bbox)]


def road_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Road centrelines, drawn at their width when zoomed in."""

    def build() -> list[dict[str, Any]]:
        return [
            feature(
                r.geometry,
                id=r.pk,
                name=r.name,
                colour="#f9a825" if r.grade == RoadGrade.TRUNK else "#90a4ae",
                popup=[
                    ["等级", r.get_grade_display()],
                    ["路面宽度", f"{r.width_m} 米"],
                    ["长度", f"{r.length_m:,.0f} 米"],
                ],
                width_m=float(r.width_m),
            )
            for r in restrict(Road.objects.all(), scope)
        ]

    return [f for f in _shared("roads", build) if _in_bbox(f, bbox)]


AREA_LAYERS = (
    MapLayer(
        "geo.base",
        "底图（地类）",
        "底图",
        base_features,
        legend=tuple((LandCover.colour_of(v), str(label)) for v, label in LandCover.choices),
        geometry="polygon",
        default_visible=True,
        order=1,
    ),
    MapLayer(
        "geo.towns",
        "镇域",
        "区划",
        town_features,
        legend=((TOWN_COLOURS[0], "镇域（颜色区分各镇）"),),
        geometry="polygon",
        order=10,
    ),
    MapLayer(
        "geo.zones",
        "园区功能分区",
        "园区",
        functional_features,
        legend=tuple((FunctionalZone.colour_of(v), str(label)) for v, label in FunctionalZone.choices),
        geometry="polygon",
        default_visible=True,
        order=20,
    ),
    MapLayer(
        "geo.grids",
        "网格",
        "区划",
        grid_features,
        legend=((GRID_COLOUR, "网格区域"),),
        geometry="polygon",
        default_visible=True,
        order=25,
    ),
    MapLayer(
        "geo.boundaries",
        "示范区与园区边界",
        "区划",
        boundary_features,
        legend=(("#37474f", "示范区边界"), ("#c62828", "园区边界")),
        geometry="polygon",
        default_visible=True,
        order=30,
    ),
    MapLayer(
        "geo.roads",
        "道路",
        "园区",
        road_features,
        legend=(("#f9a825", "主干路"), ("#90a4ae", "次干路、支路")),
        geometry="line",
        default_visible=True,
        order=50,
    ),
)
