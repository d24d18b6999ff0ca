"""The registry's own layers: enterprises coloured by 两重点一重大 / 重大危险源, and by standardisation grade."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from anjian.core.access import restrict
from anjian.domain.geodesy import BBox
from anjian.enterprises.choices import StandardizationGrade
from anjian.enterprises.models import Enterprise, Standardization
from anjian.geo.layers import MapLayer, feature, point_feature, point_in_bbox_q

__all__ = ["ENTERPRISE_LAYERS", "GRADE_COLOURS", "HAZARD_COLOURS", "hazard_class"]

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


def hazard_class(enterprise: Enterprise) -> str:
    """``major`` / ``key`` / ``other`` for the 两重点一重大 colouring."""
    if enterprise.major_hazard:
        return "major"
    if enterprise.key_process or enterprise.key_chemical:
        return "key"
    return "other"


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


def _enterprises(scope: Any, bbox: BBox | None) -> list[Enterprise]:
    qs = restrict(Enterprise.objects.all(), scope).filter(lon__isnull=False, lat__isnull=False)
    if bbox is not None:
        qs = qs.filter(point_in_bbox_q(bbox))
    return list(
        qs.select_related("town", "supervising_unit").prefetch_related(
            Prefetch(
                "standardizations",
                queryset=Standardization.objects.filter(is_current=True).only("enterprise_id", "grade"),
                to_attr="current_grades",
            )
        )
    )


def _grade_of(e: Enterprise) -> str:
    grades = getattr(e, "current_grades", [])
    return grades[0].grade if grades else ""


def _popup(e: Enterprise) -> list[list[str]]:
    grade = _grade_of(e)
    return [
        ["行业", e.get_industry_display()],
        ["状态", e.get_status_display()],
        ["所在镇", e.town.name if e.town else "—"],
        ["监管部门", e.supervising_unit.name if e.supervising_unit else "—"],
        ["两重点一重大", _flags(e)],
        ["标准化", str(StandardizationGrade(grade).label) if grade else "无"],
    ]


def _feature(e: Enterprise, colour: str, kind: str) -> dict[str, Any]:
    return point_feature(
        e.lon,
        e.lat,
        id=e.pk,
        name=e.display_name,
        colour=colour,
        url=e.get_absolute_url(),
        popup=_popup(e),
        kind=kind,
    )


def hazard_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Enterprises as points coloured by 重大危险源 / 重点工艺与化学品."""
    out = []
    for e in _enterprises(scope, bbox):
        kind = hazard_class(e)
        out.append(_feature(e, HAZARD_COLOURS[kind][0], kind))
    return out


def grade_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Enterprises as points coloured by their current standardisation grade."""
    out = []
    for e in _enterprises(scope, bbox):
        grade = _grade_of(e)
        out.append(_feature(e, GRADE_COLOURS.get(grade, GRADE_COLOURS[""])[0], grade or "none"))
    return out


def plot_features(scope: Any, bbox: BBox | None) -> list[dict[str, Any]]:
    """Registered plot outlines (地块轮廓) of the enterprises the user may see."""
    qs = restrict(Enterprise.objects.all(), scope).filter(plot_geojson__isnull=False)
    if bbox is not None:
        # Plots are small (a few hundred metres): a point filter with a margin of ~1 km finds them.
        padded = BBox(bbox.west - 0.01, bbox.south - 0.01, bbox.east + 0.01, bbox.north + 0.01)
        qs = qs.filter(point_in_bbox_q(padded))
    out = []
    for e in qs.only(
        "id", "name", "short_name", "plot_geojson", "major_hazard", "key_process", "key_chemical"
    ):
        if not e.plot_geojson:
            continue
        out.append(
            feature(
                e.plot_geojson,
                id=e.pk,
                name=e.display_name,
                colour=HAZARD_COLOURS[hazard_class(e)][0],
                url=e.get_absolute_url(),
                popup=[["类型", "企业地块轮廓"]],
            )
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
    ),
    MapLayer(
        "enterprises.grade",
        "企业（标准化等级）",
        "企业",
        grade_features,
        legend=tuple(GRADE_COLOURS.values()),
        geometry="point",
        order=81,
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
    ),
)
