"""Pages of the park map: the full-page map and offline tiles."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from anjian.geo.zone import mbtiles_path

__all__ = ["MapView", "TileView"]


class MapView(LoginRequiredMixin, View):
    """园区一张图: every layer the user may see."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "geo/map.html", {"page_title": "园区地图"})


def _magic_type(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


class TileView(LoginRequiredMixin, View):
    """One tile of the configured MBTiles file (``ANJIAN_MAP_MBTILES``), XYZ numbering; 404 when absent.

    MBTiles 1.3 stores rows in TMS order (origin bottom-left), so ``y`` is flipped.
    """

    def get(self, request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
        path = mbtiles_path()
        if not path or z > 24 or x >= 2**z or y >= 2**z:
            raise Http404("no tile")
        row: Any = None
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                row = db.execute(
                    "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, (2**z - 1) - y),
                ).fetchone()
        except sqlite3.Error as exc:
            raise Http404("no tile") from exc
        if row is None:
            raise Http404("no tile")
        data = bytes(row[0])
        response = HttpResponse(data, content_type=_magic_type(data))
        response["Cache-Control"] = "private, max-age=86400"
        return response
