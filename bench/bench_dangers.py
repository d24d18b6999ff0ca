"""Dual prevention at zone scale (issue 10): 2,000 enterprises, 200,000 hidden dangers, 2 million inspection
records. Measures the danger lists, the statistics page and the four-colour risk map (goal < 300 ms each) and
the completion-rate job for a day's tasks (goal < 1 minute), with query counts and PostgreSQL plans.

The generator writes straight into a fresh database (COPY on PostgreSQL, ``bulk_create`` on SQLite): rows a
load fixture needs, not data anyone edits, so no audit rows. Per enterprise: 5 assessed risk objects with a
position inside its plot, 10 inspection tasks (8 daily, 1 weekly, 1 monthly), 100 hidden dangers over two years
(85 % closed, some open and overdue, 1 % 重大); the daily tasks' records of the last 139 days (about 90 % of
periods done, 3 % of them late); and a year of ``TaskCompletionStat`` rows (what the daily job writes).

Pages are requested in-process through Django's test client (URL routing, middleware, session, view, template),
as the committee office (the whole zone), the supervising department (half the enterprises) and one enterprise,
median of ``repeat``. Run (PostgreSQL, the scale the issue names)::

    ANJIAN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anjian_modules python -m bench bench_dangers

With SQLite (no ``ANJIAN_TEST_DATABASE_URL``) the volumes are divided by ``BENCH_SQLITE_DIVISOR`` (10).
``BENCH_KEEPDB=1`` measures again on the zone a previous run left in the test database (no rebuild).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from decimal import Decimal
from typing import Any

ENTERPRISES = 2000
DANGERS_PER_ENTERPRISE = 100
DAILY_TASKS, WEEKLY_TASKS, MONTHLY_TASKS = 8, 1, 1
RECORD_DAYS = 139  # 2,000 × 8 daily tasks × 139 days × 90 % done ≈ 2,000,000 records
OBJECTS_PER_ENTERPRISE = 5


# ---------------------------------------------------------------------------------------------
# Writing rows fast
# ---------------------------------------------------------------------------------------------


def _columns(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (field name → value) with COPY on PostgreSQL, ``bulk_create`` elsewhere."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=2000)
        return
    fields = [f for f in _columns(model) if f.attname in rows[0] or f.name in rows[0]]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row([f.get_db_prep_save(r.get(f.attname, r.get(f.name)), connection) for f in fields])


# ---------------------------------------------------------------------------------------------
# The zone
# ---------------------------------------------------------------------------------------------


def _populate(n_enterprises: int, record_days: int) -> dict[str, Any]:
    from django.utils import timezone

    from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask, TaskCompletionStat
    from anjian.enterprises.actions import do_create_enterprise
    from anjian.enterprises.models import Enterprise
    from anjian.enterprises.tests.fixtures import make_uscc
    from anjian.orgs.models import OrgUnit, User
    from anjian.risks.models import RiskObject

    rng = random.Random(10)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    dept = OrgUnit.objects.get(name="应急管理局")
    other_dept = OrgUnit.objects.get(name="工业和科技局")
    towns = [OrgUnit.objects.get(name="腾格里镇"), OrgUnit.objects.get(name="孛井滩镇")]
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    # One enterprise through the real action (it gets its enterprise-side unit and user); the rest in bulk.
    first = do_create_enterprise(
        Enterprise(
            uscc=make_uscc(700000), name="压测化工000有限公司", industry="hazchem_production", town=towns[0]
        ),
        acting_user=None,
    )
    rows = []
    for i in range(1, n_enterprises):
        lon, lat = rng.uniform(105.20, 105.30), rng.uniform(37.80, 37.88)
        w, h = 0.0008, 0.0006
        rows.append(
            {
                "uscc": make_uscc(700000 + i),
                "name": f"压测化工{i:04d}有限公司",
                "industry": ("hazchem_production", "hazchem_trade", "hazchem_use", "other")[i % 4],
                "town_id": towns[i % 2].pk,
                "in_park": True,
                "lon": Decimal(f"{lon:.6f}"),
                "lat": Decimal(f"{lat:.6f}"),
                "plot_geojson": {
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
                # half the zone is supervised by 应急管理局 (the department measured), half by another
                "supervising_unit_id": (dept if i % 2 == 0 else other_dept).pk,
                "major_hazard": i % 9 == 0,
                "status": "operating",
                "created_at": now,
                "updated_at": now,
            }
        )
    Enterprise.objects.bulk_create([Enterprise(**r) for r in rows], batch_size=500)
    Enterprise.objects.filter(pk=first.pk).update(
        supervising_unit=dept,
        lon=Decimal("105.25"),
        lat=Decimal("37.84"),
        plot_geojson=rows[0]["plot_geojson"],
    )
    enterprises = list(
        Enterprise.objects.order_by("pk").values_list("pk", "supervising_unit_id", "lon", "lat")
    )
    timings["enterprises_s"] = time.perf_counter() - t0

    committee = User.objects.create(
        username="bench-committee", role="committee", org=OrgUnit.objects.get(code="AWB")
    )
    dept_user = User.objects.create(username="bench-dept", role="dept", org=dept)
    ent_user = User.objects.create(username="bench-ent", role="enterprise", org=first.org_unit)
    for u in (committee, dept_user, ent_user):
        u.set_password("x")
        u.save()

    # risk register: 5 assessed objects per enterprise with a position
    t0 = time.perf_counter()
    levels = ("major", "larger", "general", "general", "low")
    _insert(
        RiskObject,
        [
            {
                "enterprise_id": pk,
                "code": f"O{pk}-{k}",
                "name": f"风险对象{k}",
                "kind": "area",
                "is_major_hazard": False,
                "department": "",
                "lon": Decimal(f"{float(lon or 0) + (k - 2) * 0.0002:.6f}"),
                "lat": Decimal(f"{float(lat or 0):.6f}"),
                "level": levels[(pk + k) % 5] if k or pk % 7 else "major",
                "created_at": now,
                "updated_at": now,
            }
            for pk, _s, lon, lat in enterprises
            for k in range(OBJECTS_PER_ENTERPRISE)
        ],
    )
    timings["risk_objects_s"] = time.perf_counter() - t0

    # inspection tasks
    t0 = time.perf_counter()
    start_day = today - dt.timedelta(days=400)
    task_rows = []
    for pk, _s, _lon, _lat in enterprises:
        cycles = ["daily"] * DAILY_TASKS + ["weekly"] * WEEKLY_TASKS + ["monthly"] * MONTHLY_TASKS
        for k, cycle in enumerate(cycles):
            task_rows.append(
                {
                    "enterprise_id": pk,
                    "title": f"巡检任务{k}",
                    "content": "检查内容",
                    "cycle": cycle,
                    "valid_from": start_day,
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    _insert(InspectionTask, task_rows)
    daily = list(InspectionTask.objects.filter(cycle="daily").values_list("pk", "enterprise_id"))
    timings["tasks_s"] = time.perf_counter() - t0

    # 2 million records: the daily tasks' last ``record_days`` days, ~90 % done, 3 % of those late
    t0 = time.perf_counter()
    batch: list[dict[str, Any]] = []
    n_records = 0
    for offset in range(1, record_days + 1):
        day = today - dt.timedelta(days=offset)
        period = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        for task_id, enterprise_id in daily:
            r = rng.random()
            if r < 0.10:
                continue
            batch.append(
                {
                    "enterprise_id": enterprise_id,
                    "task_id": task_id,
                    "checked_at": period + dt.timedelta(hours=9, minutes=int(r * 400)),
                    "period_start": period,
                    "on_time": r > 0.13,
                    "dangers_found": 0,
                    "note": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if len(batch) >= 200_000:
            _insert(InspectionRecord, batch)
            n_records += len(batch)
            batch = []
    _insert(InspectionRecord, batch)
    n_records += len(batch)
    timings["records_s"] = time.perf_counter() - t0

    # 200,000 hidden dangers over two years
    t0 = time.perf_counter()
    statuses = (
        ["closed"] * 85
        + ["rectifying"] * 5
        + ["awaiting_acceptance"] * 3
        + ["reported"] * 4
        + ["verified"] * 2
        + ["dismissed"]
    )
    batch = []
    n_dangers = 0
    seq = 0
    for pk, sup, _lon, _lat in enterprises:
        for _k in range(DANGERS_PER_ENTERPRISE):
            seq += 1
            reported = now - dt.timedelta(days=rng.uniform(0, 730))
            status = rng.choice(statuses)
            deadline = (reported + dt.timedelta(days=rng.randint(3, 40))).date()
            closed = reported + dt.timedelta(days=rng.uniform(1, 45)) if status == "closed" else None
            if closed is not None and closed > now:
                closed = now
            batch.append(
                {
                    "enterprise_id": pk,
                    "code": f"YHB-{seq:07d}",
                    "title": f"隐患{seq}：消防通道堆放物料",
                    "description": "",
                    "location": "",
                    "source": ("inspection", "self_check", "enforcement", "snapshot")[seq % 4],
                    "source_id": "",
                    "grade": "major" if seq % 100 == 0 else "general",
                    "major_item": 3 if seq % 100 == 0 else None,
                    "status": status,
                    "supervising_unit_id": sup,
                    "found_at": reported,
                    "reported_at": reported,
                    "verified_at": reported if status not in ("reported", "dismissed") else None,
                    "measures": "",
                    "deadline": deadline if status not in ("reported", "dismissed") else None,
                    "contingency_plan": "",
                    "statement": "",
                    "acceptance_opinion": "",
                    "closed_at": closed,
                    "dismissed_reason": "",
                    "rejections": 0,
                    "escalation_step": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if len(batch) >= 50_000:
            _insert(HiddenDanger, batch)
            n_dangers += len(batch)
            batch = []
    _insert(HiddenDanger, batch)
    n_dangers += len(batch)
    timings["dangers_s"] = time.perf_counter() - t0

    # a year of the completion job's output (one row per enterprise and day)
    t0 = time.perf_counter()
    stats = [
        {
            "enterprise_id": pk,
            "day": today - dt.timedelta(days=d),
            "due": 8,
            "on_time": 7,
            "late": 0,
            "missed": 1,
            "computed_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for d in range(2, 367)
        for pk, _s, _lon, _lat in enterprises
    ]
    _insert(TaskCompletionStat, stats)
    timings["stats_s"] = time.perf_counter() - t0

    _vacuum()
    return {
        "users": {"committee": committee, "department": dept_user, "enterprise": ent_user},
        "first_enterprise": first.pk,
        "counts": {
            "enterprises": len(enterprises),
            "hidden_dangers": n_dangers,
            "inspection_records": n_records,
            "inspection_tasks": len(task_rows),
            "risk_objects": len(enterprises) * OBJECTS_PER_ENTERPRISE,
            "completion_stats": len(stats),
        },
        "build": {k: round(v, 1) for k, v in timings.items()},
    }


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------

PAGES = {
    "danger list": "/dangers/",
    "danger list, open and overdue": "/dangers/?status=open&overdue=1",
    "danger list, search": "/dangers/?q=%E9%9A%90%E6%82%A3199",
    "danger API list": "/api/v1/dangers/",
    "statistics page (by enterprise)": "/dangers/stats/",
    "statistics page (by industry)": "/dangers/stats/?by=industry",
    "statistics page, computed (cache dropped)": "/dangers/stats/#cold",
    "risk map page": "/risks/map/",
    "risk map layer: plots": "/api/v1/geo/layers/risks.plots/",
    "risk map layer: objects": "/api/v1/geo/layers/risks.objects/",
}


def _vacuum() -> None:
    """VACUUM ANALYZE (PostgreSQL): statistics for the planner and the visibility map that index-only scans
    need — what autovacuum gives a database in steady state."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _existing() -> dict[str, Any] | None:
    """The zone a previous run left (``BENCH_KEEPDB=1``), or ``None`` when it must be built."""
    from anjian.dangers.models import HiddenDanger, InspectionRecord, InspectionTask, TaskCompletionStat
    from anjian.enterprises.models import Enterprise
    from anjian.orgs.models import User
    from anjian.risks.models import RiskObject

    users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    if len(users) != 3:
        return None
    return {
        "users": {
            "committee": users["bench-committee"],
            "department": users["bench-dept"],
            "enterprise": users["bench-ent"],
        },
        "counts": {
            "enterprises": Enterprise.objects.count(),
            "hidden_dangers": HiddenDanger.objects.count(),
            "inspection_records": InspectionRecord.objects.count(),
            "inspection_tasks": InspectionTask.objects.count(),
            "risk_objects": RiskObject.objects.count(),
            "completion_stats": TaskCompletionStat.objects.count(),
        },
        "build": {"reused": True},
    }


