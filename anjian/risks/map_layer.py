"""四色风险分布图 as layers of the park map (一图一牌三清单's 图), generated from the register.

* ``risks.plots`` — each enterprise's plot coloured by the highest level of its risk register (重大 red,
  较大 orange, 一般 yellow, 低 blue; 安委办 2016 双重预防 意见's four colours), with the count per level;
* ``risks.objects`` — the risk analysis objects that have a position, coloured by their own level (the
  highest of their units).

Both are scoped like the register (``restrict``): an enterprise sees its own, a department what it
supervises, the committee office the whole zone. Two queries per layer whatever the number of enterprises.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.urls import reverse

from anjian.core.access import restrict
from anjian.risks.choices import LEVEL_HEX, LEVEL_RANK, RiskLevel
from anjian.risks.models import RiskObject, RiskUnit

__all__ = ["LEGEND", "OBJECTS_KEY", "PLOTS_KEY", "object_features", "plot_features", "register"]

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


def plot_features(scope: Any, bbox: Any) -> list[dict[str, Any]]:
    """Enterprise plots coloured by the highest level of their register (assessed enterprises only)."""
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


def object_features(scope: Any, bbox: Any) -> list[dict[str, Any]]:
    """Risk analysis objects with a position, coloured by their level.

    Built from ``values()`` rows with the labels and the URL prefix computed once: the zone has ~10,000
    objects (2,000 enterprises × 5), all in view at the park's zoom, so per-feature model work would dominate.
    """
    from anjian.enterprises.models import Enterprise
    from anjian.geo.layers import point_feature, point_in_bbox_q
    from anjian.risks.choices import ObjectKind

    qs = restrict(RiskObject.objects.exclude(level="").filter(lon__isnull=False, lat__isnull=False), scope)
    if bbox is not None:
        qs = qs.filter(point_in_bbox_q(bbox))
    rows = list(
        qs.order_by("pk").values(
            "pk", "name", "level", "kind", "is_major_hazard", "lon", "lat", "enterprise_id"
        )
    )
    if not rows:
        return []
    names = {
        pk: short or name
        for pk, short, name in Enterprise.objects.filter(
            pk__in={r["enterprise_id"] for r in rows}
        ).values_list("pk", "short_name", "name")
    }
    units = dict(
        RiskUnit.objects.filter(risk_object_id__in=[r["pk"] for r in rows])
        .order_by()
        .values("risk_object_id")
        .annotate(n=Count("id"))
        .values_list("risk_object_id", "n")
    )
    # labels evaluated once (a lazy translation costs a gettext per use: 20,000 per request otherwise)
    kinds = {value: str(label) for value, label in ObjectKind.choices}
    levels = {value: str(label) for value, label in RiskLevel.choices}
    url = reverse("risks:object_detail", args=[0])[: -len("0/")]
    out = []
    for r in rows:
        label = levels[r["level"]]
        popup = [
            ["企业", names.get(r["enterprise_id"], "")],
            ["风险等级", label],
            ["对象类型", kinds.get(r["kind"], r["kind"])],
            ["风险分析单元", units.get(r["pk"], 0)],
        ]
        if r["is_major_hazard"]:
            popup.append(["重大危险源", "是"])
        out.append(
            point_feature(
                r["lon"],
                r["lat"],
                id=r["pk"],
                name=f"{r['name']}（{label}）",
                colour=LEVEL_HEX[r["level"]],
                url=f"{url}{r['pk']}/",
                popup=popup,
                level=r["level"],
            )
        )
    return out


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
        )
    )
    return True
