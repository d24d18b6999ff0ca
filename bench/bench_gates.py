"""Second gate: decisions per second and latency through ``POST /api/v1/gates/{gate}/events``.

5,000 people (passes, cards, 三级安全教育) at 10 plants, 50 gates (5 zones × 10 plants). Two web processes
(Django's threaded WSGI server, ``ANJIAN_DB_CONN_MAX_AGE=60``) answer; the client alternates between them
like a load balancer. Two phases:

* **open loop** at ``rate`` events/s for ``seconds``: each event has a scheduled send time; latency is
  measured from that time (so a server that falls behind shows it, no coordinated omission);
* **closed loop**: ``workers`` clients send as fast as answers come back, for the maximum rate.

PostgreSQL when ``ANJIAN_TEST_DATABASE_URL`` names one (``ANJIAN_TEST_DATABASE_URL=$(python
scripts/postgres_url.py) python -m bench bench_gates``), else an SQLite file. Run: ``python -m bench bench_gates``.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

PEOPLE = 5000
PLANTS = 10
ZONES_PER_PLANT = 5


def _populate() -> dict[str, Any]:
    from anjian.enterprises.models import Enterprise
    from anjian.enterprises.tests.fixtures import make_uscc
    from anjian.gates.models import AccessPass, Credential, Gate, Zone
    from anjian.people.models import Person, TrainingRecord
    from anjian.people.tests.fixtures import make_resident_id

    gates: dict[int, list[tuple[str, str]]] = {}
    people: list[tuple[str, int]] = []
    per_plant = PEOPLE // PLANTS
    for p in range(PLANTS):
        ent = Enterprise.objects.create(
            uscc=make_uscc(90000 + p), name=f"基准化工{p}有限公司", industry="hazchem_production"
        )
        zones = [
            Zone.objects.create(
                enterprise=ent,
                code=f"Z{z}",
                name=f"区域{z}",
                quota=per_plant // 3,
                required_trainings=["safety"],
            )
            for z in range(ZONES_PER_PLANT)
        ]
        gates[ent.pk] = []
        for z, zone in enumerate(zones):
            gate = Gate(zone=zone, code=f"B{p}G{z}", name="门")
            token = gate.issue_token()
            gate.save()
            gates[ent.pk].append((gate.code, token))
        persons = Person.objects.bulk_create(
            [
                Person(
                    name=f"员工{p}-{i}",
                    id_number=make_resident_id(
                        dt.date(1970, 1, 1) + dt.timedelta(days=(p * per_plant + i) // 900),
                        (p * per_plant + i) % 900,
                    ),
                    employer_enterprise=ent,
                )
                for i in range(per_plant)
            ]
        )
        TrainingRecord.objects.bulk_create(
            [
                TrainingRecord(
                    person=x,
                    course="三级安全教育",
                    kind="three_level",
                    hours=Decimal(72),
                    date=dt.date(2024, 1, 1),
                    result="passed",
                )
                for x in persons
            ]
        )
        passes = AccessPass.objects.bulk_create([AccessPass(enterprise=ent, person=x) for x in persons])
        through = AccessPass.zones.through
        through.objects.bulk_create(
            [through(accesspass_id=ap.pk, zone_id=z.pk) for ap in passes for z in zones]
        )
        Credential.objects.bulk_create(
            [Credential(code=f"K{ap.person_id:07d}", access_pass=ap) for ap in passes]
        )
        people += [(f"K{ap.person_id:07d}", ent.pk) for ap in passes]
    return {"gates": gates, "people": people}


SERVER = """
import os, sys, django
django.setup()
from django.core.servers import basehttp
from django.core.servers.basehttp import run
from django.core.wsgi import get_wsgi_application
basehttp.WSGIServer.request_queue_size = 512  # the default backlog (10) refuses bursts of new connections
run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), threading=True)
"""


def _servers(db_url: str, ports: list[int]) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anjian.settings",
        "ANJIAN_DATABASE_URL": db_url,
        "ANJIAN_SECRET_KEY": "bench-secret-key-bench-secret-key-bench",
        "ANJIAN_DEBUG": "0",
        "ANJIAN_DB_CONN_MAX_AGE": "60",
        "ANJIAN_LOG_LEVEL": "ERROR",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    import requests

    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                requests.post(f"http://127.0.0.1:{port}/api/v1/gates/NONE/events", json={}, timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    return procs


class Traffic:
    """People going in and out of random zones of their plant; the generator's view of who is inside."""

    def __init__(self, data: dict[str, Any], seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.gates = data["gates"]
        self.people = data["people"]
        self.inside: dict[str, tuple[str, str]] = {}
        self.lock = threading.Lock()
        self.last_ts = 0

    def next(self) -> tuple[str, str, dict[str, Any]]:
        with self.lock:
            cred, ent = self.rng.choice(self.people)
            if cred in self.inside:
                gate, token = self.inside.pop(cred)
                direction = "out"
            else:
                gate, token = self.rng.choice(self.gates[ent])
                self.inside[cred] = (gate, token)
                direction = "in"
            self.last_ts = max(self.last_ts + 1, int(time.time() * 1000))
            return gate, token, {"credential": cred, "direction": direction, "ts": self.last_ts}


def _post(session: Any, port: int, gate: str, token: str, body: dict[str, Any]) -> int:
    """The answer's status, or 0 when the request failed (refused, reset, timed out)."""
    import requests

    try:
        r = session.post(
            f"http://127.0.0.1:{port}/api/v1/gates/{gate}/events",
            json=body,
            headers={"Authorization": f"Gate {token}"},
            timeout=30,
        )
    except requests.RequestException:
        return 0
    return int(r.status_code)


def _open_loop(
    traffic: Traffic, ports: list[int], rate: float, seconds: float, workers: int
) -> dict[str, Any]:
    import requests

    jobs: queue.Queue[tuple[float, str, str, dict[str, Any]] | None] = queue.Queue()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(n: int) -> None:
        session = requests.Session()
        port = ports[n % len(ports)]
        while (job := jobs.get()) is not None:
            scheduled, gate, token, body = job
            status = _post(session, port, gate, token, body)
            done = time.perf_counter()
            with lock:
                latencies.append(done - scheduled)
                if status != 200:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        due = start + n / rate
        if due > time.perf_counter():
            time.sleep(due - time.perf_counter())
        gate, token, body = traffic.next()
        jobs.put((due, gate, token, body))
        n += 1
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join()
    total = time.perf_counter() - start
    return _summary(latencies, total, errors[0], offered=rate)


def _closed_loop(traffic: Traffic, ports: list[int], seconds: float, workers: int) -> dict[str, Any]:
    import requests

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        session = requests.Session()
        port = ports[n % len(ports)]
        while time.perf_counter() < stop:
            gate, token, body = traffic.next()
            t0 = time.perf_counter()
            status = _post(session, port, gate, token, body)
            with lock:
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary(latencies, time.perf_counter() - start, errors[0])


def _summary(
    latencies: list[float], seconds: float, errors: int, offered: float | None = None
) -> dict[str, Any]:
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100) if len(ordered) > 100 else [float("nan")] * 99
    out = {
        "events": len(ordered),
        "decisions_per_s": round(len(ordered) / seconds, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "errors": errors,
    }
    if offered is not None:
        out["offered_per_s"] = offered
    return out


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from ``/proc`` (Linux); 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_SUMMARY_KEYS = (
    "cpu_ms_p50",
    "cpu_ms_p99",
    "cpu_ms_mean",
    "queries_per_entry",
    "queries_per_exit",
    "cores_for_500_per_s",
)


def _wsgi_post(handler: Any, gate: str, token: str, body: dict[str, Any]) -> tuple[int, bytes]:
    """One request through Django's WSGI handler, as a WSGI server calls it (no test client in between)."""
    import io
    import json

    raw = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/api/v1/gates/{gate}/events",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_AUTHORIZATION": f"Gate {token}",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    chunks = handler(environ, lambda s, _h, _e=None: status.append(s))
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return int(status[0].split()[0]), content


def _measure(traffic: Traffic, n: int, via: str) -> dict[str, Any]:
    """``n`` decisions in this process through the test client or the bare WSGI handler: each request's CPU
    time of this thread (``time.thread_time``: waiting for the database or for a CPU another engineer holds
    is not counted), its wall time and its queries, by direction; one entry's queries kept for the plans."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    handler = WSGIHandler()
    backend = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    db_cpu0 = _proc_cpu(backend) if backend else 0.0
    cpu: list[float] = []
    wall: list[float] = []
    queries: dict[str, list[int]] = {"in": [], "out": []}
    sample: list[dict[str, Any]] = []
    for i in range(n):
        gate, token, body = traffic.next()
        connection.queries_log.clear()  # the log keeps 9,000 entries: a full one breaks the count
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.thread_time(), time.perf_counter()
            if via == "client":
                r = client.post(
                    f"/api/v1/gates/{gate}/events",
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Gate {token}",
                )
                status, content = r.status_code, r.content
            else:
                status, content = _wsgi_post(handler, gate, token, body)
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
        assert status == 200, content
        queries[body["direction"]].append(len(ctx.captured_queries))
        if not sample and body["direction"] == "in" and i > n // 2:
            # an entry decided once the zones have people inside: its statements, and what was sent
            sample = [*ctx.captured_queries, {"gate": gate, "body": body}]
    db_cpu = (_proc_cpu(backend) - db_cpu0) if backend else None
    q = statistics.quantiles(sorted(cpu), n=100)
    qw = statistics.quantiles(sorted(wall), n=100)
    mean_cpu = statistics.fmean(cpu)
    return {
        "via": via,
        "requests": n,
        "cpu_ms_p50": round(q[49] * 1000, 2),
        "cpu_ms_p99": round(q[98] * 1000, 2),
        "cpu_ms_mean": round(mean_cpu * 1000, 2),
        "wall_ms_p50": round(qw[49] * 1000, 2),
        "wall_ms_p99": round(qw[98] * 1000, 2),
        "queries_per_entry": {str(k): queries["in"].count(k) for k in sorted(set(queries["in"]))},
        "queries_per_exit": {str(k): queries["out"].count(k) for k in sorted(set(queries["out"]))},
        "decisions_per_s_per_core": round(1 / mean_cpu, 0),
        # the PostgreSQL backend serving this process: its CPU per decision (10 ms clock ticks, summed)
        "db_cpu_ms_mean": round(db_cpu * 1000 / n, 2) if db_cpu is not None else None,
        "cores_for_500_per_s": round(mean_cpu * 500, 2),
        "sample": sample,
    }


def _warm(data: dict[str, Any]) -> float:
    """Read every credential's facts into this process's cache (the steady state of a working day)."""
    from anjian.gates import facts

    t0 = time.perf_counter()
    for code, ent in data["people"]:
        facts.pass_info(ent, code)
    return time.perf_counter() - t0


def _plans(sample: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry's statements, and ``EXPLAIN ANALYZE`` of its two reads (PostgreSQL) run again with the same
    values (the logged statements of the prepared cursor show ``$n`` placeholders, not values)."""
    from django.db import connection

    from anjian.gates import actions, facts
    from anjian.gates.models import Gate

    sent = sample.pop()
    plans: list[dict[str, Any]] = [{"sql": q["sql"][:600], "plan": None} for q in sample]
    if connection.vendor != "postgresql":
        return plans
    gate = Gate.objects.get(code=sent["gate"])
    holder = facts.pass_info(gate.enterprise_id, sent["body"]["credential"])
    assert holder is not None
    reads = [
        (actions._LOCK_SQL, [gate.zone_id, gate.pk]),
        (
            actions._READ_SQL,
            [
                sent["body"]["credential"],
                gate.pk,
                sent["body"]["ts"],
                holder.person_id,
                gate.zone_id,
                holder.pass_id,
            ],
        ),
    ]
    with connection.cursor() as cursor:
        for sql, params in reads:
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            plans.append({"sql": sql[:600], "plan": [row[0] for row in cursor.fetchall()]})
    return plans


def _in_process(data: dict[str, Any], n: int = 2000) -> dict[str, Any]:
    """Load-independent evidence: decisions through the full Django stack in this process (URL routing,
    middleware, the view, the action under its zone lock): cold (the first swipes of people this process
    has not seen), then warm through the test client and through the bare WSGI handler."""
    from django.db import connection

    from anjian.gates import facts

    # Persistent connection as in the web processes (``ANJIAN_DB_CONN_MAX_AGE``): the WSGI handler's
    # request_finished would otherwise close it after each request (the test client does not).
    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.close()
    facts.clear()
    traffic = Traffic(data, seed=7)
    cold = _measure(traffic, 300, "client")
    warm_s = _warm(data)
    client = _measure(traffic, n, "client")
    wsgi = _measure(traffic, n, "wsgi")
    plans = _plans(wsgi.pop("sample"))
    cold.pop("sample")
    client.pop("sample")
    return {
        "cold": cold,
        "warm_all_credentials_s": round(warm_s, 1),
        "client": client,
        "wsgi": wsgi,
        "plans": plans,
    }


def _warm_servers(data: dict[str, Any], ports: list[int], workers: int = 16) -> None:
    """Each web process reads every credential once (an exit of someone outside: recorded, changes nothing)."""
    import requests

    jobs: queue.Queue[tuple[int, str, str, dict[str, Any]] | None] = queue.Queue()
    gate_of = {ent: gates[0] for ent, gates in data["gates"].items()}
    ts = int(time.time() * 1000) - 60_000
    for port in ports:
        for i, (code, ent) in enumerate(data["people"]):
            gate, token = gate_of[ent]
            jobs.put((port, gate, token, {"credential": code, "direction": "out", "ts": ts + i}))

    def worker() -> None:
        session = requests.Session()
        while (job := jobs.get()) is not None:
            _post(session, *job)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(rate: float = 500, seconds: float = 20, workers: int = 48, closed_workers: int = 8) -> dict[str, Any]:
    """Build 5,000 people and 50 gates in a fresh database, start two web processes and measure."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        path = Path(tempfile.mkdtemp(prefix="bench-gates-")) / "db.sqlite3"
        settings["TEST"]["NAME"] = str(path)
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    if settings["ENGINE"].endswith("sqlite3"):
        db_url = f"sqlite:///{name}"
        vendor = "sqlite"
    else:
        db_url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
        vendor = "postgresql"
    t0 = time.perf_counter()
    data = _populate()
    build_s = time.perf_counter() - t0
    load_before = [round(x, 1) for x in os.getloadavg()]
    in_process = _in_process(data)
    in_summary = {
        "in_process_load_average": [load_before, [round(x, 1) for x in os.getloadavg()]],
        **{f"{k}_{via}": in_process[via][k] for via in ("wsgi", "client") for k in _SUMMARY_KEYS},
        "queries_per_entry_cold": in_process["cold"]["queries_per_entry"],
        "cpu_ms_mean_cold": in_process["cold"]["cpu_ms_mean"],
    }
    if os.environ.get("BENCH_IN_PROCESS_ONLY") == "1":
        return {"summary": {"database": vendor, **in_summary}, "in_process": in_process}
    connection.close()
    ports = [8791, 8792]
    procs = _servers(db_url, ports)
    try:
        traffic = Traffic(data)
        _warm_servers(data, ports)
        _closed_loop(traffic, ports, 3, closed_workers)  # warm-up

        def servers_cpu() -> float:
            return sum(_proc_cpu(p.pid) for p in procs)

        s0, c0 = servers_cpu(), time.process_time()
        load_open = [round(x, 1) for x in os.getloadavg()]
        open_loop = _open_loop(traffic, ports, rate, seconds, workers)
        s1, c1 = servers_cpu(), time.process_time()
        open_loop["load_average"] = [load_open, [round(x, 1) for x in os.getloadavg()]]
        closed = _closed_loop(traffic, ports, seconds / 2, closed_workers)
        s2, c2 = servers_cpu(), time.process_time()
        # CPU of the two web processes (every thread: HTTP parsing, Django, the decision) and of this client
        open_loop["server_cpu_ms_per_decision"] = round((s1 - s0) * 1000 / max(open_loop["events"], 1), 2)
        open_loop["client_cpu_ms_per_decision"] = round((c1 - c0) * 1000 / max(open_loop["events"], 1), 2)
        closed["server_cpu_ms_per_decision"] = round((s2 - s1) * 1000 / max(closed["events"], 1), 2)
        closed["client_cpu_ms_per_decision"] = round((c2 - c1) * 1000 / max(closed["events"], 1), 2)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    from anjian.gates.models import AccessEvent, Presence, Zone

    counted = sum(Zone.objects.values_list("headcount", flat=True))
    present = Presence.objects.count()
    return {
        "summary": {
            "database": vendor,
            "people": PEOPLE,
            "gates": len(data["gates"]) * ZONES_PER_PLANT,
            "open_loop_offered_per_s": rate,
            "open_loop_achieved_per_s": open_loop["decisions_per_s"],
            "open_loop_p50_ms": open_loop["p50_ms"],
            "open_loop_p99_ms": open_loop["p99_ms"],
            "max_decisions_per_s": closed["decisions_per_s"],
            "closed_loop_p99_ms": closed["p99_ms"],
            "server_cpu_ms_per_decision": [
                open_loop["server_cpu_ms_per_decision"],
                closed["server_cpu_ms_per_decision"],
            ],
            "client_cpu_ms_per_decision": [
                open_loop["client_cpu_ms_per_decision"],
                closed["client_cpu_ms_per_decision"],
            ],
            "headcount_equals_presence": counted == present,
            "load_average": [round(x, 1) for x in os.getloadavg()],
            **in_summary,
        },
        "in_process": in_process,
        "build_s": round(build_s, 1),
        "open_loop": open_loop,
        "closed_loop": closed,
        "events_stored": AccessEvent.objects.count(),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.test_settings")
    import django

    django.setup()
    print(json.dumps(run(seconds=float(os.environ.get("BENCH_SECONDS", "20"))), indent=2, ensure_ascii=False))
