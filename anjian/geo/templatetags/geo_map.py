"""``{% geo_map_config %}``: what ``geo/_map.html`` needs to draw a map for the current user."""

from __future__ import annotations

import itertools
from typing import Any

from django import template
from django.urls import reverse

from anjian.core.access import scope_of
from anjian.geo.layers import layers_for
from anjian.geo.mbtiles import zoom_range
from anjian.geo.zone import mbtiles_path, zone_bbox

register = template.Library()
_counter = itertools.count(1)


def _opening_view() -> tuple[float, float, float, float]:
    """The park with a margin when its boundary is drawn, else the zone's bounding area."""
    from shapely.geometry import shape

    from anjian.geo.models import Area

    park = Area.objects.filter(kind="park").only("geometry").first()
    if park is None:
        return zone_bbox().as_tuple()
    w, s, e, n = shape(park.geometry).bounds
    dx, dy = (e - w) * 0.35, (n - s) * 0.2
    return (w - dx, s - dy, e + dx, n + dy)


@register.simple_tag(takes_context=True)
def geo_map_config(context: template.Context) -> dict[str, Any]:
    """Read ``layers`` (comma-separated keys), ``focus`` ("lon,lat[,zoom]"), ``height``, ``highlight`` (a
    feature id) and ``panel`` (``open``/``closed``; default: open unless the map is small) from the include's
    context; return the map element's id and its JSON configuration."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    keys = str(context.get("layers") or "")
    layers = layers_for(scope_of(user), keys.split(",") if keys else None)
    focus = None
    if context.get("focus"):
        try:
            parts = [float(p) for p in str(context["focus"]).split(",")]
            focus = {"lon": parts[0], "lat": parts[1], "zoom": parts[2] if len(parts) > 2 else 15}
        except (ValueError, IndexError):
            focus = None
    map_id = str(context.get("map_id") or f"geo-map-{next(_counter)}")
    tiles_path = mbtiles_path()
    zooms = zoom_range(tiles_path)
    data = {
        "layers": [layer.meta() for layer in layers],
        "api": reverse("geo-layers"),
        "tiles": reverse("geo:tile", args=[0, 0, 0]).replace("/0/0/0", "/{z}/{x}/{y}") if tiles_path else "",
        # Below the file's lowest zoom nothing is asked; above its highest, its last tiles are enlarged.
        "tiles_min_zoom": zooms[0] if zooms else 0,
        "tiles_max_zoom": zooms[1] if zooms else 18,
        "bbox": list(_opening_view()),
        "focus": focus,
        "highlight": str(context.get("highlight") or ""),
        "panel": str(context.get("panel") or ""),
        # A list page's filters, passed to the layers that take them (the enterprise layers).
        "params": str(context.get("params") or ""),
    }
    first = True
    if request is not None:
        first = not getattr(request, "_geo_map_assets", False)
        request._geo_map_assets = True
    return {
        "id": map_id,
        "config_id": f"{map_id}-config",
        "height": str(context.get("height") or "560px"),
        "data": data,
        "assets": first,
    }


@register.simple_tag
def place_summary(enterprise: Any) -> str:
    """Where an enterprise is, in words (``腾格里技术产业园区 · 西部精细化工生产区 · … · 距经二路 120 米``)."""
    from anjian.geo.places import describe

    if enterprise.lon is None or enterprise.lat is None:
        return "未登记"
    text = describe(enterprise.lon, enterprise.lat).summary
    return text or "已登记位置（园区外）"
