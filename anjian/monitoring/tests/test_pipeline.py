"""The worker's fast pieces: the quiet-reading fast path equals the full rules, the binary COPY encoder, the
batcher, the set-based alarm writer, and the pipeline's rule that a message is acknowledged only after the
transaction holding its readings has committed (and never after a failed one)."""

from __future__ import annotations

import json
import random
import struct
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction

from anjian.domain.alarm_rules import PointRules, PointState, replay
from anjian.monitoring.ingest import (
    Batch,
    Registry,
    Rejects,
    Runtime,
    apply_events,
    copy_bytes,
    decode_into,
    write_batch,
)
from anjian.monitoring.models import Alarm, AlarmLog, Reading
from anjian.monitoring.worker import Pending, Worker, owner, parse_partition

RULES = {
    "gas": PointRules(h=25, hh=50, deadband=2, off_delay_s=5, offline_after_s=60),
    "delayed": PointRules(
        l=20, ll=10, h=85, hh=90, deadband=1, on_delay_s=10, off_delay_s=3, offline_after_s=60
    ),
    "low_only": PointRules(l=5, deadband=0.5, on_delay_s=2),
    "rate": PointRules(h=0.6, hh=0.8, deadband=0.02, roc_per_s=0.05, offline_after_s=30),
    "no_offline": PointRules(h=100),
}


def _registry(rules: dict[str, PointRules]) -> Registry:
    reg = Registry()
    for n, (tag, r) in enumerate(sorted(rules.items()), start=1):
        rt = Runtime(n, 1, tag, r, PointState())
        reg.by_code.setdefault("E1", {})[tag] = rt
        reg.by_id[n] = rt
    return reg


def _sequence(rng: random.Random, rules: PointRules, start: int, n: int) -> list[tuple[int, float, int]]:
    """Readings that wander in and out of the alarm bands, with repeats, reordering, gaps and bad quality."""
    ts = start
    v = 50.0 if rules.l is not None else (rules.h or 10) * 0.4
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.05:
            ts += rng.choice([61_000, 90_000])  # a gap past the offline timeout
        elif r < 0.10 and out:
            out.append(rng.choice(out))  # a repeated or late reading
            continue
        else:
            ts += rng.choice([500, 1000, 2000, 4000])
        span = (rules.hh or rules.h or 100) * 1.3
        v = min(span, max(0.0, v + rng.gauss(0, span / 12)))
        q = 1 if rng.random() < 0.03 else 0
        out.append((ts, round(v, 3), q))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_equals_the_full_rules_on_crafted_sequences(seed: int) -> None:
    # given: every kind of point and a sequence per point
    rng = random.Random(seed)
    start = int(time.time() * 1000) - 3_600_000
    registry = _registry(RULES)
    sequences = {tag: _sequence(rng, rules, start, 400) for tag, rules in RULES.items()}
    # when: the readings go through decode_into in messages of up to 100 (fast path on)
    batch = Batch()
    rejects = Rejects()
    # Interleave the points, keeping each point's own order, as gateways do.
    flat = [
        (tag, ts, v, q)
        for _k, tag, (ts, v, q) in sorted(
            (k, tag, r) for tag, seq in sequences.items() for k, r in enumerate(seq)
        )
    ]
    for i in range(0, len(flat), 100):
        body = json.dumps(
            {
                "ts": start,
                "readings": [{"tag": t, "ts": ts, "v": v, "q": q} for t, ts, v, q in flat[i : i + 100]],
            }
        )
        decode_into(batch, "E1", body.encode(), registry, rejects, now=start + 10 * 3_600_000)
    # then: the events and final state of each point are those of the pure rules
    for tag, rules in RULES.items():
        rt = registry.by_code["E1"][tag]
        state = PointState()
        expected = replay(rules, sequences[tag], state=state)
        got = [ev for pid, ev, _v in batch.events if pid == rt.point_id]
        assert got == expected, tag
        assert rt.state == state, tag
    assert not rejects.counts


