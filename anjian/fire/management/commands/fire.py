"""``anjian fire``: fire-water compliance (plan 八.六) from the command line.

``anjian fire check FILE [--json]`` reads a GeoJSON FeatureCollection (WGS 84) whose features carry
``properties.id`` and ``properties.kind`` (``road`` with ``width_m``, ``hydrant``, ``plot``, ``fire_pool``
with ``volume_m3``, ``fire_zone`` with ``design_flow_lps``) and prints exactly
``{"violations": [{"rule": "hydrant_spacing|both_sides|hydrant_coverage|pool_capacity", "feature": "<id>",
"detail": "…"}]}``; ``--explain`` adds ``measured``, ``limit`` and ``fix`` where known. ``anjian fire check
--stored`` runs the same check on the park's stored layers. Exit status 0 when the check ran (with or without
violations); 2 with ``{"error": "…"}`` for an unreadable file or a feature that cannot be read (each such
feature named: a layout is never checked with a feature silently left out).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anjian.domain.fire_rules import RULE_LABELS, Layout, check_layout, layout_from_geojson

#: A layout file larger than this is refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "消防基础设施：按规划八.六检查消火栓间距、两侧设置、保护半径和消防水池容量（check）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        check = sub.add_parser(
            "check", help="check a GeoJSON layout (or the stored layers) against the rules"
        )
        check.add_argument("file", nargs="?", help="GeoJSON FeatureCollection (WGS 84)")
        check.add_argument("--stored", action="store_true", help="check the park's stored fire layers")
        check.add_argument("--json", action="store_true", help='print {"violations": [...]} as JSON')
        check.add_argument(
            "--explain", action="store_true", help="add measured, limit and fix to each violation (JSON)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["subcommand"] == "check":
            self._check(opts)

    def _fail(self, message: str, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
            sys.exit(2)
        raise CommandError(message)

    def _check(self, opts: dict[str, Any]) -> None:
        as_json = bool(opts["json"])
        if opts["stored"]:
            from anjian.fire.compliance import stored_layout

            layout: Layout = stored_layout()
        else:
            if not opts["file"]:
                self._fail("请指定 GeoJSON 文件，或使用 --stored 检查已登记的图层", as_json)
            path = Path(opts["file"])
            try:
                size = path.stat().st_size
            except OSError:
                self._fail(f"无法读取文件：{path}", as_json)
                return
            if size > MAX_FILE_BYTES:
                self._fail("文件超过20MB，拒绝解析", as_json)
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                self._fail("文件不是有效的 JSON", as_json)
                return
            layout, errors = layout_from_geojson(data)
            if errors:
                self._fail("；".join(errors), as_json)
        violations = check_layout(layout)
        if as_json:
            keys = None if opts.get("explain") else ("rule", "feature", "detail")
            rows = [v.as_dict() for v in violations]
            body = {"violations": [{k: r[k] for k in keys} if keys else r for r in rows]}
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        if not violations:
            self.stdout.write("未发现违反规划八.六消防规则的情况")
        for v in violations:
            self.stdout.write(
                f"[{RULE_LABELS[v.rule]}] {v.feature}：{v.detail}" + (f"。整改：{v.fix}" if v.fix else "")
            )
