"""CGCS2000 3-degree Gauss–Krüger projection of WGS 84 lon/lat, through pyproj (offline PROJ data).

A stopgap shared by ``fire_rules`` and ``plume`` until the geo module's ``anjian/domain/geodesy.py`` is on
main; both use only :func:`central_meridian`, :func:`to_metric` and :func:`to_lonlat`.
EPSG:4534–4554 are "CGCS2000 / 3-degree Gauss-Kruger CM 75E … 135E" (no zone prefix in the easting).
WGS 84 and CGCS2000 differ by centimetres, far below what these rules measure.
"""

from __future__ import annotations

from functools import lru_cache

from pyproj import Transformer

__all__ = ["central_meridian", "epsg_for", "to_lonlat", "to_metric", "transformers"]


def central_meridian(lon: float) -> int:
    """The central meridian of the 3-degree zone containing ``lon`` (clamped to 75°E … 135°E)."""
    return int(min(135, max(75, 3 * round(lon / 3))))


def epsg_for(cm: int) -> int:
    """EPSG code of CGCS2000 / 3-degree Gauss-Kruger CM ``cm``E."""
    return 4534 + (cm - 75) // 3


@lru_cache(maxsize=32)
def transformers(cm: int) -> tuple[Transformer, Transformer]:
    """(WGS 84 → Gauss–Krüger, Gauss–Krüger → WGS 84) for the zone of central meridian ``cm``."""
    epsg = epsg_for(cm)
    return (
        Transformer.from_crs(4326, epsg, always_xy=True),
        Transformer.from_crs(epsg, 4326, always_xy=True),
    )


def to_metric(lon: float, lat: float, cm: int | None = None) -> tuple[float, float]:
    """Easting/northing in metres of a WGS 84 point, in the zone ``cm`` (default: the point's own)."""
    x, y = transformers(cm if cm is not None else central_meridian(lon))[0].transform(lon, lat)
    return (float(x), float(y))


def to_lonlat(x: float, y: float, cm: int) -> tuple[float, float]:
    """WGS 84 lon/lat of a Gauss–Krüger point of zone ``cm``."""
    lon, lat = transformers(cm)[1].transform(x, y)
    return (float(lon), float(lat))
