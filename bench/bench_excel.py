"""Excel at province scale (issue 8): streaming exports and set-based imports, on SQLite and PostgreSQL.

For each database the parent process builds a zone with ``bulk_create`` (2,000 enterprises, 60,000 people,
100,000 certificates — this bench's own data, not the demo generator), then runs each measurement in a fresh
child process so its peak memory (``ru_maxrss``) is its own:

* export of the 60,000 persons and the 100,000 certificates (what the 安委办 sees) through the page's export
  code: rows/s by wall and by CPU time, peak RSS of the process and the RSS it had before the export;
* import of 10,000 new persons and of 10,000 new enterprises from .xlsx files: rows/s, CPU time, and
  queries per row (an execute wrapper counts them; ``COPY`` is not a query);
* update of the same 10,000 rows by a second file with one column changed (``update:*``: the register
  exported, edited and imported back; the first import is not measured).

SQLite is a temporary file; PostgreSQL is ``anjian_scaleio_bench`` at ``BENCH_PG_URL`` (default
``postgres://postgres@127.0.0.1:5432/anjian_scaleio_bench``; set it empty to skip). The machine is shared:
the load average is recorded with every figure. Run: ``python -m bench bench_excel``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ENTERPRISES = int(os.environ.get("BENCH_EXCEL_ENTERPRISES", "2000"))
PEOPLE_PER_ENTERPRISE = 30
CERTS_PER_ENTERPRISE = 50
IMPORT_PEOPLE = int(os.environ.get("BENCH_EXCEL_IMPORT_PEOPLE", "10000"))
IMPORT_ENTERPRISES = int(os.environ.get("BENCH_EXCEL_IMPORT_ENTERPRISES", "10000"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/anjian_scaleio_bench")
HERE = Path(__file__).resolve().parent


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ---------------------------------------------------------------------------------------------
# Data (bulk_create; deterministic)
# ---------------------------------------------------------------------------------------------


def _committee() -> Any:
    from anjian.orgs.models import OrgUnit, User

    user = User.objects.filter(username="bench_awb").first()
    if user is None:
        user = User(username="bench_awb", role="committee", org=OrgUnit.objects.get(name="安委会办公室"))
        user.set_unusable_password()
        user.save()
    return user


def _populate() -> dict[str, int]:
    from anjian.enterprises.models import Enterprise
    from anjian.enterprises.tests.fixtures import make_uscc
    from anjian.people.models import Certificate, Person
    from anjian.people.tests.fixtures import make_resident_id

    _committee()
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=make_uscc(700000 + i),
                name=f"基准化工{i:05d}有限公司",
                industry="hazchem_production" if i % 3 else "hazchem_trade",
                address=f"腾格里经济技术开发区{i}号",
                phone="0483-8888888",
                employees=50 + i % 300,
            )
            for i in range(ENTERPRISES)
        ],
        batch_size=1000,
    )
    people_total = 0
    certs_total = 0
    kinds = ["principal", "safety_manager", "special_operation"]
    for e_idx, ent in enumerate(enterprises):
        people = [
            Person(
                name=f"员工{e_idx}-{i}",
                id_number=make_resident_id(
                    dt.date(1960, 1, 1) + dt.timedelta(days=(e_idx * PEOPLE_PER_ENTERPRISE + i) // 1000),
                    (e_idx * PEOPLE_PER_ENTERPRISE + i) % 1000,
                ),
                sex="男" if i % 2 else "女",
                employer_enterprise=ent,
                job="操作工",
                role_category="special_worker" if i % 4 else "other_worker",
                phone="13800000000",
                years_experience=i % 30,
            )
            for i in range(PEOPLE_PER_ENTERPRISE)
        ]
        Person.objects.bulk_create(people)
        people_total += len(people)
        certs = []
        for c in range(CERTS_PER_ENTERPRISE):
            person = people[c % PEOPLE_PER_ENTERPRISE]
            kind = kinds[c % 3]
            certs.append(
                Certificate(
                    person=person,
                    kind=kind,
                    category="electrical" if kind == "special_operation" else "",
                    operation_item="低压电工作业" if kind == "special_operation" else "",
                    number=f"T{e_idx:05d}{c:04d}",
                    issuer="阿拉善盟应急管理局",
                    issued_on=dt.date(2022, 1, 1) + dt.timedelta(days=c * 7),
                    expires_on=dt.date(2028, 1, 1) + dt.timedelta(days=c * 7),
                )
            )
        Certificate.objects.bulk_create(certs)
        certs_total += len(certs)
    return {"enterprises": len(enterprises), "persons": people_total, "certificates": certs_total}


# ---------------------------------------------------------------------------------------------
# Files to import
# ---------------------------------------------------------------------------------------------


def _people_file(n: int, *, job: str = "操作工") -> bytes:
    from anjian.core.xlsx_stream import SheetWriter
    from anjian.enterprises.models import Enterprise
    from anjian.people.tests.fixtures import make_resident_id

    codes = list(Enterprise.objects.order_by("pk").values_list("uscc", flat=True)[:200])
    headers = [
        "姓名",
        "证件类型",
        "证件号码",
        "联系电话",
        "所在企业",
        "岗位/职务",
        "人员类别",
        "学历",
        "从业年限",
    ]
    buffer = io.BytesIO()
    writer = SheetWriter(buffer, title="人员名录", widths=[12] * len(headers))
    writer.header(headers)
    for i in range(n):
        writer.row(
            [
                f"新员工{i}",
                "居民身份证",
                make_resident_id(dt.date(1995, 1, 1) + dt.timedelta(days=i // 1000), i % 1000),
                "13900000000",
                codes[i % len(codes)],
                job,
                "特种作业人员",
                "大专",
                i % 20,
            ]
        )
    writer.close()
    return buffer.getvalue()


def _enterprise_file(n: int, *, phone: str = "0483-6666666") -> bytes:
    from anjian.core.xlsx_stream import SheetWriter
    from anjian.enterprises.tests.fixtures import make_uscc

    headers = [
        "统一社会信用代码",
        "企业名称",
        "地址",
        "所在镇",
        "状态",
        "规模",
        "行业",
        "联系电话",
        "从业人员数",
    ]
    buffer = io.BytesIO()
    writer = SheetWriter(buffer, title="企业名录", widths=[20] * len(headers))
    writer.header(headers)
    for i in range(n):
        writer.row(
            [
                make_uscc(800000 + i),
                f"导入化工{i:05d}有限公司",
                f"园区{i}号",
                "腾格里镇" if i % 2 else "孛井滩镇",
                "在营",
                "小微",
                "危险化学品生产",
                phone,
                100 + i,
            ]
        )
    writer.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Measurements (each in its own child process)
# ---------------------------------------------------------------------------------------------


def _measure_export(register: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anjian.people import excel
    from anjian.people.access import visible_rows

    user = _committee()
    rows = visible_rows(register, user)
    rss_before = _current_rss_mb()
    load = _load()
    with tempfile.TemporaryFile() as out, CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        count = excel.export_file(register, rows, user, out)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = out.tell()
    return {
        "rows": count,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rows_per_s_wall": round(count / wall),
        "rows_per_s_cpu": round(count / cpu),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "file_mb": round(size / 1024 / 1024, 1),
        "queries": len(queries),
        "load_average": load,
    }


def _measure_import(kind: str, *, update: bool = False) -> dict[str, Any]:
    """Import new rows; with ``update``, import them first (not measured) and measure a second file naming the
    same rows with one column changed (a register exported, edited in Excel and imported back)."""
    from django.db import connection, transaction

    user = _committee()
    if kind == "persons":
        from anjian.people.excel import import_file

        data = _people_file(IMPORT_PEOPLE)
        if update:
            import_file("persons", data, acting_user=user)
            data = _people_file(IMPORT_PEOPLE, job="班组长")

        def run() -> Any:
            return import_file("persons", data, acting_user=user)

    else:
        from anjian.enterprises.sheets import import_enterprises

        data = _enterprise_file(IMPORT_ENTERPRISES)
        if update:
            import_enterprises(data, user)
            data = _enterprise_file(IMPORT_ENTERPRISES, phone="0483-7777777")

        def run() -> Any:
            return import_enterprises(data, user)

    load = _load()
    # Queries are counted by an execute wrapper, not ``CaptureQueriesContext``: that one formats every statement's
    # SQL, and on SQLite quotes its parameters with extra queries (a quarter of the measured CPU time; nothing on
    # PostgreSQL).
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql[:40])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        wall, cpu = time.perf_counter(), time.process_time()
        report = run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = report.total_rows
    result = {
        "rows": rows,
        "created": report.created,
        "updated": report.updated,
        "rejected": report.rejected,
        "first_errors": [e.as_dict() for e in report.errors[:3]],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rows_per_s_wall": round(rows / wall),
        "rows_per_s_cpu": round(rows / cpu),
        "queries": len(queries),
        "queries_per_row": round(len(queries) / max(rows, 1), 3),
        "peak_rss_mb": round(_rss_mb(), 1),
        "load_average": load,
    }
    # Leave the database as it was for the next measurement.
    with transaction.atomic():
        _undo_import(kind)
    return result


def _undo_import(kind: str) -> None:
    from anjian.core.models import AuditEntry
    from anjian.enterprises.models import Enterprise
    from anjian.orgs.models import OrgUnit
    from anjian.people.models import Person

    AuditEntry.objects.all().delete()
    if kind == "persons":
        Person.objects.filter(name__startswith="新员工").delete()
    else:
        units = list(
            Enterprise.objects.filter(name__startswith="导入化工").values_list("org_unit", flat=True)
        )
        Enterprise.objects.filter(name__startswith="导入化工").delete()
        OrgUnit.objects.filter(pk__in=[u for u in units if u]).delete()


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------


STEPS = (
    "export:persons",
    "export:certificates",
    "import:persons",
    "import:enterprises",
    "update:persons",
    "update:enterprises",
)


def _child(db_url: str, step: str, sqlite_path: str) -> dict[str, Any]:
    env = {**os.environ, "ANJIAN_TEST_DATABASE_URL": db_url, "BENCH_EXCEL_SQLITE": sqlite_path}
    env["DJANGO_SETTINGS_MODULE"] = "anjian.test_settings"
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_excel", step],
        env=env,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _build(db_url: str, sqlite_path: str) -> dict[str, Any]:
    return _child(db_url, "build", sqlite_path)


def run() -> dict[str, Any]:
    """Build the data on each database, then measure exports and imports in child processes."""
    databases: dict[str, str] = {}
    # A fixed place, so BENCH_EXCEL_KEEPDB=1 can measure again without building the data again.
    tmp = os.path.join(tempfile.gettempdir(), "anjian-bench-excel")
    os.makedirs(tmp, exist_ok=True)
    databases["sqlite"] = "sqlite:///" + str(Path(tmp) / "bench.sqlite3")
    if PG_URL:
        databases["postgresql"] = PG_URL
    results: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    for name, url in databases.items():
        sqlite_path = str(Path(tmp) / "bench.sqlite3")
        build = _build(url, sqlite_path)
        if "error" in build:
            results[name] = {"build": build}
            continue
        entry: dict[str, Any] = {"build": build}
        for step in STEPS:
            entry[step] = _child(url, step, sqlite_path)
        results[name] = entry
        for step in STEPS:
            m = entry[step]
            if "error" in m:
                summary[f"{name} {step}"] = "error"
                continue
            line = f"{m['rows_per_s_wall']} rows/s ({m['rows_per_s_cpu']} by CPU)"
            if step.startswith("export"):
                line += f", peak RSS {m['peak_rss_mb']} MB"
            else:
                line += f", {m['queries_per_row']} queries/row"
            summary[f"{name} {step}"] = line
    return {"summary": summary, "results": results, "load_average_end": _load()}


def _main(step: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.test_settings")
    import django

    django.setup()
    from django.db import connection

    settings = connection.settings_dict
    if step == "build":
        from django.test.utils import setup_test_environment

        setup_test_environment()
        if settings["ENGINE"].endswith("sqlite3"):
            settings["TEST"]["NAME"] = os.environ["BENCH_EXCEL_SQLITE"]
        else:
            settings["TEST"]["NAME"] = settings["NAME"]
        t0 = time.perf_counter()
        keep = os.environ.get("BENCH_EXCEL_KEEPDB") == "1"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
        from anjian.people.models import Certificate, Person

        if keep and Person.objects.exists():
            _undo_import("persons")
            _undo_import("enterprises")
            counts = {
                "enterprises": ENTERPRISES,
                "persons": Person.objects.count(),
                "certificates": Certificate.objects.count(),
                "kept": True,
            }
        else:
            counts = _populate()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(json.dumps({**counts, "build_s": round(time.perf_counter() - t0, 1)}))
        return
    if settings["ENGINE"].endswith("sqlite3"):
        settings["NAME"] = os.environ["BENCH_EXCEL_SQLITE"]
    connection.close()
    what, register = step.split(":")
    if what == "export":
        result = _measure_export(register)
    else:
        result = _measure_import(register, update=what == "update")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1])