def test_fast_path_is_taken_for_quiet_readings_and_skipped_for_rate_points() -> None:
    # given
    registry = _registry({"gas": RULES["gas"], "rate": RULES["rate"]})
    gas, rate = registry.by_code["E1"]["gas"], registry.by_code["E1"]["rate"]
    # then: the rate point has an empty quiet band, the gas point the band under H
    assert (gas.quiet_lo, gas.quiet_hi) == (float("-inf"), 25)
    assert rate.quiet_lo > rate.quiet_hi


def test_copy_bytes_is_postgresql_binary_copy() -> None:
    # given
    rows = [(1, 1_700_000_000_000, 12.5, 0), (2**40, 1, -0.25, 3)]
    # when
    data = copy_bytes(rows)
    # then: signature, flags, extension, two tuples of four fields, trailer
    assert data[:11] == b"PGCOPY\n\xff\r\n\x00"
    assert struct.unpack("!ii", data[11:19]) == (0, 0)
    body = data[19:-2]
    assert data[-2:] == b"\xff\xff"
    row = struct.Struct("!hiqiqidih")
    assert [tuple(r[i] for i in (2, 4, 6, 8)) for r in row.iter_unpack(body)] == rows
    assert all(r[0] == 4 and (r[1], r[3], r[5], r[7]) == (8, 8, 8, 2) for r in row.iter_unpack(body))


