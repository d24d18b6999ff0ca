"""``anjian geo``: the park map from the command line.

``anjian geo tiles OUT.mbtiles [--min-zoom 10] [--max-zoom 15]`` renders the stored geography (the generated base
map's land cover, functional zones, roads at their width, the park boundary) into an MBTiles file of PNG tiles;
point ``ANJIAN_MAP_MBTILES`` at it to see the map's offline-tile path without licensed imagery.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anjian.domain.geodesy import BBox


class Command(BaseCommand):
    help = "园区地图：把已登记的底图要素渲染为离线瓦片（tiles OUT.mbtiles）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        tiles = sub.add_parser("tiles", help="render the stored base map into an MBTiles file")
        tiles.add_argument("out", help="the .mbtiles file to write (replaced)")
        tiles.add_argument("--min-zoom", type=int, default=10)
        tiles.add_argument("--max-zoom", type=int, default=15)

    def handle(self, *args: Any, **opts: Any) -> None:
        from shapely.geometry import shape

        from anjian.geo.mbtiles import render_mbtiles
        from anjian.geo.models import Area
        from anjian.geo.zone import zone_bbox

        lo, hi = opts["min_zoom"], opts["max_zoom"]
        if not 0 <= lo <= hi <= 18:
            raise CommandError("缩放级别应满足 0 ≤ --min-zoom ≤ --max-zoom ≤ 18")
        park_area = Area.objects.filter(kind="park").first()
        park = None
        if park_area is not None:
            w, s, e, n = shape(park_area.geometry).bounds
            park = BBox(w - 0.04, s - 0.04, e + 0.04, n + 0.04)
        count = render_mbtiles(opts["out"], zone=zone_bbox(), park=park, min_zoom=lo, max_zoom=hi)
        self.stdout.write(
            f"已生成 {count} 张瓦片：{opts['out']}（设置 ANJIAN_MAP_MBTILES 指向该文件即可使用）"
        )
