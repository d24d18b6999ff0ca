"""Province scale (issue 8): every sidebar page and API list, for every demo role, on a zone of N enterprises.

``python -m bench bench_scale`` (or ``make bench``). For each database (SQLite file and PostgreSQL) a child process
builds the zone once with ``anjian demo --no-serve --enterprises N`` (timed; reused on the next run when it already
has N enterprises), then requests, as each demo login, every page its sidebar shows and every API list
(``/api/v1/…/`` routes without a parameter), ``BENCH_REPEAT`` times after one warm-up request, through Django's
test client with DEBUG off. Per URL: p95 and median wall time, p95 CPU time of this thread (``time.thread_time``:
the view, the templates and, on SQLite, the database itself; PostgreSQL's own CPU is not in it) and the query count.

Environment: ``BENCH_N`` (default 20000), ``BENCH_REPEAT`` (default 5), ``BENCH_DBS`` (``sqlite,postgresql``),
``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432/anjian_bench_scale_<N>``), ``BENCH_SQLITE_DIR``
(default ``var/``), ``BENCH_USERS`` (comma-separated usernames, default every demo login). The machine's load
average is recorded beside the figures: on a shared machine wall time moves with it, CPU time and query counts
much less.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL_MS = 150.0

DEMO_USERS = (
    "admin",
    "anweiban",
    "yingji",
    "shijian",
    "zhujian",
    "gongke",
    "tengzhen",
    "zhihui",
    "qiye",
    "jiayouzhan",
    "xunjian",
    "menggang",
)
#: Searches measured on top of the lists: a surname and an industry word (Chinese substring search).
SEARCHES = (
    "/enterprises/?q=化工",
    "/people/persons/?q=张",
    "/people/persons/?q=化工",
    "/people/certificates/?q=张",
    "/dangers/?q=消防",
    "/api/v1/people/persons/?search=张",
)


def _database_urls(n: int) -> dict[str, str]:
    sqlite_dir = Path(os.environ.get("BENCH_SQLITE_DIR", ROOT / "var"))
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    urls = {
        "sqlite": f"sqlite:///{sqlite_dir / f'bench_scale_{n}.sqlite3'}",
        "postgresql": os.environ.get(
            "BENCH_PG_URL", f"postgres://postgres@127.0.0.1:5432/anjian_bench_scale_{n}"
        ),
    }
    wanted = os.environ.get("BENCH_DBS", "sqlite,postgresql").split(",")
    return {k: v for k, v in urls.items() if k in wanted}


def run() -> dict[str, Any]:
    """Build and measure each database in a child process; merge, print a table and return the results."""
    n = int(os.environ.get("BENCH_N", "20000"))
    out: dict[str, Any] = {"n": n, "goal_ms": GOAL_MS, "databases": {}}
    for vendor, url in _database_urls(n).items():
        if vendor == "postgresql" and not _postgres_ready(url):
            out["databases"][vendor] = {"skipped": "PostgreSQL does not answer"}
            continue
        env = {
            **os.environ,
            "ANJIAN_DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "anjian.settings",
            "ANJIAN_DEBUG": "0",
            "ANJIAN_SECRET_KEY": "bench-only-" + "x" * 40,
            "ANJIAN_ALLOWED_HOSTS": "testserver",
            "PYTHONPATH": str(ROOT),
        }
        # The child's progress (one line per URL) goes to a log beside the results.
        log_path = HERE / "results" / f"bench_scale_{vendor}.log"
        log_path.parent.mkdir(exist_ok=True)
        with log_path.open("w", encoding="utf-8") as log:
            result = subprocess.run(
                [sys.executable, "-m", "bench.bench_scale", "--child", str(n)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                check=False,
            )
        if result.returncode != 0:
            tail = log_path.read_text(encoding="utf-8")[-3000:]
            out["databases"][vendor] = {"error": tail}
            print(tail, file=sys.stderr)
            continue
        data = json.loads(result.stdout.strip().splitlines()[-1])
        out["databases"][vendor] = data
        # Each database's figures also on their own, so runs at different N (or one database) do not overwrite.
        (HERE / "results" / f"bench_scale_{vendor}_{n}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        _print_table(vendor, data)
    out["summary"] = _summary(out)
    return out


def _postgres_ready(url: str) -> bool:
    import psycopg

    base = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return False
    return True


def _summary(out: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {"n": out["n"]}
    for vendor, data in out["databases"].items():
        rows = data.get("rows") or []
        if not rows:
            summary[vendor] = data.get("skipped") or "error"
            continue
        worst = max(rows, key=lambda r: r["p95_ms"])
        summary[vendor] = {
            "build_s": data.get("build_s"),
            "urls": len(rows),
            "over_goal": sum(1 for r in rows if r["p95_ms"] > GOAL_MS),
            "over_goal_cpu": sum(1 for r in rows if r["cpu_p95_ms"] > GOAL_MS),
            "slowest": f"{worst['user']} {worst['url']}",
            "slowest_p95_ms": worst["p95_ms"],
            "max_queries": max(r["queries"] for r in rows),
            "loadavg": data.get("loadavg"),
        }
    return summary


def _print_table(vendor: str, data: dict[str, Any]) -> None:
    print(f"\n== {vendor}: N={data['n']} enterprises, {data['counts']}; build {data.get('build_s')} s")
    print(f"   load average before/after: {data['loadavg']}")
    print(f"{'user':<11} {'url':<58} {'st':>3} {'p95ms':>7} {'med':>7} {'cpu95':>7} {'q':>4}")
    for r in sorted(data["rows"], key=lambda r: -r["p95_ms"]):
        flag = " *" if r["p95_ms"] > GOAL_MS else ""
        print(
            f"{r['user']:<11} {r['url'][:58]:<58} {r['status']:>3} {r['p95_ms']:>7.1f} {r['median_ms']:>7.1f} "
            f"{r['cpu_p95_ms']:>7.1f} {r['queries']:>4}{flag}"
        )


# ---------------------------------------------------------------------------------------------
# Child: one database
# ---------------------------------------------------------------------------------------------


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()
    except OSError:
        return "?"


def _api_lists() -> list[str]:
    """Every ``/api/v1/`` route named ``*-list`` that takes no parameter."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[str] = []

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and (p.name or "").endswith("-list"):
                path = "/" + route.replace("^", "").replace("$", "")
                if path.startswith("/api/v1/") and "<" not in path and "(" not in path and "\\" not in path:
                    found.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _sidebar(user: Any) -> list[str]:
    from django.test import RequestFactory

    from anjian.core.context_processors import navigation

    request = RequestFactory().get("/")
    request.user = user
    return [
        link["url"]
        for s in navigation(request)["nav"]
        for link in s["links"]
        if link["url"] != "/api/v1/docs/"
    ]


