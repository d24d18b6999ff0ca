"""GeoJSON import and export of the fire layers (the same FeatureCollection shape ``anjian fire check`` reads)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from anjian.fire.actions import do_save_layers
from anjian.fire.models import FirePool, FireRoad, FireStation, FireZone, FoamStation, Hydrant

__all__ = ["MAX_BYTES", "export_layers", "import_layers", "read_upload"]

#: An uploaded layer file larger than this is refused before parsing.
MAX_BYTES = 10 * 1024 * 1024

_POINTS: dict[str, tuple[type[Any], str | None]] = {
    "hydrant": (Hydrant, None),
    "fire_pool": (FirePool, "volume_m3"),
    "foam_station": (FoamStation, "foam_m3"),
    "fire_station": (FireStation, None),
}


def read_upload(file: Any) -> Any:
    """Parse an uploaded GeoJSON file, bounded in size first; ``ValueError`` with a Chinese message."""
    if getattr(file, "size", 0) > MAX_BYTES:
        raise ValueError("文件超过10MB，拒绝解析")
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValueError("文件超过10MB，拒绝解析")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("文件不是有效的 GeoJSON（JSON）") from exc


def export_layers() -> dict[str, Any]:
    """Every stored fire layer as one FeatureCollection (WGS 84)."""
    features: list[dict[str, Any]] = []
    for kind, (model, extra) in _POINTS.items():
        for obj in model.objects.all():
            props: dict[str, Any] = {"id": obj.code, "kind": kind, "name": obj.name, "status": obj.status}
            if extra:
                props[extra] = float(getattr(obj, extra))
            features.append(
                {
                    "type": "Feature",
                    "properties": props,
                    "geometry": {"type": "Point", "coordinates": [float(obj.lon), float(obj.lat)]},
                }
            )
    for road in FireRoad.objects.all():
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": road.code,
                    "kind": "road",
                    "name": road.name,
                    "width_m": float(road.width_m),
                },
                "geometry": road.geometry,
            }
        )
    for zone in FireZone.objects.all():
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": zone.code,
                    "kind": "fire_zone",
                    "name": zone.name,
                    "design_flow_lps": float(zone.design_flow_lps),
                },
                "geometry": zone.geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _decimal(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{label}无效") from exc
    if not number.is_finite() or number < 0:
        raise ValidationError(f"{label}须为非负数")
    return number


def _upsert(model: type[Any], code: str, values: dict[str, Any]) -> tuple[Any, bool]:
    obj = model.objects.filter(code=code).first()
    created = obj is None
    if obj is None:
        obj = model(code=code)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.full_clean()
    return obj, created


@transaction.atomic
def import_layers(data: Any, *, acting_user: Any) -> dict[str, Any]:
    """Create or update facilities, roads and fire zones by ``properties.id`` (their code).

    Every feature is validated first; when any is refused nothing is saved and the report lists why.
    """
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return {"created": 0, "updated": 0, "errors": ["文件不是 GeoJSON FeatureCollection"]}
    pending: list[tuple[Any, bool]] = []
    errors: list[str] = []
    for n, feature in enumerate(data["features"], start=1):
        try:
            props = feature.get("properties") or {}
            code = str(props.get("id") or "").strip()
            kind = props.get("kind")
            geom = feature.get("geometry")
            if not code:
                raise ValidationError("缺少 properties.id")
            name = str(props.get("name") or "")[:100]
            if kind in _POINTS:
                model, extra = _POINTS[kind]
                if not isinstance(geom, dict) or geom.get("type") != "Point":
                    raise ValidationError("须为 Point")
                lon, lat = geom["coordinates"][:2]
                values: dict[str, Any] = {
                    "name": name,
                    "lon": _decimal(lon, "经度").quantize(Decimal("0.000001")),
                    "lat": _decimal(lat, "纬度").quantize(Decimal("0.000001")),
                }
                if extra:
                    values[extra] = _decimal(props.get(extra), extra)
                pending.append(_upsert(model, code, values))
            elif kind == "road":
                pending.append(
                    _upsert(
                        FireRoad,
                        code,
                        {
                            "name": name or code,
                            "width_m": _decimal(props.get("width_m"), "width_m"),
                            "geometry": geom,
                        },
                    )
                )
            elif kind == "fire_zone":
                pending.append(
                    _upsert(
                        FireZone,
                        code,
                        {
                            "name": name or code,
                            "design_flow_lps": _decimal(props.get("design_flow_lps"), "design_flow_lps"),
                            "geometry": geom,
                        },
                    )
                )
            else:
                continue  # plots and other kinds belong to other registers
        except ValidationError as exc:
            errors.append(
                f"第{n}个要素："
                + "；".join(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms)
            )
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            errors.append(f"第{n}个要素：格式无效")
    if errors:
        return {"created": 0, "updated": 0, "errors": errors}
    created, updated = do_save_layers(pending, acting_user=acting_user)
    return {"created": created, "updated": updated, "errors": []}
