"""The registry's own layers: enterprises coloured by 两重点一重大 / 重大危险源, and by standardisation grade.

At a county's scale (thousands of enterprises) the layers are built from ``values_list`` rows, not model
instances, cached per scope and data generation (:mod:`anjian.geo.cache`), and filtered by the bounding box
in Python on the cached rows. The rows are kept in the process (:func:`anjian.geo.cache.memoised`): decoding
thousands of pickled geometries from a cache would cost more than reading them again. Features carry only what drawing needs (name, colour, class); the popup is
loaded when a feature is clicked (:func:`enterprise_popup`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import OuterRef, Subquery

from anjian.core.access import restrict
from anjian.domain.geodesy import BBox
from anjian.enterprises.choices import StandardizationGrade
from anjian.enterprises.models import Enterprise, Standardization
from anjian.geo.cache import scoped
from anjian.geo.layers import MapLayer, feature_bounds

__all__ = [
    "CACHE_SECONDS",
    "ENTERPRISE_LAYERS",
    "GRADE_COLOURS",
    "HAZARD_COLOURS",
    "enterprise_popup",
    "hazard_class",
]

#: How long a scope's rows stay cached at most (the generation drops them at once on a change).
CACHE_SECONDS = 120

# Colours follow the four-colour convention the plan uses for risk (红橙黄蓝) where it fits.
HAZARD_COLOURS = {
    "major": ("#d32f2f", "构成重大危险源"),
    "key": ("#f57c00", "涉及重点工艺或重点化学品"),
    "other": ("#1e88e5", "其他企业"),
}
GRADE_COLOURS = {
    "level1": ("#1b5e20", "一级"),
    "level2": ("#43a047", "二级"),
    "level3": ("#9ccc65", "三级"),
    "small": ("#26a69a", "小微企业规范化"),
    "": ("#9e9e9e", "未达标/无等级"),
}


def hazard_class(enterprise: Any) -> str:
    """``major`` / ``key`` / ``other`` for the 两重点一重大 colouring."""
    return _hazard(enterprise.major_hazard, enterprise.key_process, enterprise.key_chemical)


def _hazard(major: bool, process: bool, chemical: bool) -> str:
    if major:
        return "major"
    if process or chemical:
        return "key"
    return "other"


def _cached(kind: str, scope: Any, build: Callable[[], list[Any]]) -> list[Any]:
    return scoped(kind, scope, build, CACHE_SECONDS)


# ---------------------------------------------------------------------------------------------
# Points
# ---------------------------------------------------------------------------------------------

# (id, name, lon, lat, hazard class, grade)
PointRow = tuple[int, str, float, float, str, str]


def _point_rows(scope: Any) -> list[PointRow]:
    def build() -> list[PointRow]:
        grade = (
            Standardization.objects.filter(enterprise=OuterRef("pk"), is_current=True)
            .order_by("-pk")
            .values("grade")[:1]
        )
        qs = (
            restrict(Enterprise.objects.all(), scope)
            .filter(lon__isnull=False, lat__isnull=False)
            .annotate(current_grade=Subquery(grade))
            .order_by("pk")
            .values_list(
                "id",
                "name",
                "short_name",
                "lon",
                "lat",
                "major_hazard",
                "key_process",
                "key_chemical",
                "current_grade",
            )
        )
        return [
            (
                pk,
                short or name,
                round(float(lon or 0), 6),
                round(float(lat or 0), 6),
                _hazard(m, p, c),
                g or "",
            )
            for pk, name, short, lon, lat, m, p, c, g in qs
        ]

    return _cached("enterprise-points", scope, build)


def _points_in(scope: Any, bbox: BBox | None) -> list[PointRow]:
    rows = _point_rows(scope)
    if bbox is None:
        return rows
    w, s, e, n = bbox.west, bbox.south, bbox.east, bbox.north
    return [r for r in rows if w <= r[2] <= e and s <= r[3] <= n]


def _point(row: PointRow, colour: str, kind: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row[0],
        "geometry": {"type": "Point", "coordinates": [row[2], row[3]]},
        "properties": {"name": row[1], "colour": colour, "kind": kind},
    }


def hazard_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Enterprises as points coloured by 重大危险源 / 重点工艺与化学品."""
    return [_point(r, HAZARD_COLOURS[r[4]][0], r[4]) for r in _points_in(scope, bbox)]


