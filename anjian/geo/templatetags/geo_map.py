"""``{% geo_map_config %}``: what ``geo/_map.html`` needs to draw a map for the current user."""

from __future__ import annotations

import itertools
from typing import Any

from django import template
from django.urls import reverse

from anjian.core.access import scope_of
from anjian.geo.layers import layers_for
from anjian.geo.zone import mbtiles_path, zone_bbox

register = template.Library()
_counter = itertools.count(1)


@register.simple_tag(takes_context=True)
def geo_map_config(context: template.Context) -> dict[str, Any]:
    """Read ``layers`` (comma-separated keys), ``focus`` ("lon,lat[,zoom]"), ``height`` and ``editable`` from
    the include's context; return the map element's id and its JSON configuration."""
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
    data = {
        "layers": [layer.meta() for layer in layers],
        "api": reverse("geo-layers"),
        "tiles": reverse("geo:tile", args=[0, 0, 0]).replace("/0/0/0", "/{z}/{x}/{y}")
        if mbtiles_path()
        else "",
        "bbox": list(zone_bbox().as_tuple()),
        "focus": focus,
        "highlight": str(context.get("highlight") or ""),
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
