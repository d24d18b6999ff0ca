"""Checks for the plot outline (地块轮廓) stored as a GeoJSON geometry in WGS 84 lon/lat."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

__all__ = ["plot_error", "point_error", "zone_error"]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def point_error(lon: Any, lat: Any) -> str | None:
    """Return a Chinese reason when ``lon``/``lat`` are out of range, else ``None``."""
    if lon is not None and not -180 <= float(lon) <= 180:
        return _("经度应在 -180 到 180 之间")
    if lat is not None and not -90 <= float(lat) <= 90:
        return _("纬度应在 -90 到 90 之间")
    return None


def _ring_error(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("多边形的每个环至少需要 4 个坐标点（首尾相同）")
    for position in ring:
        if not (isinstance(position, list) and len(position) >= 2 and all(_number(v) for v in position[:2])):
            return _("坐标应为 [经度, 纬度] 数字对")
        error = point_error(position[0], position[1])
        if error:
            return error
    if ring[0][:2] != ring[-1][:2]:
        return _("多边形的环首尾坐标应相同（闭合）")
    return None


def _polygon_error(rings: Any) -> str | None:
    if not isinstance(rings, list) or not rings:
        return _("多边形坐标不能为空")
    for ring in rings:
        error = _ring_error(ring)
        if error:
            return error
    return None


def plot_error(geometry: Any) -> str | None:
    """Return a Chinese reason when ``geometry`` is not a GeoJSON Polygon/MultiPolygon in lon/lat, else ``None``.

    A Feature wrapping such a geometry is refused too: the field stores the bare geometry (RFC 7946 §3.1).
    """
    if geometry in (None, "", {}):
        return None
    if not isinstance(geometry, dict):
        return _("地块轮廓应为 GeoJSON 几何对象")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return _polygon_error(coordinates)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            return _("多边形坐标不能为空")
        for polygon in coordinates:
            error = _polygon_error(polygon)
            if error:
                return error
        return None
    return _("地块轮廓的类型应为 Polygon 或 MultiPolygon，实际为“%(kind)s”") % {"kind": kind}


def zone_error(lon: Any, lat: Any, plot: Any) -> dict[str, str]:
    """Reasons (by field) why a well-formed location or plot cannot be stored: outside the zone's bounding
    area (``ANJIAN_ZONE_BBOX``), latitude and longitude swapped, a self-intersecting outline. The park map's
    own check (``anjian.geo.models.geometry_error``), so that the form, the API and the imports of the
    registry refuse what the map refuses."""
    from anjian.geo.models import POLYGON_TYPES, geometry_error

    errors: dict[str, str] = {}
    if lon is not None and lat is not None:
        error = geometry_error({"type": "Point", "coordinates": [float(lon), float(lat)]}, ("Point",))
        if error:
            errors["lon"] = error
    if plot:
        error = geometry_error(plot, POLYGON_TYPES)
        if error:
            errors["plot_geojson"] = error
    return errors
