"""Readings partitioned by day on PostgreSQL (declarative range partitions on ``ts``), created ahead, dropped by retention.

An insert touches one small partition and its index, so ten years of data cost no more per insert than a day;
retention drops whole partitions instead of deleting rows. SQLite keeps one table and deletes by time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import connection, transaction

__all__ = [
    "DAY_MS",
    "apply_retention",
    "ensure_partitions",
    "is_partitioned",
    "make_partitioned",
    "partition_days",
]

DAY_MS = 86_400_000
TABLE = "monitoring_reading"
_NAME = re.compile(r"^monitoring_reading_p(\d{8})$")

# Days whose partition is known to exist in this process (the writer asks once per day).
_known: set[int] = set()


def make_partitioned(schema_editor: object = None) -> None:
    """Recreate the (empty) readings table as a partitioned table (PostgreSQL only; called by a migration)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(
            f"CREATE TABLE {TABLE} (point_id bigint NOT NULL, ts bigint NOT NULL, v double precision NOT NULL, "
            f"q smallint NOT NULL, PRIMARY KEY (point_id, ts)) PARTITION BY RANGE (ts)"
        )
    _known.clear()


def is_partitioned() -> bool:
    """Whether the readings table is partitioned (PostgreSQL after the migration)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = %s",
            [TABLE],
        )
        return cur.fetchone() is not None


def _day_name(day_index: int) -> str:
    day = dt.datetime.fromtimestamp(day_index * DAY_MS / 1000, tz=dt.UTC).date()
    return f"{TABLE}_p{day:%Y%m%d}"


def ensure_partitions(day_indexes: Iterable[int]) -> list[str]:
    """Create the daily partitions for ``day_indexes`` (epoch ms // DAY_MS) that do not exist; return the new ones."""
    if connection.vendor != "postgresql":
        return []
    # A day is remembered only when the catalogue shows its partition to a transaction that has written nothing
    # yet (no transaction id: the partition was committed by someone); one created in a transaction that later
    # rolls back must not be remembered. Retention forgets the days it drops. The writer asks first in every
    # batch's transaction; remembering spares it a round trip per batch.
    wanted = sorted(set(day_indexes) - _known)
    if not wanted:
        return []
    created: list[str] = []
    with connection.cursor() as cur:
        for day in wanted:
            name = _day_name(day)
            cur.execute("SELECT to_regclass(%s), pg_current_xact_id_if_assigned() IS NULL", [name])
            row = cur.fetchone()
            if row is None or row[0] is None:
                # A concurrent worker may create the same partition: a savepoint keeps our transaction usable.
                try:
                    with transaction.atomic():
                        cur.execute(
                            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} "
                            f"FOR VALUES FROM ({day * DAY_MS}) TO ({(day + 1) * DAY_MS})"
                        )
                    created.append(name)
                except Exception:
                    pass
            elif row[1]:
                _known.add(day)
    return created


def partition_days() -> list[dt.date]:
    """The days that have a partition, oldest first."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [r[0] for r in cur.fetchall()]
    days = []
    for name in names:
        m = _NAME.match(name)
        if m:
            days.append(dt.datetime.strptime(m.group(1), "%Y%m%d").replace(tzinfo=dt.UTC).date())
    return sorted(days)


def apply_retention(now_ms: int, retention_days: int, ahead_days: int = 2) -> dict[str, int]:
    """Drop partitions (PostgreSQL) or delete rows (SQLite) older than retention; create partitions ahead."""
    from anjian.monitoring.actions import do_purge_expired_telemetry

    cutoff = now_ms - retention_days * DAY_MS
    if connection.vendor != "postgresql":
        deleted = do_purge_expired_telemetry(cutoff, readings=True)
        return {"dropped": 0, "deleted": deleted, "created": 0}
    today = now_ms // DAY_MS
    created = ensure_partitions(range(today - 1, today + ahead_days + 1))
    dropped = 0
    with connection.cursor() as cur:
        for day in partition_days():
            end_ms = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000) + DAY_MS
            if end_ms <= cutoff:
                name = f"{TABLE}_p{day:%Y%m%d}"
                cur.execute(f"DROP TABLE IF EXISTS {name}")
                _known.discard((end_ms - DAY_MS) // DAY_MS)
                dropped += 1
    do_purge_expired_telemetry(cutoff, readings=False)  # the readings went with their partitions
    return {"dropped": dropped, "deleted": 0, "created": len(created)}
