"""The dangers jobs run from the core job runner: 任务完成率 for yesterday, and the overdue ladder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.jobs import jobs, run_due
from anjian.dangers.models import HiddenDanger, InspectionTask, TaskCompletionStat

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_both_jobs_are_registered():
    names = {j.name: j for j in jobs()}
    assert names["dangers.completion"].daily_at == dt.time(2, 30)
    assert names["dangers.escalation"].every == dt.timedelta(hours=1)


def test_the_runner_computes_yesterdays_completion_rate(danger_world):
    # given a daily task valid since the day before yesterday, with no record: yesterday's period is missed
    today = timezone.localdate()
    InspectionTask.objects.create(
        enterprise=danger_world.enterprise,
        title="罐区巡检",
        cycle="daily",
        valid_from=today - dt.timedelta(days=2),
    )
    # when the worker reaches today's 02:30 slot
    runs = run_due(at(today, 3), only="dangers.completion")
    # then one run, yesterday's stat: one period due, missed
    assert [r.status for r in runs] == ["done"] and "未完成 1" in runs[0].detail
    stat = TaskCompletionStat.objects.get()
    assert (stat.day, stat.due, stat.on_time, stat.missed) == (today - dt.timedelta(days=1), 1, 0, 1)
    # the same slot is not run again; before 02:30 there is no slot
    assert run_due(at(today, 4), only="dangers.completion") == []
    assert run_due(at(today + dt.timedelta(days=1), 1), only="dangers.completion") == []


def test_the_runner_escalates_overdue_dangers(danger_factory):
    danger = danger_factory(state="rectifying")
    runs = run_due(at(danger.deadline + dt.timedelta(days=1), 9), only="dangers.escalation")
    assert [r.detail for r in runs] == ["逾期隐患升级提醒 1 次"]
    assert HiddenDanger.objects.get(pk=danger.pk).escalation_step == 1