def _measure(client: Any, url: str, repeat: int) -> dict[str, Any]:
    """Wall time (median of ``repeat``), and the load-independent parts of one request: the queries, the
    time the database reported for them, and this thread's CPU time (waiting for a CPU is not counted).

    A URL ending in ``#cold`` is measured with the statistics cache dropped before every request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anjian.dangers.metrics import invalidate_stats

    cold = url.endswith("#cold")
    url = url.removesuffix("#cold")

    def before() -> None:
        if cold:
            invalidate_stats()

    client.get(url)  # warm: session, content types, templates
    before()
    connection.queries_log.clear()  # the log keeps 9,000 entries: a full one breaks the count
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    queries = list(ctx.captured_queries)
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    times, cpu = [], []
    for _ in range(repeat):
        before()
        c0, t0 = time.thread_time(), time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        assert r.status_code == 200
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "queries": len(queries),
        "db_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
        "slowest_sql": slowest["sql"] if slowest else None,
    }


def _explain(sql: str) -> list[str]:
    from django.db import connection

    if connection.vendor != "postgresql" or not sql.lstrip().upper().startswith("SELECT"):
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
    except Exception as exc:  # a captured statement that does not re-run verbatim: say so, keep measuring
        return [f"(not explained: {type(exc).__name__}: {exc})"]


def run(repeat: int = 5) -> dict[str, Any]:
    """Build the zone in a fresh database and measure pages, layers and the completion job."""
    import tempfile
    from pathlib import Path

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    settings = connection.settings_dict
    divisor = 1
    if settings["ENGINE"].endswith("sqlite3"):
        settings["TEST"]["NAME"] = str(Path(tempfile.mkdtemp(prefix="bench-dangers-")) / "db.sqlite3")
        divisor = int(os.environ.get("BENCH_SQLITE_DIVISOR", "10"))
    keep = os.environ.get("BENCH_KEEPDB") == "1"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    t0 = time.perf_counter()
    data = _existing() if keep else None
    if data is not None:
        _vacuum()
    if data is None:
        data = _populate(ENTERPRISES // divisor, RECORD_DAYS)
    build_s = time.perf_counter() - t0

    from anjian.dangers.actions import compute_completion

    results: dict[str, Any] = {}
    plans: dict[str, list[str]] = {}
    for role, user in data["users"].items():
        client = Client()
        client.force_login(user)
        for name, url in PAGES.items():
            m = _measure(client, url, repeat)
            results[f"{name} — {role}"] = m
            if role == "committee" and m["slowest_sql"]:
                plans[name] = _explain(m["slowest_sql"])
    # the completion job for yesterday's periods (16,000 daily tasks; weekly/monthly when they end)
    day = timezone.localdate() - dt.timedelta(days=1)
    times = []
    totals: dict[str, int] = {}
    for _ in range(3):
        t1 = time.perf_counter()
        totals = compute_completion(day)
        times.append(time.perf_counter() - t1)
    load = os.getloadavg()
    summary = {
        "database": connection.vendor,
        **data["counts"],
        "load_average": [round(x, 1) for x in load],
        "completion_job_s": round(statistics.median(times), 2),
        "completion_job_periods": totals.get("due"),
        **{k: v["median_ms"] for k, v in results.items()},
    }
    return {
        "summary": summary,
        "build_s": round(build_s, 1),
        "build": data["build"],
        "pages": {k: {kk: vv for kk, vv in v.items() if kk != "slowest_sql"} for k, v in results.items()},
        "slowest_sql": {
            k: (v["slowest_sql"] or "")[:3000] for k, v in results.items() if k.endswith("committee")
        },
        "plans": plans,
        "completion": {"day": day.isoformat(), **totals, "runs_s": [round(t, 2) for t in times]},
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.test_settings")
    import django

    django.setup()
    print(json.dumps(run()["summary"], indent=2, ensure_ascii=False))
