"""Periodic work of monitoring: 1-minute rollups, offline sweep, escalation, retention.

Run by the ingest worker on its own clock, by ``anjian monitoring tick`` and (throttled) by the HTTP ingest
path so that the demo needs no worker. Each piece is idempotent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction

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

__all__ = ["DirtyMinutes", "Maintainer", "offline_sweep", "rollup", "tick"]

log = logging.getLogger("anjian.monitoring.maintenance")

MINUTE_MS = 60_000

_ROLLUP_SQL = (
    "INSERT INTO monitoring_readingrollup (point_id, minute, n, n_bad, vmin, vmax, vavg) "
    "SELECT point_id, (ts / 60000) * 60000, count(*), sum(CASE WHEN q <> 0 THEN 1 ELSE 0 END), "
    "min(CASE WHEN q = 0 THEN v END), max(CASE WHEN q = 0 THEN v END), avg(CASE WHEN q = 0 THEN v END) "
    "FROM monitoring_reading WHERE ts >= %s AND ts < %s GROUP BY point_id, (ts / 60000) * 60000 "
    "ON CONFLICT (point_id, minute) DO UPDATE SET n = excluded.n, n_bad = excluded.n_bad, "
    "vmin = excluded.vmin, vmax = excluded.vmax, vavg = excluded.vavg"
)


def rollup(from_ms: int, to_ms: int, *, point_ids: list[int] | None = None) -> int:
    """Recompute the 1-minute rollups of the minutes in [from_ms, to_ms) from the readings; return rows written.

    ``point_ids``: only these points (a partitioned worker rolls up its own points; PostgreSQL only).
    """
    start = from_ms // MINUTE_MS * MINUTE_MS
    with transaction.atomic(), connection.cursor() as cur:
        # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT to parse the upsert (sqlite.org/lang_upsert).
        if connection.vendor == "sqlite":
            cur.execute(_ROLLUP_SQL.replace("GROUP BY", "AND 1 GROUP BY"), [start, to_ms])
        elif point_ids is not None:
            cur.execute(
                _ROLLUP_SQL.replace("GROUP BY", "AND point_id = ANY(%s) GROUP BY"), [start, to_ms, point_ids]
            )
        else:
            cur.execute(_ROLLUP_SQL, [start, to_ms])
        return int(cur.rowcount)


class DirtyMinutes:
    """The minutes that received readings since they were last rolled up (thread-safe).

    The ingest worker's writer marks each committed batch's span; its maintenance thread rolls up only those
    minutes. Rolling up "the last 5 minutes" every 10 s, as ``tick`` does for the HTTP path, re-reads 30 minutes of
    readings per minute: at 100,000 readings/s that is 180 million rows a minute, and it ran on the ingest thread.
    """

    #: More minutes than this in one mark (a gateway replaying days of buffer): rolled up as one span.
    MAX_SPAN = 60 * 24 * 40

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minutes: set[int] = set()

    def mark(self, first_ms: int, last_ms: int) -> None:
        lo, hi = first_ms // MINUTE_MS, last_ms // MINUTE_MS
        if hi < lo or hi - lo > self.MAX_SPAN:
            return
        with self._lock:
            self._minutes.update(range(lo, hi + 1))

    def take(self) -> list[tuple[int, int]]:
        """The marked minutes as [from_ms, to_ms) spans of consecutive minutes, unmarked."""
        with self._lock:
            minutes, self._minutes = sorted(self._minutes), set()
        spans: list[tuple[int, int]] = []
        for m in minutes:
            if spans and spans[-1][1] == m * MINUTE_MS:
                spans[-1] = (spans[-1][0], (m + 1) * MINUTE_MS)
            else:
                spans.append((m * MINUTE_MS, (m + 1) * MINUTE_MS))
        return spans

    def __len__(self) -> int:
        with self._lock:
            return len(self._minutes)


class Maintainer(threading.Thread):
    """The ingest worker's maintenance thread, off the ingest path: rollups of the marked minutes (10 s),
    escalation (5 s) and retention (1 h), on its own database connection. A failure is logged and retried on the
    next round; it never stops ingest. (The offline sweep changes point states, which the worker's main thread
    owns: the worker runs it there.)"""

    def __init__(self, dirty: DirtyMinutes, point_ids: Callable[[], list[int] | None]) -> None:
        super().__init__(name="ingest-maintenance", daemon=True)
        self.dirty = dirty
        self.point_ids = point_ids
        self.stopping = threading.Event()
        self.rounds = 0

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        try:
            last: dict[str, float] = {}
            while not self.stopping.wait(1.0):
                clock = time.monotonic()
                for key, every, work in (
                    ("rollup", 10.0, self.roll_up),
                    ("escalate", 5.0, _escalate),
                    ("retention", 3600.0, _retention),
                ):
                    if clock - last.get(key, -1e12) < every:
                        continue
                    last[key] = clock
                    try:
                        work()
                    except Exception:
                        log.exception("maintenance (%s) failed", key)
                        close_old_connections()
                self.rounds += 1
        finally:
            connection.close()

    def roll_up(self) -> int:
        """Roll up the marked minutes of this worker's points; return rollup rows written."""
        written = 0
        ids = self.point_ids()
        for first, end in self.dirty.take():
            try:
                written += rollup(first, end, point_ids=ids)
            except Exception:
                # Mark again: the next round retries.
                self.dirty.mark(first, end - 1)
                raise
        return written


def _escalate() -> int:
    from anjian.monitoring.escalation import escalate_due

    return escalate_due()


def _retention(now: int | None = None) -> dict[str, int]:
    with transaction.atomic():
        return apply_retention(now_ms() if now is None else now, retention_days())


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
        done["escalated"] = _escalate()
    if due("rollup", 10):
        done["rollups"] = rollup(now - 5 * MINUTE_MS, now + MINUTE_MS)
    if due("retention", 3600):
        done.update(_retention(now))
    return done
