"""Metrics equal hand-counted values on fixtures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.core import metrics as core_metrics
from anjian.dangers import metrics
from anjian.dangers.models import HiddenDanger, InspectionTask, TaskCompletionStat

pytestmark = pytest.mark.django_db


def test_rectification_rates(danger_factory, danger_world):
    # given: 2 closed general, 1 rectifying general, 1 dismissed, 1 major closed, 1 major awaiting acceptance
    closed = [danger_factory(state="closed"), danger_factory(state="closed")]
    danger_factory(state="rectifying")
    danger_factory(state="dismissed")
    danger_factory(state="closed", grade="major", major_item=3)
    danger_factory(state="awaiting_acceptance", grade="major", major_item=4)
    # one closed danger closed after its deadline
    HiddenDanger.objects.filter(pk=closed[0].pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    today = timezone.localdate()
    # then: 整改率 = 3 closed / 5 (dismissed left out); 重大 1/2; 按期 = 2 of 3 closed with a deadline
    r = core_metrics.compute("dangers.rectification_rate", today)
    assert (r.numerator, r.denominator, r.value) == (3, 5, Decimal("60.0"))
    m = core_metrics.compute("dangers.major_rectification_rate", today)
    assert (m.numerator, m.denominator, m.value) == (1, 2, Decimal("50.0"))
    o = core_metrics.compute("dangers.on_time_rate", today)
    assert (o.numerator, o.denominator) == (2, 3)
    # the other enterprise's user sees none of it on the statistics page
    assert metrics.totals(danger_world.other_user)["隐患整改率"].denominator == 0
    by_enterprise = metrics.breakdown(danger_world.dept_user, "enterprise")
    assert [(r["name"], r["n"], r["closed"], r["major"], r["overdue"]) for r in by_enterprise] == [
        (danger_world.enterprise.name, 5, 3, 2, 0)
    ]


def test_task_completion_rate_reads_the_job_output(danger_world):
    e = danger_world.enterprise
    today = timezone.localdate()
    now = timezone.now()
    TaskCompletionStat.objects.create(
        enterprise=e, day=today.replace(day=1), due=10, on_time=7, late=2, missed=1, computed_at=now
    )
    TaskCompletionStat.objects.create(enterprise=e, day=today, due=10, on_time=10, computed_at=now)
    v = core_metrics.compute("dangers.task_completion_rate", today)
    assert (v.numerator, v.denominator, v.value) == (17, 20, Decimal("85.0"))


def test_dual_prevention_setup_rate(danger_world, enterprise_factory):
    from anjian.risks.models import RiskEvent, RiskObject, RiskUnit

    today = timezone.localdate()
    # given: two 危化 enterprises with a 重大危险源; only the first has an assessed register and a running task
    e1 = danger_world.enterprise
    e2 = enterprise_factory(name="乙危化有限公司", major_hazard=True)
    enterprise_factory(name="无重大危险源化工有限公司", major_hazard=False)
    for e, assessed in ((e1, True), (e2, False)):
        obj = RiskObject.objects.create(enterprise=e, name="罐区")
        unit = RiskUnit.objects.create(enterprise=e, risk_object=obj, name="储罐")
        RiskEvent.objects.create(enterprise=e, unit=unit, name="泄漏", level="larger" if assessed else "")
    InspectionTask.objects.create(
        enterprise=e1, title="巡检", cycle="daily", valid_from=today - dt.timedelta(days=1)
    )
    v = core_metrics.compute("dangers.dual_prevention_setup_rate", today)
    assert (v.numerator, v.denominator) == (1, 2)
    # an overdue 重大 danger undoes the first one's set-up
    HiddenDanger.objects.create(
        enterprise=e1,
        title="x",
        grade="major",
        status="rectifying",
        deadline=today - dt.timedelta(days=1),
        found_at=timezone.now(),
        reported_at=timezone.now(),
    )
    assert core_metrics.compute("dangers.dual_prevention_setup_rate", today).numerator == 0


def test_monthly_trend_counts_per_month(danger_factory, danger_world):
    danger_factory(state="closed")
    trend = metrics.monthly_trend(danger_world.dept_user, months=3)
    assert len(trend) == 3 and trend[-1]["found"] == 1 and trend[-1]["closed"] == 1


def test_on_time_is_decided_on_the_local_day_of_closing(danger_factory, danger_world):
    # given two dangers closed around local midnight after their deadline day
    tz = timezone.get_current_timezone()
    deadline = timezone.localdate() - dt.timedelta(days=3)
    late_evening = dt.datetime.combine(deadline, dt.time(23, 30), tzinfo=tz)  # 15:30 UTC the same day
    just_after = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0, 30), tzinfo=tz)
    for closed_at in (late_evening, just_after):
        d = danger_factory(state="closed")
        HiddenDanger.objects.filter(pk=d.pk).update(deadline=deadline, closed_at=closed_at)
    if deadline.year != timezone.localdate().year:
        pytest.skip("the period is the calendar year")
    # then: only the first counts as on time, for the metric and for the page's totals
    v = core_metrics.compute("dangers.on_time_rate", timezone.localdate())
    assert (v.numerator, v.denominator) == (1, 2)
    t = metrics.totals(danger_world.dept_user)["按期整改率"]
    assert (t.numerator, t.denominator) == (1, 2)


def test_page_totals_include_the_setup_rate_of_the_users_enterprises(danger_world):
    t = metrics.totals(danger_world.dept_user)["双重预防建设完成率"]
    # the supervised enterprise has a 重大危险源 but no register yet
    assert (t.numerator, t.denominator) == (0, 1)
    assert metrics.totals(danger_world.other_user)["双重预防建设完成率"].denominator == 0


def test_trend_counts_months_in_local_time(danger_factory, danger_world):
    # a danger reported at 00:30 local on the 1st belongs to that month (16:30 UTC the day before)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = dt.datetime.combine(today.replace(day=1), dt.time(0, 30), tzinfo=tz)
    d = danger_factory(state="reported")
    HiddenDanger.objects.filter(pk=d.pk).update(reported_at=first)
    trend = metrics.monthly_trend(danger_world.manager, months=2)
    assert [row["found"] for row in trend] == [0, 1]


def test_statistics_page_is_cached_per_scope_and_dropped_when_a_danger_changes(
    danger_factory, danger_world, client_for, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(danger_world.dept_user)
    with django_capture_on_commit_callbacks(execute=True):
        danger_factory(state="closed")
    first = client.get("/dangers/stats/")
    assert first.context["totals"]["隐患整改率"].denominator == 1
    # the second view reads the cache: far fewer queries, same figures
    with CaptureQueriesContext(connection) as again:
        second = client.get("/dangers/stats/")
    assert second.context["totals"]["隐患整改率"].denominator == 1
    with CaptureQueriesContext(connection) as cold:
        metrics.stats_page(danger_world.committee, "enterprise")
    assert len(again.captured_queries) < len(cold.captured_queries)
    # a new danger (saved by an action, after commit) drops the cache
    with django_capture_on_commit_callbacks(execute=True):
        danger_factory(state="reported")
    assert client.get("/dangers/stats/").context["totals"]["隐患整改率"].denominator == 2
