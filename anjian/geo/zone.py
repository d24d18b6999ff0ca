"""The zone's bounding area: points outside it are refused, and the map opens on it."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from anjian.domain.geodesy import BBox

__all__ = ["DEFAULT_ZONE_BBOX", "mbtiles_path", "zone_bbox"]

#: 孛井滩示范区 and its surroundings (WGS 84), used unless ``ANJIAN_ZONE_BBOX`` says otherwise: it holds
#: both towns and the 腾格里技术产业园区 with a margin of a few kilometres.
DEFAULT_ZONE_BBOX = BBox(104.90, 37.50, 105.60, 38.00)


def zone_bbox() -> BBox:
    """The zone's bounding area: ``ANJIAN_ZONE_BBOX="w,s,e,n"`` or :data:`DEFAULT_ZONE_BBOX`."""
    text = os.environ.get("ANJIAN_ZONE_BBOX", "").strip()
    if not text:
        return DEFAULT_ZONE_BBOX
    try:
        return BBox.parse(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"ANJIAN_ZONE_BBOX={text!r} is not 'west,south,east,north'") from exc


def mbtiles_path() -> str | None:
    """The offline tile file (``ANJIAN_MAP_MBTILES``), or ``None`` for the tile-less vector map."""
    path = os.environ.get("ANJIAN_MAP_MBTILES", "").strip()
    return path or None
