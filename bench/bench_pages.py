"""Latency and query counts of the main list pages and APIs on the full demo zone (SQLite in memory).

Builds the demo zone (≈60 enterprises, ≈1,500 people, the plan with five years of reports), then requests each URL
``repeat`` times as the committee office (sees everything, so the largest lists) and as a department user.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

URLS = [
    "/",
    "/plans/tasks/",
    "/plans/mine/",
    "/plans/targets/",
    "/enterprises/",
    "/people/persons/",
    "/people/expiring/",
    "/api/v1/enterprises/enterprises/?page_size=100",
    "/api/v1/people/persons/?page_size=100",
    "/api/v1/plans/reports/?page_size=100",
]


def run(repeat: int = 5) -> dict[str, object]:
    """Build the demo zone in a fresh test database and time the URLs."""
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from anjian.demo.context import DemoContext
    from anjian.demo.generate import generate
    from anjian.orgs.models import User

    started = time.perf_counter()
    generate(DemoContext(), log=lambda _msg: None)
    build_s = time.perf_counter() - started
    results: dict[str, dict[str, object]] = {}
    for username in ("anweiban", "yingji"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in URLS:
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - t0)
            results[f"{username} {url}"] = {
                "status": response.status_code,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "queries": len(queries),
            }
    worst = max(results.items(), key=lambda kv: float(kv[1]["median_ms"]))  # type: ignore[arg-type]
    return {
        "summary": {
            "demo_build_s": round(build_s, 1),
            "slowest": worst[0],
            "slowest_ms": worst[1]["median_ms"],
            "max_queries": max(int(r["queries"]) for r in results.values()),  # type: ignore[call-overload]
        },
        "urls": results,
    }