def grade_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Enterprises as points coloured by their current standardisation grade."""
    return [
        _point(r, GRADE_COLOURS.get(r[5], GRADE_COLOURS[""])[0], r[5] or "none")
        for r in _points_in(scope, bbox)
    ]


def enterprise_filter_ids(scope: Any, params: Mapping[str, Any]) -> set[int] | None:
    """The enterprises the enterprise list's filters in ``params`` keep (``None`` when no filter is set)."""
    from anjian.enterprises.filtersets import EnterpriseFilterSet

    names = set(EnterpriseFilterSet.base_filters)
    if not any(name in names and params.get(name) not in (None, "") for name in params):
        return None
    filtered = EnterpriseFilterSet(params, queryset=restrict(Enterprise.objects.all(), scope))  # type: ignore[arg-type]
    return set(filtered.qs.order_by().values_list("pk", flat=True))


def _flags(e: Enterprise) -> str:
    parts = [
        label
        for on, label in (
            (e.key_process, "重点监管工艺"),
            (e.key_chemical, "重点监管危化品"),
            (e.major_hazard, "重大危险源"),
        )
        if on
    ]
    return "、".join(parts) or "—"


def enterprise_popup(scope: Any, feature_id: str) -> dict[str, Any] | None:
    """The popup of one enterprise the scope may see (the same for the point and plot layers)."""
    e = (
        restrict(Enterprise.objects.all(), scope)
        .select_related("town", "supervising_unit", "grid")
        .filter(pk=int(feature_id))
        .first()
    )
    if e is None:
        return None
    current = (
        e.standardizations.filter(is_current=True).order_by("-pk").values_list("grade", flat=True).first()
    )
    return {
        "id": e.pk,
        "name": e.display_name,
        "url": e.get_absolute_url(),
        "popup": [
            ["行业", e.get_industry_display()],
            ["状态", e.get_status_display()],
            ["所在镇", e.town.name if e.town else "—"],
            ["网格", e.grid.name if e.grid else "—"],
            ["监管部门", e.supervising_unit.name if e.supervising_unit else "—"],
            ["两重点一重大", _flags(e)],
            ["标准化", str(StandardizationGrade(current).label) if current else "无"],
        ],
    }


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------

# (id, name, hazard class, geometry, (minx, miny, maxx, maxy))
PlotRow = tuple[int, str, str, dict[str, Any], tuple[float, float, float, float]]


def _round(coords: Any) -> Any:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        return [round(float(coords[0]), 6), round(float(coords[1]), 6)]
    if isinstance(coords, list | tuple):
        return [_round(c) for c in coords]
    return coords


def _plot_rows(scope: Any) -> list[PlotRow]:
    def build() -> list[PlotRow]:
        qs = (
            restrict(Enterprise.objects.all(), scope)
            .filter(plot_geojson__isnull=False)
            .order_by("pk")
            .values_list(
                "id", "name", "short_name", "plot_geojson", "major_hazard", "key_process", "key_chemical"
            )
        )
        out: list[PlotRow] = []
        for pk, name, short, geometry, m, p, c in qs:
            if not isinstance(geometry, dict) or not geometry.get("coordinates"):
                continue
            geometry = {"type": geometry.get("type"), "coordinates": _round(geometry["coordinates"])}
            bounds = feature_bounds({"geometry": geometry})
            if bounds is not None:
                out.append((pk, short or name, _hazard(m, p, c), geometry, bounds))
        return out

    return _cached("enterprise-plots", scope, build)


def plot_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Registered plot outlines (地块轮廓) of the enterprises the user may see."""
    out = []
    for pk, name, kind, geometry, bounds in _plot_rows(scope):
        if bbox is not None and not bbox.intersects_bounds(bounds):
            continue
        out.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": geometry,
                "properties": {"name": name, "colour": HAZARD_COLOURS[kind][0], "kind": kind},
            }
        )
    return out


ENTERPRISE_LAYERS = (
    MapLayer(
        "enterprises",
        "企业（两重点一重大）",
        "企业",
        hazard_features,
        legend=tuple(HAZARD_COLOURS.values()),
        geometry="point",
        default_visible=True,
        order=80,
        popup=enterprise_popup,
        clips_bbox=True,
        filter_ids=enterprise_filter_ids,
    ),
    MapLayer(
        "enterprises.grade",
        "企业（标准化等级）",
        "企业",
        grade_features,
        legend=tuple(GRADE_COLOURS.values()),
        geometry="point",
        order=81,
        popup=enterprise_popup,
        clips_bbox=True,
        filter_ids=enterprise_filter_ids,
    ),
    MapLayer(
        "enterprises.plots",
        "企业地块",
        "企业",
        plot_features,
        legend=((HAZARD_COLOURS["other"][0], "地块轮廓（颜色同企业）"),),
        geometry="polygon",
        default_visible=True,
        order=40,
        popup=enterprise_popup,
        clips_bbox=True,
        filter_ids=enterprise_filter_ids,
    ),
)
