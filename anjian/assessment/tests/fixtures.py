"""Fixtures for the assessment app: a small 2025 plan with reports, targets and notices whose scores are
computed by hand in the tests (Saleor-style factories returning objects or callables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from anjian.core import metrics
from anjian.core.metrics import MetricDef, MetricValue
from anjian.orgs.models import OrgUnit

AS_OF = dt.date(2026, 1, 16)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime on ``day`` in the project time zone."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class World:
    """The data of the 2025 assessment fixture, by name."""

    plan: Any
    tasks: dict[str, Any]
    units: dict[str, OrgUnit]
    targets: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def test_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two live metrics for the tests: ``test.good`` = 100 and ``test.bad`` = 80 (percent)."""
    for key, value in (("test.good", 100), ("test.bad", 80)):

        def func(as_of: dt.date, value: int = value) -> MetricValue:
            return MetricValue(value=Decimal(value), numerator=value, denominator=100)

        monkeypatch.setitem(metrics._REGISTRY, key, MetricDef(key, key, "%", func, __name__))


@pytest.fixture
def assessment_world(db: Any, unit: Callable[[str], OrgUnit], test_metrics: None) -> World:
    """A 2025 plan with two tasks and the data below; as of 2026-01-16 every 2025 report is due.

    * 1.1 lead 应急管理局, cooperating 腾格里镇; targets A (test.good, on track), B (test.bad, behind),
      C (no metric).
    * 1.2 lead 两镇 (腾格里镇 and 孛井滩镇), responsible 住建交通局; target D (test.good).
    * Reports: 应急管理局 on 1.1: Q1, Q2 on time, Q3 late, Q4 missing. Both towns: every report on time.
      住建交通局: none.
    * Notices: 应急管理局 one, due 2025-06-30, acknowledged 06-10 and answered 06-20. 住建交通局 one, due
      2025-05-31, never acknowledged.

    Hand-computed with the default scheme (40 / 40 / 20; vetoes 较大 accident, notice ignored ≥ 1):
    应急管理局 25 + 20 + 20 = 65 合格; towns 40 + 40 + 20 = 100 优秀; 住建交通局 0 + 40 + 0 = 40, vetoed.
    """
    from anjian.plans.choices import Comparator, NoticeStatus, ReportStatus, TaskRole
    from anjian.plans.models import Plan, PlanTask, ProgressReport, SupervisionNotice, Target, TaskUnit
    from anjian.plans.selectors import report_due_date

    units = {n: unit(n) for n in ("应急管理局", "腾格里镇", "孛井滩镇", "住建交通局", "两镇")}
    plan = Plan.objects.create(
        code="test-2025",
        title="2025年测试规划",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        source_sha256="0" * 64,
        source_text="测试",
    )
    tasks = {
        "1.1": PlanTask.objects.create(
            plan=plan, code="1.1", position=1, chapter="一", section=1, title="落实责任"
        ),
        "1.2": PlanTask.objects.create(
            plan=plan, code="1.2", position=2, chapter="一", section=2, title="两镇整治"
        ),
    }
    for task, name, role in (
        ("1.1", "应急管理局", TaskRole.LEAD),
        ("1.1", "腾格里镇", TaskRole.COOPERATING),
        ("1.2", "两镇", TaskRole.LEAD),
        ("1.2", "住建交通局", TaskRole.RESPONSIBLE),
    ):
        TaskUnit.objects.create(task=tasks[task], unit=units[name], role=role)
    world = World(plan=plan, tasks=tasks, units=units)
    for name, task, indicator, key in (
        ("A", "1.1", "标准化达标率", "test.good"),
        ("B", "1.1", "三类人员持证上岗率", "test.bad"),
        ("C", "1.1", "较大事故起数", ""),
        ("D", "1.2", "两镇整治完成率", "test.good"),
    ):
        world.targets[name] = Target.objects.create(
            task=tasks[task],
            indicator=indicator,
            comparator=Comparator.AT_LEAST,
            value=Decimal(100),
            unit="%",
            deadline=dt.date(2025, 12, 31),
            metric_key=key,
        )

    def report(task: str, name: str, quarter: int, late: bool = False) -> None:
        due = report_due_date(2025, quarter)
        ProgressReport.objects.create(
            task=tasks[task],
            unit=units[name],
            year=2025,
            quarter=quarter,
            status=ReportStatus.IN_PROGRESS,
            text="按计划推进。",
            due_date=due,
            submitted_at=aware(due + dt.timedelta(days=3 if late else -3)),
            is_late=late,
        )

    report("1.1", "应急管理局", 1)
    report("1.1", "应急管理局", 2)
    report("1.1", "应急管理局", 3, late=True)
    for quarter in range(1, 5):
        report("1.1", "腾格里镇", quarter)
        report("1.2", "腾格里镇", quarter)
        report("1.2", "孛井滩镇", quarter)

    SupervisionNotice.objects.create(
        task=tasks["1.1"],
        unit=units["应急管理局"],
        title="关于加快落实责任的督办通知",
        body="请报送。",
        due_date=dt.date(2025, 6, 30),
        status=NoticeStatus.ANSWERED,
        sent_at=aware(dt.date(2025, 6, 1)),
        acknowledged_at=aware(dt.date(2025, 6, 10)),
        answered_at=aware(dt.date(2025, 6, 20)),
        answer="已落实。",
    )
    SupervisionNotice.objects.create(
        task=tasks["1.2"],
        unit=units["住建交通局"],
        title="关于两镇整治的督办通知",
        body="请报送。",
        due_date=dt.date(2025, 5, 31),
        status=NoticeStatus.SENT,
        sent_at=aware(dt.date(2025, 5, 1)),
    )
    return world


@pytest.fixture
def scheme_2025(assessment_world: World, committee_user: Any) -> Any:
    """The 2025 scheme with the default rules (not yet run)."""
    from anjian.assessment.actions import do_create_scheme

    return do_create_scheme(2025, acting_user=committee_user)


@pytest.fixture
def run_2025(scheme_2025: Any, committee_user: Any) -> Any:
    """The 2025 scheme, run as of 2026-01-16; returns the scheme (fresh from the database)."""
    from anjian.assessment.actions import do_run_assessment
    from anjian.assessment.models import AssessmentScheme

    do_run_assessment(scheme_2025, acting_user=committee_user, as_of=AS_OF)
    return AssessmentScheme.objects.get(pk=scheme_2025.pk)


@pytest.fixture
def result_of() -> Callable[[Any, str], Any]:
    """Return ``get(scheme, unit_name)`` → that unit's stored result."""
    from anjian.assessment.models import AssessmentResult

    def get(scheme: Any, name: str) -> Any:
        return AssessmentResult.objects.select_related("unit").get(scheme=scheme, unit__name=name)

    return get
