"""The demo part: the seed plan, realistic reports (some late, a few missing) and notices in every state."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.demo import plans as demo_plans
from anjian.demo import users as demo_users
from anjian.demo.context import DemoContext
from anjian.plans.choices import ComplianceState
from anjian.plans.models import Plan, ProgressReport, SupervisionNotice
from anjian.plans.selectors import compliance_for_units

pytestmark = pytest.mark.django_db


def test_demo_builds_plan_reports_and_notices():
    # given the demo users and a fixed demo day
    ctx = DemoContext(seed=7, today=dt.date(2025, 11, 20))
    demo_users.build(ctx)
    # when the plans part runs
    demo_plans.build(ctx)
    # then the seed plan is imported with its 42 tasks
    plan = Plan.objects.get()
    assert plan.tasks.count() == 42 and ctx.refs["plan"] == plan
    # and reports cover 2021Q1..2025Q3 with realistic statuses, some late
    reports = ProgressReport.objects.all()
    years = sorted(set(reports.values_list("year", flat=True)))
    assert years == [2021, 2022, 2023, 2024, 2025]
    assert set(reports.values_list("status", flat=True)) == {"not_started", "in_progress", "done", "behind"}
    late = reports.filter(is_late=True).count()
    assert 0.02 < late / reports.count() < 0.25
    assert reports.values("text").distinct().count() > reports.count() * 0.5
    # and a few are missing
    from anjian.orgs.models import OrgUnit

    due = compliance_for_units(OrgUnit.objects.exclude(kind="group"), as_of=ctx.today)
    states = [i.state for items in due.values() for i in items]
    missing = states.count(ComplianceState.MISSING)
    assert 0 < missing < len(states) * 0.12
    # and the notices are in every state
    assert set(SupervisionNotice.objects.values_list("status", flat=True)) == {
        "sent",
        "acknowledged",
        "answered",
        "closed",
    }


def test_demo_is_deterministic():
    ctx = DemoContext(seed=7, today=dt.date(2023, 2, 1))
    demo_plans.build(ctx)
    first = list(
        ProgressReport.objects.order_by("task__position", "unit__code", "year", "quarter").values_list(
            "task__code", "unit__code", "year", "quarter", "status", "text", "is_late"
        )
    )
    ProgressReport.objects.all().delete()
    demo_plans.build(DemoContext(seed=7, today=dt.date(2023, 2, 1)))
    second = list(
        ProgressReport.objects.order_by("task__position", "unit__code", "year", "quarter").values_list(
            "task__code", "unit__code", "year", "quarter", "status", "text", "is_late"
        )
    )
    assert first == second and len(first) > 1000
