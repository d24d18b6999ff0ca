"""The park map and the overview at 2,000 enterprises: layer endpoints, overview server time, map time-to-drawn.

Builds the demo zone (with its geography), adds synthetic enterprises up to 2,000 spread over the park and the
towns (with plot outlines), then measures as the committee office (the largest scope) and a department:

- each default layer's endpoint with the bounding box of the park view, and without one (median of ``repeat``);
- the overview computed without cache (``build_overview``), and the cockpit page (cache warm);
- in headless chromium (when installed): from navigation start to every default layer loaded and drawn.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

TARGET_ENTERPRISES = 2000
PARK_VIEW = "105.17,37.78,105.33,37.90"  # what the map shows of the park at zoom ≈ 13 on a 1440 px screen


def _grow(n: int) -> int:
    """Add synthetic enterprises (bulk, no audit: a load fixture, not data anyone edits) up to ``n``."""
    from anjian.enterprises.models import Enterprise, Grid
    from anjian.orgs.models import OrgUnit

    have = Enterprise.objects.count()
    rng = random.Random(9)
    teng = OrgUnit.objects.get(name="腾格里镇")
    grids = list(Grid.objects.filter(town=teng))
    template = Enterprise.objects.filter(in_park=True).first()
    assert template is not None
    rows = []
    for i in range(have, n):
        lon, lat = rng.uniform(105.20, 105.30), rng.uniform(37.80, 37.88)
        w, h = 0.0008, 0.0006
        rows.append(
            Enterprise(
                uscc=f"BENCH{i:013d}",
                name=f"压测企业{i:04d}有限公司",
                town=teng,
                in_park=True,
                grid=rng.choice(grids),
                lon=Decimal(f"{lon:.6f}"),
                lat=Decimal(f"{lat:.6f}"),
                plot_geojson={
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [lon - w, lat - h],
                            [lon + w, lat - h],
                            [lon + w, lat + h],
                            [lon - w, lat + h],
                            [lon - w, lat - h],
                        ]
                    ],
                },
                industry=template.industry,
                supervising_unit=template.supervising_unit,
                major_hazard=i % 9 == 0,
                key_process=i % 5 == 0,
            )
        )
    Enterprise.objects.bulk_create(rows, batch_size=500)
    return Enterprise.objects.count()


def _median_ms(func: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 1)


def _browser_time_to_drawn(user: Any) -> dict[str, Any]:
    """Start a live server on the in-memory database and time the map page in headless chromium."""
    chromium = os.environ.get("ANJIAN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    if not os.path.exists(chromium):
        return {"skipped": f"chromium not found at {chromium}"}
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    connection.inc_thread_sharing()
    server = LiveServerThread(
        "127.0.0.1", StaticFilesHandler, connections_override={"default": connection}, port=0
    )
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    out: dict[str, Any] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            ctx = browser.new_context(viewport={"width": 1440, "height": 900})
            ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
            page = ctx.new_page()
            runs = []
            for _ in range(3):
                page.goto(f"{base}/geo/")
                page.wait_for_function(
                    "(() => { const el = document.querySelector('.anjian-map');"
                    " return el && Number(el.dataset.drawn || 0) >= 1 && Number(el.dataset.loading || 0) === 0; })()",
                    timeout=30_000,
                )
                runs.append(page.evaluate("performance.now()"))
                out["features_drawn"] = page.evaluate(
                    "(() => { const s = document.querySelector('.anjian-map')._anjianLayers; let n = 0;"
                    " for (const k in s) n += s[k].group.getLayers().length; return n; })()"
                )
            out["time_to_drawn_ms"] = round(statistics.median(runs), 1)
            browser.close()
    finally:
        server.terminate()
        connection.dec_thread_sharing()
    return out


def run(repeat: int = 7) -> dict[str, object]:
    """Build the zone at 2,000 enterprises in a fresh test database and time the map and the overview."""
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from anjian.cockpit.overview import build_overview
    from anjian.demo.context import DemoContext
    from anjian.demo.generate import generate
    from anjian.geo.layers import layers_for
    from anjian.orgs.models import User

    generate(DemoContext(), log=lambda _msg: None)
    total = _grow(TARGET_ENTERPRISES)
    results: dict[str, Any] = {"enterprises": total}
    for username in ("anweiban", "yingji"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        from anjian.core.access import scope_of

        defaults = [layer.key for layer in layers_for(scope_of(user)) if layer.default_visible]
        layers: dict[str, Any] = {}
        for key in defaults:
            url = f"/api/v1/geo/layers/{key}/"
            response = client.get(url, {"bbox": PARK_VIEW})
            layers[key] = {
                "features": len(response.json()["features"]),
                "bbox_median_ms": _median_ms(lambda u=url, c=client: c.get(u, {"bbox": PARK_VIEW}), repeat),
                "all_median_ms": _median_ms(lambda u=url, c=client: c.get(u), repeat),
            }
        results[username] = {
            "layers": layers,
            "overview_build_ms": _median_ms(lambda u=user: build_overview(u), repeat),
            "cockpit_page_ms": _median_ms(lambda c=client: c.get("/cockpit/"), repeat),
            "map_page_ms": _median_ms(lambda c=client: c.get("/geo/"), repeat),
        }
    try:
        results["browser"] = _browser_time_to_drawn(User.objects.get(username="anweiban"))
    except Exception as exc:
        results["browser"] = {"error": str(exc)}
    office = results["anweiban"]
    return {
        "summary": {
            "enterprises": total,
            "slowest_layer_bbox_ms": max(v["bbox_median_ms"] for v in office["layers"].values()),
            "overview_build_ms": office["overview_build_ms"],
            "cockpit_page_ms": office["cockpit_page_ms"],
            "map_time_to_drawn_ms": results["browser"].get("time_to_drawn_ms"),
        },
        "detail": results,
    }