def child(n: int) -> None:
    """Build the zone if needed, then measure; print one JSON line."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from anjian.enterprises.models import Enterprise
    from anjian.orgs.models import User
    from anjian.people.models import Certificate, Person

    before = _loadavg()
    build_s = None
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if Enterprise.objects.count() < n:
        t0 = time.perf_counter()
        call_command("demo", no_serve=True, enterprises=n, stdout=sys.stderr)
        build_s = round(time.perf_counter() - t0, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    assert not settings.DEBUG
    # As the WSGI entry point does for a server process (anjian/wsgi.py).
    from anjian.core.warmup import warm_and_freeze

    warm_and_freeze()
    counts = {
        "enterprises": Enterprise.objects.count(),
        "people": Person.objects.count(),
        "certificates": Certificate.objects.count(),
    }
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    wanted = os.environ.get("BENCH_USERS", ",".join(DEMO_USERS)).split(",")
    apis = _api_lists()
    rows: list[dict[str, Any]] = []
    for username in wanted:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        urls = (
            _sidebar(user) + apis + (list(SEARCHES) if username in {"anweiban", "yingji", "tengzhen"} else [])
        )
        for url in urls:
            client.get(url)  # warm-up: caches, the first compile of a template
            walls, cpus, nq, status = [], [], 0, 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    w0, c0 = time.perf_counter(), time.thread_time()
                    response = client.get(url)
                    cpus.append(time.thread_time() - c0)
                    walls.append(time.perf_counter() - w0)
                nq, status = len(queries), response.status_code
            rows.append(
                {
                    "user": username,
                    "url": url,
                    "status": status,
                    "p95_ms": round(_p95(walls) * 1000, 1),
                    "median_ms": round(statistics.median(walls) * 1000, 1),
                    "cpu_p95_ms": round(_p95(cpus) * 1000, 1),
                    "queries": nq,
                }
            )
            print(
                f"{username} {url} {status} p95 {rows[-1]['p95_ms']} ms cpu {rows[-1]['cpu_p95_ms']} ms {nq} q",
                file=sys.stderr,
                flush=True,
            )
    print(
        json.dumps(
            {
                "n": n,
                "vendor": connection.vendor,
                "counts": counts,
                "build_s": build_s,
                "repeat": repeat,
                "loadavg": f"{before} / {_loadavg()}",
                "rows": rows,
            },
            ensure_ascii=False,
        )
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        print(json.dumps(run()["summary"], ensure_ascii=False))
