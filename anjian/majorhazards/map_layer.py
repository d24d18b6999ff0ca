"""The park-map layer of 重大危险源 (重大危险源分布电子地图): installations coloured by grade.

一级 red, 二级 orange, 三级 yellow, 四级 blue (the four-colour convention the plan uses for risk); a unit
below the critical quantities is grey. Each installation is its registered outline (polygon) or, without
one, its point; the popup lists grade, R/S, the inventory, the 包保 people and the live sensor state of the
installation's monitoring points (how many report, how many are in alarm, offline or faulty, and the worst
ones with their value), read from the state the ingest worker keeps (one query for the whole layer).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db.models import Prefetch

from anjian.core.access import restrict
from anjian.majorhazards.choices import GRADE_HEX, NOT_MAJOR_HEX, InstallationStatus
from anjian.majorhazards.models import HazardInstallation, Responsibility

__all__ = ["LAYER_KEY", "LEGEND", "features", "register"]

LAYER_KEY = "majorhazards.installations"
LEGEND = (
    (GRADE_HEX[1], "一级重大危险源"),
    (GRADE_HEX[2], "二级重大危险源"),
    (GRADE_HEX[3], "三级重大危险源"),
    (GRADE_HEX[4], "四级重大危险源"),
    (NOT_MAJOR_HEX, "未构成重大危险源的单元"),
)


def _geo() -> Any | None:
    try:
        return importlib.import_module("anjian.geo.layers")
    except ImportError:
        return None


def _sensor_states(installation_ids: list[int]) -> dict[int, list[Any]]:
    """Per installation, ``(point, state)`` of its enabled monitoring points (worst first)."""
    try:
        from anjian.monitoring.models import MonitoringPoint
    except ImportError:  # pragma: no cover - the monitoring module ships with the project
        return {}
    out: dict[int, list[Any]] = {}
    points = (
        MonitoringPoint.objects.filter(installation_id__in=installation_ids, enabled=True)
        .select_related("alarm_state")
        .order_by("installation_id", "tag")
    )
    for p in points:
        out.setdefault(p.installation_id or 0, []).append(p)
    return out


_LEVEL_RANK = {"HH": 4, "LL": 4, "H": 3, "L": 3}


def _sensor_rows(points: list[Any]) -> list[list[str]]:
    """Popup rows: a summary line, then up to three points in alarm / offline / faulty with their value."""
    if not points:
        return [["实时监测", "未接入监测点"]]
    bad = []
    offline = alarm = fault = 0
    for p in points:
        st = getattr(p, "alarm_state", None)
        if st is None or st.last_ms is None:
            offline += 1
            bad.append((1, p, "无数据"))
            continue
        if st.offline:
            offline += 1
            bad.append((1, p, "离线"))
        elif st.fault:
            fault += 1
            bad.append((2, p, "故障"))
        elif st.level:
            alarm += 1
            value = f"{st.last_v:g}{p.unit}" if st.last_v is not None else ""
            bad.append((_LEVEL_RANK.get(st.level, 3), p, f"{st.level}报警 {value}".strip()))
    summary = f"{len(points)} 个测点：报警 {alarm}，离线 {offline}，故障 {fault}"
    rows = [["实时监测", summary if (alarm or offline or fault) else f"{len(points)} 个测点全部正常"]]
    for _rank, p, text in sorted(bad, key=lambda b: -b[0])[:3]:
        rows.append([p.tag, f"{p.name}：{text}"])
    return rows


def _popup(inst: HazardInstallation) -> list[list[str]]:
    inventory = "；".join(
        f"{line.substance} {line.max_quantity_t.normalize():f} t" for line in inst.inventory.all()
    )
    people = "；".join(f"{r.get_level_display()} {r.person.name}" for r in inst.current_duty)  # type: ignore[attr-defined]
    return [
        ["企业", inst.enterprise.name],
        ["等级", inst.grade_label],
        [
            "R / S",
            f"{inst.r_value.normalize():f} / {inst.s_value.normalize():f}"
            if inst.r_value is not None and inst.s_value is not None
            else "—",
        ],
        ["单元", inst.get_unit_kind_display()],
        ["危险化学品", inventory or "—"],
        ["包保责任人", people or "未指定"],
        *_sensor_rows(getattr(inst, "sensor_points", [])),
    ]


def _queryset(scope: Any) -> Any:
    return (
        restrict(HazardInstallation.objects.exclude(status=InstallationStatus.WRITTEN_OFF), scope)
        .select_related("enterprise")
        .prefetch_related(
            "inventory",
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.filter(until__isnull=True).select_related("person"),
                to_attr="current_duty",
            ),
        )
        .order_by("-grade", "pk")
    )


def features(scope: Any, bbox: Any) -> list[dict[str, Any]]:
    """GeoJSON features of the installations ``scope`` may see (WGS 84); ``bbox`` narrows by position."""
    geo = _geo()
    if geo is None:
        return []
    qs = _queryset(scope).filter(lon__isnull=False, lat__isnull=False)
    if bbox is not None:
        qs = qs.filter(geo.point_in_bbox_q(bbox))
    installations = list(qs)
    sensors = _sensor_states([i.pk for i in installations])
    out = []
    for inst in installations:
        inst.sensor_points = sensors.get(inst.pk, [])
        colour = GRADE_HEX.get(inst.grade or 0, NOT_MAJOR_HEX) if inst.is_major else NOT_MAJOR_HEX
        props = {
            "id": inst.pk,
            "name": f"{inst.name}（{inst.grade_label}）",
            "colour": colour,
            "url": inst.get_absolute_url(),
            "popup": _popup(inst),
            "grade": inst.grade if inst.is_major else None,
        }
        if inst.outline_geojson:
            out.append(geo.feature(inst.outline_geojson, **props))
        else:
            out.append(geo.point_feature(inst.lon, inst.lat, **props))
    return out


def register() -> bool:
    """Register the layer with the park map if the geo module is installed; return whether it was."""
    geo = _geo()
    if geo is None:
        return False
    geo.register_layer(
        geo.MapLayer(
            LAYER_KEY,
            "重大危险源",
            "重大危险源",
            features,
            legend=LEGEND,
            geometry="polygon",
            default_visible=True,
            order=40,
        )
    )
    return True
