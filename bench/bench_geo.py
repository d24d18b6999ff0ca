"""The park map and the overview at 2,000 enterprises: layer endpoints, overview server time, map time-to-drawn.

Builds the demo zone (with its geography), adds synthetic enterprises up to 2,000 spread over the park (each
with a plot outline and a grade), then measures as the committee office (the largest scope) and a department:

- each default layer's endpoint with the bounding box of the park view, and without one: the first answer
  after a data change (cold: rows read from the database) and the following ones (warm: rows kept per scope
  and data generation); median wall time and median CPU time of this process, queries, payload bytes;
- the overview computed without cache (``build_overview``: wall, CPU, queries), the cockpit page with the cache
  dropped before every request (cold) and kept (warm);
- in headless chromium: from navigation start to every default layer loaded and drawn (``data-drawn-at``,
  set by the map after the canvas has painted), median of runs after the first.

The machine is shared: every figure comes with the load average at the start and the end of the run, and the
CPU times, query counts and payload sizes do not depend on the load.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection, connections, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

TARGET_ENTERPRISES = 2000
PARK_VIEW = "105.17,37.78,105.33,37.90"  # what the map shows of the park at zoom ≈ 13 on a 1440 px screen


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _grow(n: int) -> int:
    """Add synthetic enterprises (bulk, no audit: a load fixture, not data anyone edits) up to ``n``."""
    from anjian.enterprises.models import Enterprise, Grid, Standardization
    from anjian.geo.cache import bump
    from anjian.orgs.models import OrgUnit

    have = Enterprise.objects.count()
    rng = random.Random(9)
    teng = OrgUnit.objects.get(name="腾格里镇")
    grids = list(Grid.objects.filter(town=teng))
    template = Enterprise.objects.filter(in_park=True).first()
    assert template is not None
    rows = []
    for i in range(have, n):
        lon, lat = round(rng.uniform(105.20, 105.30), 6), round(rng.uniform(37.80, 37.88), 6)
        w, h = 0.0008, 0.0006
        ring = [
            [lon - w, lat - h],
            [lon + w, lat - h],
            [lon + w, lat + h],
            [lon - w, lat + h],
            [lon - w, lat - h],
        ]
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
                    "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]],
                },
                industry=template.industry,
                supervising_unit=template.supervising_unit,
                major_hazard=i % 9 == 0,
                key_process=i % 5 == 0,
            )
        )
    Enterprise.objects.bulk_create(rows, batch_size=500)
    grades = [
        Standardization(
            enterprise=e,
            grade=("level2", "level3", "small")[e.pk % 3],
            certificate_no=f"BENCH-{e.pk}",
            issued_on="2024-01-01",
            review_due="2027-01-01",
            is_current=True,
        )
        for e in Enterprise.objects.filter(uscc__startswith="BENCH")
        if e.pk % 2
    ]
    Standardization.objects.bulk_create(grades, batch_size=500)
    bump()  # bulk writes send no signals: drop the cached layers by hand
    return Enterprise.objects.count()


def _timed(func: Any, repeat: int, before: Any = None) -> dict[str, float]:
    """Median wall and CPU milliseconds of ``func`` (``before`` runs untimed before each call)."""
    wall, cpu = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        w0, c0 = time.perf_counter(), time.process_time()
        func()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {
        "wall_ms": round(statistics.median(wall) * 1000, 1),
        "cpu_ms": round(statistics.median(cpu) * 1000, 1),
    }


def _queries(func: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def _layers(user: Any, client: Client, repeat: int) -> dict[str, Any]:
    from anjian.core.access import scope_of
    from anjian.geo.cache import bump
    from anjian.geo.layers import layers_for

    out: dict[str, Any] = {}
    for layer in layers_for(scope_of(user)):
        if not layer.default_visible:
            continue
        url = f"/api/v1/geo/layers/{layer.key}/"

        def get(u: str = url, bbox: str | None = PARK_VIEW) -> Any:
            return client.get(u, {"bbox": bbox} if bbox else {})

        bump()
        cold_queries = _queries(get)
        response = get()
        out[layer.key] = {
            "features": len(response.json()["features"]),
            "payload_kb": round(len(response.content) / 1024, 1),
            "queries_cold": cold_queries,
            "queries_warm": _queries(get),
            "bbox_cold": _timed(get, max(3, repeat // 2), before=bump),
            "bbox_warm": _timed(get, repeat),
            "whole_layer_warm": _timed(lambda u=url: client.get(u), repeat),
        }
    return out


def _browser_time_to_drawn(user: Any, runs: int = 5) -> dict[str, Any]:
    """Start a live server on the in-memory database and time the map page in headless chromium."""
    chromium = os.environ.get("ANJIAN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    if not os.path.exists(chromium):
        return {"skipped": f"chromium not found at {chromium}"}
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    # The wrapper itself, not the ``django.db.connection`` proxy (a proxy in the override recurses forever).
    wrapper = connections["default"]
    wrapper.inc_thread_sharing()
    server = LiveServerThread(
        "127.0.0.1", StaticFilesHandler, connections_override={"default": wrapper}, port=0
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
    out: dict[str, Any] = {"load_before": _load()}
    # The CSP forbids eval, so poll from outside the page (wait_for_function evaluates with eval inside it).
    drawn = (
        "(() => { const el = document.querySelector('.anjian-map');"
        " return el && Number(el.dataset.drawn || 0) >= 1 && Number(el.dataset.loading || 0) === 0; })()"
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
            )
            ctx = browser.new_context(viewport={"width": 1440, "height": 900})
            ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
            page = ctx.new_page()
            runs_ms, dom_ms, data_ms = [], [], []
            for _ in range(runs):
                page.goto(f"{base}/geo/")
                deadline = time.monotonic() + 60
                while not page.evaluate(drawn):
                    if time.monotonic() > deadline:
                        raise TimeoutError("the map was not drawn within 60 s")
                    time.sleep(0.02)
                runs_ms.append(
                    float(page.evaluate("Number(document.querySelector('.anjian-map').dataset.drawnAt)"))
                )
                timing = page.evaluate(
                    "(() => { const n = performance.getEntriesByType('navigation')[0];"
                    " const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/geo/layers/'));"
                    " return {dom: n.domContentLoadedEventEnd, data: Math.max(0, ...api.map(e => e.responseEnd)),"
                    " bytes: api.reduce((s, e) => s + (e.encodedBodySize || 0), 0)}; })()"
                )
                dom_ms.append(timing["dom"])
                data_ms.append(timing["data"])
                out["layer_bytes"] = timing["bytes"]
            out["features_drawn"] = page.evaluate(
                "(() => { const s = document.querySelector('.anjian-map')._anjianLayers; let n = 0;"
                " for (const k in s) n += s[k].group.getLayers().length; return n; })()"
            )
            later = runs_ms[1:] or runs_ms
            out["runs_ms"] = [round(x) for x in runs_ms]
            out["time_to_drawn_ms"] = round(statistics.median(later))
            out["dom_content_loaded_ms"] = round(statistics.median(dom_ms[1:] or dom_ms))
            out["layer_data_loaded_ms"] = round(statistics.median(data_ms[1:] or data_ms))
            browser.close()
    finally:
        server.terminate()
        wrapper.dec_thread_sharing()
    out["load_after"] = _load()
    return out


def run(repeat: int = 7) -> dict[str, object]:
    """Build the zone at 2,000 enterprises in a fresh test database and time the map and the overview."""
    load_start = _load()
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from django.core.cache import cache

    from anjian.cockpit.overview import build_overview
    from anjian.demo.context import DemoContext
    from anjian.demo.generate import generate
    from anjian.orgs.models import User

    generate(DemoContext(), log=lambda _msg: None)
    total = _grow(TARGET_ENTERPRISES)
    results: dict[str, Any] = {"enterprises": total, "load_at_start": load_start}
    for username in ("anweiban", "yingji"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        reset_queries()
        results[username] = {
            "load": _load(),
            "layers": _layers(user, client, repeat),
            "overview_build": _timed(lambda u=user: build_overview(u), repeat),
            "overview_build_queries": _queries(lambda u=user: build_overview(u)),
            "cockpit_page_cold": _timed(lambda c=client: c.get("/cockpit/"), repeat, before=cache.clear),
            "cockpit_page_warm": _timed(lambda c=client: c.get("/cockpit/"), repeat),
            "map_page": _timed(lambda c=client: c.get("/geo/"), repeat),
        }
    try:
        results["browser"] = _browser_time_to_drawn(User.objects.get(username="anweiban"))
    except Exception as exc:
        results["browser"] = {"error": str(exc)}
    results["load_at_end"] = _load()
    office = results["anweiban"]
    slowest = max(office["layers"].items(), key=lambda kv: kv[1]["bbox_warm"]["wall_ms"])
    slowest_cold = max(office["layers"].items(), key=lambda kv: kv[1]["bbox_cold"]["wall_ms"])
    return {
        "summary": {
            "enterprises": total,
            "load_average": [load_start, results["load_at_end"]],
            "slowest_layer_bbox_warm": [slowest[0], slowest[1]["bbox_warm"]["wall_ms"]],
            "slowest_layer_bbox_cold": [slowest_cold[0], slowest_cold[1]["bbox_cold"]["wall_ms"]],
            "overview_build_ms": office["overview_build"]["wall_ms"],
            "cockpit_page_cold_ms": office["cockpit_page_cold"]["wall_ms"],
            "cockpit_page_warm_ms": office["cockpit_page_warm"]["wall_ms"],
            "map_time_to_drawn_ms": results["browser"].get("time_to_drawn_ms"),
        },
        "detail": results,
    }
