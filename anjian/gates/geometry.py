"""A zone's outline: a valid GeoJSON polygon lying on its enterprise's plant plot (shapely)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from anjian.enterprises.geometry import plot_error

__all__ = ["outline_error"]

# Digitised outlines are drawn by hand over a plot drawn by someone else: allow ~5 m of slack (in degrees).
_SLACK_DEG = 0.00005


def outline_error(outline: Any, enterprise: Any | None) -> str | None:
    """A Chinese message when ``outline`` is not a polygon, or does not lie within the enterprise's plot."""
    problem = plot_error(outline)
    if problem:
        return problem
    plot = getattr(enterprise, "plot_geojson", None)
    if not plot:
        return None
    from shapely.geometry import shape

    try:
        zone_shape = shape(outline)
        plot_shape = shape(plot).buffer(_SLACK_DEG)
    except (ValueError, TypeError, AttributeError):
        return _("区域轮廓不是有效的多边形")
    if not zone_shape.is_valid:
        return _("区域轮廓自相交或无效")
    if not plot_shape.contains(zone_shape):
        return _("区域轮廓必须位于本企业的厂区地块之内")
    return None