@pytest.mark.django_db
def test_copy_bytes_round_trip_through_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    rows = [(1, 1_700_000_000_000, 12.5, 0), (7, 1_700_000_000_001, -3.0e10, 2)]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE copy_probe (point_id bigint, ts bigint, v double precision, q smallint)"
        )
        with cur.copy("COPY copy_probe (point_id, ts, v, q) FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(copy_bytes(rows))
        cur.execute("SELECT point_id, ts, v, q FROM copy_probe ORDER BY point_id")
        assert [tuple(r) for r in cur.fetchall()] == rows
        cur.execute("DROP TABLE copy_probe")


@pytest.fixture
def seeded_units(transactional_db: Any) -> None:
    """The seeded org units (a transactional test starts after another one's flush, which removes them)."""
    from anjian.enterprises import seed as enterprise_seed
    from anjian.enterprises.models import SupervisionRule
    from anjian.orgs import seed
    from anjian.orgs.models import OrgAlias, OrgUnit

    seed.load(OrgUnit, OrgAlias)
    enterprise_seed.load(OrgUnit, SupervisionRule)


def _msg(mid: int, topic: str = "anjian/v1/telemetry/X", payload: bytes = b"{}") -> Any:
    return SimpleNamespace(mid=mid, qos=1, topic=topic, payload=payload)


def test_batcher_closes_a_batch_at_its_size_and_keeps_order() -> None:
    # given: a worker that never connects, seven messages waiting
    worker = Worker("mqtt://127.0.0.1:1", max_batch_messages=3, max_wait_s=0.0)
    for mid in range(7):
        worker.inbox.put((1, _msg(mid)))
    # when
    batches = [worker._drain() for _ in range(4)]
    # then
    assert [[m.mid for _g, m in b] for b in batches] == [[0, 1, 2], [3, 4, 5], [6], []]


def test_writer_acknowledges_in_order_after_each_write_and_nothing_after_a_failure() -> None:
    # given: a writer whose second batch fails
    worker = Worker("mqtt://127.0.0.1:1")
    log: list[str] = []

    def write(pending: Pending, registry: Registry) -> dict[str, int]:
        name = pending.messages[0][1].topic
        if name == "fail":
            raise RuntimeError("the database said no")
        log.append(f"commit {name}")
        for _g, m in pending.messages:
            log.append(f"ack {m.mid}")
        return {}

    worker.write = write  # type: ignore[method-assign]
    thread = threading.Thread(target=worker._write_loop, args=([Registry()],))
    thread.start()
    # when
    worker.outbox.put(Pending(Batch(), [(1, _msg(1, "a")), (1, _msg(2, "a"))], 0))
    worker.outbox.put(Pending(Batch(), [(1, _msg(3, "fail"))], 0))
    worker.outbox.put(Pending(Batch(), [(1, _msg(4, "b"))], 0))
    worker.outbox.join()
    failed = worker._failed.is_set()
    # then: the batch after the failure is dropped unacknowledged (the broker redelivers it after the reload)
    worker._failed.clear()
    worker.outbox.put(Pending(Batch(), [(1, _msg(5, "c"))], 0))
    worker.outbox.put(None)
    thread.join(10)
    assert failed
    assert log == ["commit a", "ack 1", "ack 2", "commit c", "ack 5"]


@pytest.mark.django_db(transaction=True)
def test_messages_are_acknowledged_only_after_their_readings_commit(
    seeded_units, enterprise_factory, point_factory
) -> None:
    # given
    ent = enterprise_factory()
    point_factory(ent, tag="GT-1")
    registry = Registry.load()
    worker = Worker("mqtt://127.0.0.1:1")
    seen: list[tuple[int, bool, int]] = []
    worker.ack = lambda generation, msg: seen.append(
        (msg.mid, connection.in_atomic_block, Reading.objects.count())
    )
    t = int(time.time() * 1000) - 10_000
    messages = [
        _msg(
            mid,
            f"anjian/v1/telemetry/{ent.uscc}",
            json.dumps({"ts": t + mid, "readings": [{"tag": "GT-1", "v": 1.0}]}).encode(),
        )
        for mid in (1, 2)
    ]
    # when
    worker.process(messages, registry)
    # then: outside the transaction, with both readings already stored
    assert seen == [(1, False, 2), (2, False, 2)]


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_acknowledges_nothing(
    seeded_units, enterprise_factory, point_factory, monkeypatch
) -> None:
    # given
    ent = enterprise_factory()
    point_factory(ent, tag="GT-1")
    registry = Registry.load()
    worker = Worker("mqtt://127.0.0.1:1")
    acked: list[int] = []
    worker.ack = lambda generation, msg: acked.append(msg.mid)
    monkeypatch.setattr("anjian.monitoring.worker.write_batch", _explode)
    body = json.dumps({"ts": int(time.time() * 1000), "readings": [{"tag": "GT-1", "v": 1.0}]}).encode()
    # when / then
    with pytest.raises(RuntimeError):
        worker.process([_msg(1, f"anjian/v1/telemetry/{ent.uscc}", body)], registry)
    assert acked == []
    assert Reading.objects.count() == 0


def _explode(*args: Any) -> dict[str, int]:
    from anjian.monitoring.ingest import write_readings

    write_readings([(1, 1, 1.0, 0)])
    raise RuntimeError("after the COPY, before the commit")


@pytest.mark.django_db
def test_raise_clear_raise_in_one_batch_makes_two_alarms_one_active(
    enterprise_factory, point_factory
) -> None:
    # given: a detector with no off-delay
    ent = enterprise_factory()
    point = point_factory(ent, tag="GT-1", h=25, hh=50, deadband=2, off_delay_s=0)
    registry = Registry.load()
    t = int(time.time() * 1000) - 60_000
    readings = [{"tag": "GT-1", "v": v, "ts": t + i * 1000} for i, v in enumerate([10, 30, 60, 10, 30])]
    batch = Batch()
    rejects = Rejects()
    decode_into(batch, ent.uscc, json.dumps({"readings": readings}).encode(), registry, rejects)
    # when: all in one transaction
    with transaction.atomic():
        write_batch(batch, registry, rejects)
    # then
    alarms = list(Alarm.objects.filter(point=point).order_by("id"))
    assert [(a.active, a.level, a.peak_level) for a in alarms] == [(False, "HH", "HH"), (True, "H", "H")]
    assert list(AlarmLog.objects.filter(alarm__point=point).values_list("event", "level")) == [
        ("raised", "H"),
        ("changed", "HH"),
        ("cleared", "HH"),
        ("raised", "H"),
    ]
    assert alarms[0].cleared_at is not None


@pytest.mark.django_db
def test_apply_events_updates_the_stored_active_alarm(enterprise_factory, point_factory) -> None:
    # given: an active alarm stored by an earlier batch
    ent = enterprise_factory()
    point = point_factory(ent, tag="GT-1")
    registry = Registry.load()
    t = int(time.time() * 1000)
    with transaction.atomic():
        apply_events([(point.pk, (t, "raised", "H"), 30.0)], registry)
    # when: the next batch changes and clears it
    with transaction.atomic():
        apply_events(
            [(point.pk, (t + 1, "changed", "HH"), 60.0), (point.pk, (t + 2, "cleared", "HH"), 1.0)], registry
        )
    # then
    alarm = Alarm.objects.get(point=point)
    assert (alarm.active, alarm.level, alarm.peak_level, alarm.value) == (False, "HH", "HH", 60.0)
    assert AlarmLog.objects.filter(alarm=alarm).count() == 3


def test_partitions_give_every_enterprise_exactly_one_owner() -> None:
    # given
    codes = [f"91152921{n:08d}X{n % 10}" for n in range(500)]
    # when
    owners = {code: [k for k in range(3) if owner(code, (k, 3))] for code in codes}
    # then: one owner each, and the share is not lopsided
    assert all(len(ks) == 1 for ks in owners.values())
    sizes = [sum(1 for ks in owners.values() if ks == [k]) for k in range(3)]
    assert min(sizes) > 100
    assert owner("any", None) and owner(None, (0, 2)) and not owner(None, (1, 2))
    assert parse_partition("1/4") == (1, 4) and parse_partition("") is None
    with pytest.raises(ValueError):
        parse_partition("4/4")


def test_a_partitioned_worker_acknowledges_other_enterprises_unread() -> None:
    # given: partition 0 of 2 and one message for an enterprise of each partition
    worker = Worker("mqtt://127.0.0.1:1", partition=(0, 2))
    mine = next(c for c in (f"E{n}" for n in range(100)) if owner(c, (0, 2)))
    theirs = next(c for c in (f"E{n}" for n in range(100)) if not owner(c, (0, 2)))
    acked: list[int] = []
    client: Any = SimpleNamespace(ack=lambda mid, qos: acked.append(mid))
    # when
    worker._on_message(client, None, _msg(1, f"anjian/v1/telemetry/{theirs}"))
    worker._on_message(client, None, _msg(2, f"anjian/v1/telemetry/{mine}"))
    # then: the other partition's message is acknowledged at once; ours waits for its batch's commit
    assert acked == [1]
    assert [m.mid for _g, m in worker._drain()] == [2]
    assert worker.stats.skipped == 1


@pytest.mark.django_db
def test_a_batch_repeating_stored_readings_takes_the_duplicate_safe_path(
    enterprise_factory, point_factory
) -> None:
    # given: two readings stored
    ent = enterprise_factory()
    point_factory(ent, tag="GT-1")
    t = int(time.time() * 1000) - 60_000
    body = json.dumps(
        {"readings": [{"tag": "GT-1", "v": 1.0, "ts": t}, {"tag": "GT-1", "v": 1.5, "ts": t + 1000}]}
    )
    first = Batch()
    registry = Registry.load()
    decode_into(first, ent.uscc, body.encode(), registry, Rejects())
    with transaction.atomic():
        write_batch(first, registry, Rejects())
    # when: the same message again (a redelivery) and, after a restart, once more with one new reading
    again = Batch()
    decode_into(again, ent.uscc, body.encode(), registry, Rejects())
    with transaction.atomic():
        again_result = write_batch(again, registry, Rejects())
    more = json.dumps(
        {"readings": [{"tag": "GT-1", "v": 1.0, "ts": t}, {"tag": "GT-1", "v": 2.0, "ts": t + 2000}]}
    )
    restarted = Registry.load()
    third = Batch()
    decode_into(third, ent.uscc, more.encode(), restarted, Rejects())
    with transaction.atomic():
        third_result = write_batch(third, restarted, Rejects())
    # then: only fresh batches promise that nothing is stored; every reading is stored once
    assert (first.maybe_stored, again.maybe_stored, third.maybe_stored) == (False, True, True)
    assert (again_result["new"], third_result["new"]) == (0, 1)
    assert Reading.objects.count() == 3


def test_dirty_minutes_join_consecutive_minutes_into_spans_and_empty_on_take() -> None:
    from anjian.monitoring.maintenance import MINUTE_MS, DirtyMinutes

    dirty = DirtyMinutes()
    dirty.mark(10 * MINUTE_MS + 5, 11 * MINUTE_MS + 59_999)
    dirty.mark(12 * MINUTE_MS, 12 * MINUTE_MS)
    dirty.mark(20 * MINUTE_MS + 1, 20 * MINUTE_MS + 2)
    dirty.mark(5 * MINUTE_MS, 4 * MINUTE_MS)  # an empty span marks nothing
    assert dirty.take() == [(10 * MINUTE_MS, 13 * MINUTE_MS), (20 * MINUTE_MS, 21 * MINUTE_MS)]
    assert dirty.take() == [] and len(dirty) == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_marks_committed_minutes_and_its_maintenance_thread_rolls_up_only_those(
    seeded_units, enterprise_factory, point_factory
) -> None:
    from anjian.monitoring.maintenance import MINUTE_MS, Maintainer
    from anjian.monitoring.models import ReadingRollup

    # given: two points; readings of both in two minutes, and an older minute stored but never marked
    ent = enterprise_factory()
    mine = point_factory(ent, tag="GT-1")
    other = point_factory(ent, tag="GT-2")
    registry = Registry.load()
    worker = Worker("mqtt://127.0.0.1:1")
    worker.ack = lambda generation, msg: None
    minute = (int(time.time() * 1000) - 10 * MINUTE_MS) // MINUTE_MS * MINUTE_MS
    old = {"ts": minute - 5 * MINUTE_MS, "readings": [{"tag": "GT-1", "v": 9.0}]}
    batch = [
        {"ts": minute + 1_000, "readings": [{"tag": "GT-1", "v": 1.0}, {"tag": "GT-2", "v": 5.0}]},
        {"ts": minute + 2_000, "readings": [{"tag": "GT-1", "v": 3.0}]},
        {"ts": minute + MINUTE_MS + 1, "readings": [{"tag": "GT-1", "v": 7.0}]},
    ]
    worker.maintenance = False
    worker.process([_msg(1, f"anjian/v1/telemetry/{ent.uscc}", json.dumps(old).encode())], registry)
    worker.maintenance = True
    worker.process(
        [_msg(i + 2, f"anjian/v1/telemetry/{ent.uscc}", json.dumps(b).encode()) for i, b in enumerate(batch)],
        registry,
    )
    # when: the maintenance thread's rollup, restricted to one point as a partitioned worker's is
    rows = Maintainer(worker.dirty, lambda: [mine.pk]).roll_up()
    # then: the two marked minutes, not the unmarked one; only the worker's point on PostgreSQL
    got = {
        (r.point_id, r.minute): (r.n, r.vmin, r.vmax)
        for r in ReadingRollup.objects.order_by("point_id", "minute")
    }
    expected = {(mine.pk, minute): (2, 1.0, 3.0), (mine.pk, minute + MINUTE_MS): (1, 7.0, 7.0)}
    if connection.vendor == "sqlite":
        # SQLite has one ingest process and no partitions: the restriction is not applied there.
        expected[(other.pk, minute)] = (1, 5.0, 5.0)
    assert got == expected and rows == len(expected)
    assert len(worker.dirty) == 0
