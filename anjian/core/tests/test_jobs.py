"""Scheduled jobs: a slot runs once however many workers reach it; the apps' jobs notify the right users."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from anjian.core.jobs import Job, claim, jobs, register_job, run_due
from anjian.core.models import JobRun, Notification
from anjian.orgs.models import OrgUnit
from anjian.plans.tests.fixtures import at

NOW = dt.datetime(2025, 5, 1, 2, 0, tzinfo=dt.UTC)


def test_slots() -> None:
    hourly = Job("h", lambda now: None, every=dt.timedelta(hours=1))
    assert hourly.slot(dt.datetime(2025, 5, 1, 2, 59, tzinfo=dt.UTC)) == "2025-05-01T02:00:00Z"
    assert hourly.slot(dt.datetime(2025, 5, 1, 3, 0, tzinfo=dt.UTC)) == "2025-05-01T03:00:00Z"
    daily = Job("d", lambda now: None, daily_at=dt.time(8, 0))
    # 08:00 in Asia/Shanghai is 00:00 UTC
    assert daily.slot(dt.datetime(2025, 4, 30, 23, 59, tzinfo=dt.UTC)) is None
    assert daily.slot(dt.datetime(2025, 5, 1, 0, 0, tzinfo=dt.UTC)) == "2025-05-01"
    with pytest.raises(ValueError, match="exactly one"):
        register_job("bad", lambda now: None)


@pytest.mark.django_db
def test_a_slot_is_claimed_once_and_runs_are_recorded() -> None:
    calls: list[dt.datetime] = []
    register_job("test.counting", lambda now: calls.append(now) or "做了一次", every=dt.timedelta(hours=1))
    try:
        assert [r.detail for r in run_due(NOW, only="test.counting")] == ["做了一次"]
        # the same slot again (another worker, or this one on its next tick): nothing runs
        assert run_due(NOW + dt.timedelta(minutes=30), only="test.counting") == []
        assert claim(next(j for j in jobs() if j.name == "test.counting"), "2025-05-01T02:00:00Z") is None
        # the next slot runs
        assert len(run_due(NOW + dt.timedelta(hours=1), only="test.counting")) == 1
        assert len(calls) == 2
        run = JobRun.objects.filter(job="test.counting").order_by("id").first()
        assert run is not None and run.status == JobRun.Status.DONE and run.finished_at is not None
    finally:
        from anjian.core import jobs as registry

        registry._JOBS.pop("test.counting", None)


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_others_still_run() -> None:
    def boom(now: dt.datetime) -> str:
        raise RuntimeError("数据库不可用")

    register_job("test.boom", boom, every=dt.timedelta(hours=1))
    try:
        (run,) = run_due(NOW, only="test.boom")
        assert run.status == JobRun.Status.FAILED and "数据库不可用" in run.detail
    finally:
        from anjian.core import jobs as registry

        registry._JOBS.pop("test.boom", None)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_a_slot_once() -> None:
    """Two workers (two threads, two database sessions) reach the same slot at the same moment."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true" and os.environ.get("ANJIAN_TEST_DATABASE_URL", "").startswith(
            "postgres"
        ):
            pytest.fail("expected PostgreSQL")
        pytest.skip("needs PostgreSQL (concurrent sessions); the PostgreSQL run of the suite covers it")
    runs: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def slow_job(now: dt.datetime) -> str:
        with lock:
            runs.append(threading.current_thread().name)
        time.sleep(0.3)
        return "ok"

    register_job("test.concurrent", slow_job, every=dt.timedelta(minutes=5))
    results: dict[str, int] = {}

    def worker(name: str) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            results[name] = len(run_due(NOW, only="test.concurrent", node=name))
        finally:
            conn.close()

    try:
        threads = [threading.Thread(target=worker, args=(f"node{i}",), name=f"node{i}") for i in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(runs) == 1, runs
        assert sorted(results.values()) == [0, 1]
        assert JobRun.objects.filter(job="test.concurrent").count() == 1
    finally:
        from anjian.core import jobs as registry

        registry._JOBS.pop("test.concurrent", None)


@pytest.mark.django_db
def test_worker_command_once_and_list(capsys: Any) -> None:
    call_command("worker", "--list")
    out = capsys.readouterr().out
    for name in (
        "plans.notify_overdue_reports",
        "people.notify_expiring_certificates",
        "enterprises.notify_expiring_licences",
    ):
        assert name in out
    call_command("worker", "--once", "--job", "people.notify_expiring_certificates")
    assert "people.notify_expiring_certificates" in capsys.readouterr().out


# --- the apps' jobs -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_reports_notify_the_units_users_once(small_plan: Any, user_factory: Any) -> None:
    from anjian.plans.jobs import notify_overdue_reports

    # given users of 应急管理局 (lead of 1.1, member of 安委会 on 2.1) and of 综合执法局 (1.2), no reports filed
    ours = user_factory(org="应急管理局")
    theirs = user_factory(org="综合执法局")
    bystander = user_factory(org="公安局") if OrgUnit.objects.filter(name="公安局").exists() else None
    # when the job runs after the 2025 Q1 deadline (15 April)
    notify_overdue_reports(at(dt.date(2025, 5, 1)))
    # then each responsible unit's user hears about 2025 Q1 once, with why and a link
    mine = Notification.objects.filter(recipient=ours)
    assert [n.title for n in mine] == ["2025年第1季度有2份进展报告逾期未报"]
    assert "1.1、2.1" in mine[0].body
    assert mine[0].why == "您所在的应急管理局是这些规划任务的责任单位" and mine[0].url == "/plans/mine/"
    assert Notification.objects.filter(recipient=theirs).count() == 1
    if bystander is not None:
        assert not Notification.objects.filter(recipient=bystander).exists()
    # and running again sends nothing new
    before = Notification.objects.count()
    notify_overdue_reports(at(dt.date(2025, 5, 2)))
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_expiring_certificates_and_licences_notify_exactly_their_users(
    enterprise_factory: Any,
    enterprise_user_factory: Any,
    person_factory: Any,
    certificate_factory: Any,
    licence_factory: Any,
    user_factory: Any,
) -> None:
    from django.utils import timezone

    from anjian.enterprises.jobs import notify_expiring_licences
    from anjian.people.jobs import notify_expiring_certificates

    today = timezone.localdate()
    # given two enterprises, each with a user; one certificate and one licence expiring in 10 days
    mine, other = enterprise_factory(), enterprise_factory()
    me, them = enterprise_user_factory(mine), enterprise_user_factory(other)
    supervisor = user_factory(org=mine.supervising_unit)
    cert = certificate_factory(person_factory(mine), expires_on=today + dt.timedelta(days=10))
    certificate_factory(person_factory(other), expires_on=today + dt.timedelta(days=200))
    licence_factory(mine, valid_until=today + dt.timedelta(days=10))
    # when the jobs run (twice)
    for _ in range(2):
        notify_expiring_certificates(timezone.now())
        notify_expiring_licences(timezone.now())
    # then the enterprise's user has one of each, the supervising department one licence notice, the other none
    assert sorted(n.kind for n in Notification.objects.filter(recipient=me)) == [
        "enterprises.licence_expiring",
        "people.certificate_expiring",
    ]
    cert_note = Notification.objects.get(recipient=me, kind="people.certificate_expiring")
    assert cert_note.target == cert and cert.person.name in cert_note.title
    assert [n.why for n in Notification.objects.filter(recipient=supervisor)] == [
        f"{mine.supervising_unit.name}是该企业的监管部门（三个必须）"
    ]
    assert not Notification.objects.filter(recipient=them).exists()


@pytest.mark.django_db(transaction=True)
def test_task_progress_is_seen_while_the_task_writes_in_one_transaction() -> None:
    from django.contrib.auth import get_user_model
    from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

    from anjian.core.models import BackgroundTask
    from anjian.core.tasks import _ProgressWriter

    user = get_user_model().objects.create(username="tasker")
    task = BackgroundTask.objects.create(kind="people.import", label="导入", user=user)
    progress = _ProgressWriter(task.pk)
    try:
        # when an import reports progress from inside its one transaction
        with transaction.atomic():
            progress(40, 100)
            if connection.vendor == "postgresql":
                # then another connection (the page polling the task) sees it at once
                other = connections.create_connection(DEFAULT_DB_ALIAS)
                try:
                    with other.cursor() as cursor:
                        cursor.execute("SELECT done, total FROM core_backgroundtask WHERE id = %s", [task.pk])
                        assert cursor.fetchone() == (40, 100)
                finally:
                    other.close()
            # (SQLite has one writer: there the progress is the task's own connection's)
            progress(60, 100)  # within 0.3 s of the last: skipped
            progress(100, 100)  # the last always written
    finally:
        progress.close()
    task.refresh_from_db()
    assert (task.done, task.total) == (100, 100)
    assert progress.own is None


@pytest.mark.django_db
def test_a_task_s_end_is_written_even_when_the_database_is_briefly_busy(monkeypatch: Any) -> None:
    """A status write refused as busy (SQLite refuses at once while a page polling the progress reads) is tried
    again: a lost final status left the task 运行中 for an hour, and a test waiting for it timed out in CI."""
    from django.contrib.auth import get_user_model
    from django.db import OperationalError
    from django.db.models import QuerySet

    from anjian.core import tasks
    from anjian.core.models import BackgroundTask

    user = get_user_model().objects.create(username="busy")
    tasks.register_task("test.busy", lambda task, progress: None)
    task = BackgroundTask.objects.create(kind="test.busy", label="忙", user=user)
    real_update = QuerySet.update
    refusals = {"left": 3}

    def busy_update(self: Any, **fields: Any) -> int:
        if self.model is BackgroundTask and refusals["left"]:
            refusals["left"] -= 1
            raise OperationalError("database table is locked")
        return real_update(self, **fields)

    monkeypatch.setattr(QuerySet, "update", busy_update)
    monkeypatch.setattr(tasks.time, "sleep", lambda seconds: None)
    # when the task runs and its claim and end are refused three times in all
    tasks.run_task(task.pk)
    # then it still ends as done
    task.refresh_from_db()
    assert task.status == BackgroundTask.Status.DONE and refusals["left"] == 0
