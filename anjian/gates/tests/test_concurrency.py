"""Quota, anti-passback and duplicates stay exact when several processes decide at once (PostgreSQL).

Each thread has its own database connection, i.e. its own PostgreSQL backend and transaction — what two
web processes are to the database. The zone row lock (``SELECT … FOR UPDATE``) makes them take turns.
On SQLite this module is skipped: there the database serialises every write transaction
(``transaction_mode = IMMEDIATE``), and the PostgreSQL run of the suite covers the row lock.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from anjian.gates import actions
from anjian.gates.models import AccessEvent, Presence, Zone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgres" not in __import__("os").environ.get("ANJIAN_TEST_DATABASE_URL", ""),
        reason="row locks are PostgreSQL's; SQLite serialises writers (covered by the PostgreSQL run)",
    ),
]


@pytest.fixture(autouse=True)
def seeded_units(transactional_db: Any) -> None:
    """Transactional tests flush the database: put the migrations' seed data back first."""
    from anjian.enterprises import seed as enterprise_seed
    from anjian.enterprises.models import SupervisionRule
    from anjian.orgs import seed
    from anjian.orgs.models import OrgAlias, OrgUnit

    seed.load(OrgUnit, OrgAlias)
    enterprise_seed.load(OrgUnit, SupervisionRule)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(isinstance(r, Exception) for r in results), results
    return results


_BASE = int((timezone.now() - dt.timedelta(hours=2)).timestamp() * 1000)


def _ts(n: int) -> int:
    return _BASE + n * 1000


def test_two_people_racing_for_the_last_place_one_gets_in(gate_site_factory):
    assert connection.vendor == "postgresql"
    site = gate_site_factory(quota=1)
    gate2, _token = site.add_gate()
    for round_no in range(12):
        _a, code_a = site.enrol()
        _b, code_b = site.enrol()
        first, second = race(
            partial(
                actions.do_decide_event, site.gate, credential=code_a, direction="in", ts=_ts(round_no * 10)
            ),
            partial(actions.do_decide_event, gate2, credential=code_b, direction="in", ts=_ts(round_no * 10)),
        )
        answers = sorted([first.event.reason or "", second.event.reason or ""])
        assert answers == ["", "zone_full"], (round_no, answers)
        zone = Zone.objects.get(pk=site.zone.pk)
        assert zone.headcount == 1 == Presence.objects.filter(zone=zone).count()
        winner = first if first.event.allow else second
        actions.do_decide_event(
            site.gate, credential=winner.event.credential, direction="out", ts=_ts(round_no * 10 + 1)
        )
        assert Zone.objects.get(pk=site.zone.pk).headcount == 0


def test_the_same_person_at_two_gates_at_once_enters_once(gate_site_factory):
    site = gate_site_factory(quota=None)
    gate2, _token = site.add_gate()
    for n in range(10):
        _p, code = site.enrol()
        one, two = race(
            partial(actions.do_decide_event, site.gate, credential=code, direction="in", ts=_ts(100 + n)),
            partial(actions.do_decide_event, gate2, credential=code, direction="in", ts=_ts(100 + n)),
        )
        assert sorted([one.event.reason or "", two.event.reason or ""]) == ["", "already_inside"]
    zone = Zone.objects.get(pk=site.zone.pk)
    assert zone.headcount == 10 == Presence.objects.filter(zone=zone).count()


def test_a_repeated_event_arriving_twice_at_once_counts_once(gate_site_factory):
    site = gate_site_factory(quota=None)
    for n in range(10):
        _p, code = site.enrol()
        outcomes = race(
            *[partial(actions.do_decide_event, site.gate, credential=code, direction="in", ts=_ts(200 + n))]
            * 3
        )
        assert len({o.event.pk for o in outcomes}) == 1
        assert sum(o.created for o in outcomes) == 1
    assert AccessEvent.objects.count() == 10
    assert Zone.objects.get(pk=site.zone.pk).headcount == 10


def test_two_processes_swiping_at_once_lose_and_double_count_nothing(gate_site_factory):
    """Two connections (two web processes) push a stream of entries and exits of the same people through
    the same zone (quota 3) at the same time; the stored log, replayed in the order the zone lock granted
    (event ids), never exceeds the quota, never lets anyone in twice, and ends at the stored headcount."""
    import random

    from anjian.gates import facts

    site = gate_site_factory(quota=3)
    gate2, _token = site.add_gate()
    codes = [site.enrol()[1] for _ in range(8)]
    for code in codes:  # both "processes" share this module's cache; start it warm, as in steady state
        facts.pass_info(site.enterprise.pk, code)

    def stream(gate: Any, seed: int, offset: int) -> None:
        rng = random.Random(seed)
        for n in range(40):
            actions.do_decide_event(
                gate, credential=rng.choice(codes), direction=rng.choice(["in", "out"]), ts=_ts(offset + n)
            )

    race(partial(stream, site.gate, 1, 1000), partial(stream, gate2, 2, 2000))
    inside: set[str] = set()
    for event in AccessEvent.objects.filter(zone=site.zone).order_by("id"):
        if event.direction == "in" and event.allow:
            assert event.credential not in inside and len(inside) < 3
            inside.add(event.credential)
        elif event.direction == "out":
            inside.discard(event.credential)
        else:
            assert event.reason in {"zone_full", "already_inside"}
            assert (event.reason == "zone_full") == (len(inside) >= 3)
    zone = Zone.objects.get(pk=site.zone.pk)
    assert AccessEvent.objects.filter(zone=zone).count() == 80
    assert zone.headcount == len(inside) == Presence.objects.filter(zone=zone).count()
    assert set(Presence.objects.filter(zone=zone).values_list("credential", flat=True)) == inside


def test_a_change_committed_by_another_connection_reaches_this_process(gate_site):
    """A training deleted by another process's connection (raw SQL, committed): the facts kept here are
    refused by the very next decision, because the trigger replaced the pass's version in that commit."""
    from anjian.gates import facts
    from anjian.people.models import TrainingRecord

    person, code = gate_site.enrol()
    assert actions.do_decide_event(gate_site.gate, credential=code, direction="in", ts=_ts(3000)).event.allow
    actions.do_decide_event(gate_site.gate, credential=code, direction="out", ts=_ts(3001))
    assert facts.pass_info(gate_site.enterprise.pk, code) is not None

    def other_process() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TrainingRecord._meta.db_table} WHERE person_id = %s", [person.pk])

    race(other_process)
    outcome = actions.do_decide_event(gate_site.gate, credential=code, direction="in", ts=_ts(3002))
    assert outcome.event.reason == "training_missing"
