"""四色风险分布图 as layers of the park map (一图一牌三清单's 图), generated from the register.

* ``risks.plots`` — each enterprise's plot coloured by the highest level of its risk register (重大 red,
  较大 orange, 一般 yellow, 低 blue; 安委办 2016 双重预防 意见's four colours), with the count per level;
* ``risks.objects`` — the risk analysis objects that have a position, coloured by their own level (the
  highest of their units).

Both are scoped like the register (``restrict``): an enterprise sees its own, a department what it
supervises, the committee office the whole zone. Two queries per layer whatever the number of enterprises, and
none while the register and the registry are unchanged (rows kept per scope, :mod:`anjian.risks.signals`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.urls import reverse

from anjian.core.access import restrict
from anjian.risks.choices import LEVEL_HEX, LEVEL_RANK, RiskLevel
from anjian.risks.models import RiskObject, RiskUnit

__all__ = [
    "CACHE_SECONDS",
    "LEGEND",
    "OBJECTS_KEY",
    "PLOTS_KEY",
    "object_features",
    "object_popup",
    "plot_features",
    "register",
]

PLOTS_KEY = "risks.plots"
OBJECTS_KEY = "risks.objects"
LEGEND = tuple((LEVEL_HEX[value], str(label)) for value, label in RiskLevel.choices)


def _levels_by_enterprise(scope: Any) -> dict[int, dict[str, int]]:
    """``{enterprise_id: {level: number of objects}}`` of the assessed objects ``scope`` sees."""
    rows = (
        restrict(RiskObject.objects.exclude(level=""), scope)
        .order_by()  # restrict() adds DISTINCT: without this the default ordering joins the grouping
        .values("enterprise_id", "level")
        .annotate(n=Count("id"))
    )
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        out[row["enterprise_id"]][row["level"]] = row["n"]
    return out


def _highest(levels: dict[str, int]) -> str:
    return max(levels, key=lambda level: LEVEL_RANK.get(level, 0))


#: How long a scope's rows stay cached at most (a change to the register or the registry drops them at once).
CACHE_SECONDS = 120


def _cached(kind: str, scope: Any, build: Callable[[], list[Any]]) -> list[Any]:
    """``build()`` kept per scope and per generation of the register (``risks``, bumped by
    :mod:`anjian.risks.signals`) and of the registry (``geo``: plots and names)."""
    from anjian.geo.cache import scoped

    return scoped(f"risks-{kind}", scope, build, CACHE_SECONDS, kinds=("risks", "geo"))


def plot_features(scope: Any, bbox: Any) -> list[dict[str, Any]]:
    """Enterprise plots coloured by the highest level of their register (assessed enterprises only)."""
    return _cached("plots", scope, lambda: _build_plot_features(scope))


def _build_plot_features(scope: Any) -> list[dict[str, Any]]:
    from anjian.enterprises.models import Enterprise
    from anjian.geo.layers import feature

    levels = _levels_by_enterprise(scope)
    if not levels:
        return []
    qs = Enterprise.objects.filter(pk__in=list(levels), plot_geojson__isnull=False).only(
        "id", "name", "short_name", "plot_geojson"
    )
    register = reverse("risks:register")
    # labels evaluated once (a lazy translation costs a gettext per use: thousands per request otherwise)
    labels = {value: str(label) for value, label in RiskLevel.choices}
    out = []
    for e in qs:
        if not e.plot_geojson:
            continue
        counts = levels[e.pk]
        top = _highest(counts)
        popup = [["最高风险等级", labels[top]]] + [
            [f"{label}对象", counts.get(value, 0)] for value, label in labels.items()
        ]
        out.append(
            feature(
                e.plot_geojson,
                id=e.pk,
                name=f"{e.display_name}（{labels[top]}）",
                colour=LEVEL_HEX[top],
                url=f"{register}?enterprise={e.pk}",
                popup=popup,
                level=top,
            )
        )
    return out


# (id, name, level, lon, lat)
ObjectRow = tuple[int, str, str, float, float]


def _object_rows(scope: Any) -> list[ObjectRow]:
    def build() -> list[ObjectRow]:
        qs = restrict(
            RiskObject.objects.exclude(level="").filter(lon__isnull=False, lat__isnull=False), scope
        )
        return [
            (pk, name, level, round(float(lon or 0), 6), round(float(lat or 0), 6))
            for pk, name, level, lon, lat in qs.order_by("pk").values_list(
                "pk", "name", "level", "lon", "lat"
            )
        ]

    return _cached("objects", scope, build)


def object_features(scope: Any, bbox: Any) -> list[dict[str, Any]]:
    """Risk analysis objects with a position, coloured by their level.

    The zone has ~10,000 objects (2,000 enterprises × 5), all in view at the park's zoom: the features are
    built from cached rows (per scope and generation), cut to ``bbox`` in Python, and carry only what drawing
    needs; the popup loads on click (:func:`object_popup`).
    """
    rows = _object_rows(scope)
    if bbox is not None:
        w, s, e, n = bbox.west, bbox.south, bbox.east, bbox.north
        rows = [r for r in rows if w <= r[3] <= e and s <= r[4] <= n]
    if not rows:
        return []
    levels = {value: str(label) for value, label in RiskLevel.choices}
    url = reverse("risks:object_detail", args=[0])[: -len("0/")]
    return [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "name": f"{name}（{levels[level]}）",
                "colour": LEVEL_HEX[level],
                "url": f"{url}{pk}/",
                "popup": [],
                "level": level,
            },
        }
        for pk, name, level, lon, lat in rows
    ]


def object_popup(scope: Any, feature_id: str) -> dict[str, Any] | None:
    """The popup of one risk analysis object ``scope`` may see (enterprise, level, kind, units)."""
    obj = (
        restrict(RiskObject.objects.exclude(level=""), scope)
        .select_related("enterprise")
        .filter(pk=int(feature_id))
        .first()
    )
    if obj is None:
        return None
    rows: list[list[Any]] = [
        ["企业", obj.enterprise.display_name],
        ["风险等级", obj.get_level_display()],
        ["对象类型", obj.get_kind_display()],
        ["风险分析单元", RiskUnit.objects.filter(risk_object=obj).count()],
    ]
    if obj.is_major_hazard:
        rows.append(["重大危险源", "是"])
    return {
        "id": obj.pk,
        "name": f"{obj.name}（{obj.get_level_display()}）",
        "url": reverse("risks:object_detail", args=[obj.pk]),
        "popup": [[label, str(value)] for label, value in rows],
    }


def register() -> bool:
    """Register both layers with the park map when the geo module is installed."""
    try:
        from anjian.geo.layers import MapLayer, register_layer
    except ImportError:  # pragma: no cover - the geo module ships with the project
        return False
    register_layer(
        MapLayer(
            PLOTS_KEY,
            "四色风险分布（企业）",
            "风险",
            plot_features,
            legend=LEGEND,
            geometry="polygon",
            order=42,
            default_visible=True,
        )
    )
    register_layer(
        MapLayer(
            OBJECTS_KEY,
            "风险分析对象",
            "风险",
            object_features,
            legend=LEGEND,
            geometry="point",
            order=62,
            default_visible=True,
            popup=object_popup,
            clips_bbox=True,
        )
    )
    return True
