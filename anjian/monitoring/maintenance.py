"""Periodic work of monitoring: 1-minute rollups, offline sweep, escalation, retention.

Run by the ingest worker on its own clock, by ``anjian monitoring tick`` and (throttled) by the HTTP ingest
path so that the demo needs no worker. Each piece is idempotent.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

from anjian.monitoring.ingest import (
    Batch,
    Registry,
    Rejects,
    now_ms,
    retention_days,
    sweep_offline,
    write_batch,
)
from anjian.monitoring.partitions import apply_retention

__all__ = ["offline_sweep", "rollup", "tick"]

MINUTE_MS = 60_000

_ROLLUP_SQL = (
    "INSERT INTO monitoring_readingrollup (point_id, minute, n, n_bad, vmin, vmax, vavg) "
    "SELECT point_id, (ts / 60000) * 60000, count(*), sum(CASE WHEN q <> 0 THEN 1 ELSE 0 END), "
    "min(CASE WHEN q = 0 THEN v END), max(CASE WHEN q = 0 THEN v END), avg(CASE WHEN q = 0 THEN v END) "
    "FROM monitoring_reading WHERE ts >= %s AND ts < %s GROUP BY point_id, (ts / 60000) * 60000 "
    "ON CONFLICT (point_id, minute) DO UPDATE SET n = excluded.n, n_bad = excluded.n_bad, "
    "vmin = excluded.vmin, vmax = excluded.vmax, vavg = excluded.vavg"
)


def rollup(from_ms: int, to_ms: int) -> int:
    """Recompute the 1-minute rollups of the minutes in [from_ms, to_ms) from the readings; return rows written."""
    start = from_ms // MINUTE_MS * MINUTE_MS
    with transaction.atomic(), connection.cursor() as cur:
        # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT to parse the upsert (sqlite.org/lang_upsert).
        sql = (
            _ROLLUP_SQL.replace("GROUP BY", "AND 1 GROUP BY")
            if connection.vendor == "sqlite"
            else _ROLLUP_SQL
        )
        cur.execute(sql, [start, to_ms])
        return int(cur.rowcount)


def offline_sweep(registry: Registry | None = None, now: int | None = None) -> int:
    """Raise offline alarms for silent points; return how many went offline."""
    now = now_ms() if now is None else now
    with transaction.atomic():
        reg = registry if registry is not None else Registry.load()
        batch = Batch()
        sweep_offline(batch, reg, now)
        if batch.dirty:
            write_batch(batch, reg, Rejects())
        return len(batch.dirty)


_last: dict[str, float] = {}


def tick(
    *, now: int | None = None, force: bool = False, registry: Registry | None = None, offline: bool = True
) -> dict[str, int]:
    """Run what is due: offline sweep and escalation (5 s), rollups of the last 5 minutes (10 s), retention (1 h).

    ``offline=False`` (the HTTP path, which sweeps the posting enterprise's points itself) skips the global sweep.
    """
    from anjian.monitoring.escalation import escalate_due

    clock = time.monotonic()
    now = now_ms() if now is None else now
    done: dict[str, int] = {}

    def due(key: str, every: float) -> bool:
        if force or clock - _last.get(key, -1e12) >= every:
            _last[key] = clock
            return True
        return False

    if due("offline", 5):
        if offline:
            done["offline"] = offline_sweep(registry, now)
        done["escalated"] = escalate_due()
    if due("rollup", 10):
        done["rollups"] = rollup(now - 5 * MINUTE_MS, now + MINUTE_MS)
    if due("retention", 3600):
        with transaction.atomic():
            done.update(apply_retention(now, retention_days()))
    return done
