"""Fixtures for the plans app (factories returning callables, Saleor ``*_generator`` style)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anjian.plans.models import Plan, PlanTask, ProgressReport, SupervisionNotice

DATA = Path(__file__).resolve().parent / "data"
SEED_PLAN = Path(__file__).resolve().parents[1] / "data" / "safety-plan-2021-2025.txt"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime on ``day`` in the project time zone."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def small_plan_text() -> str:
    """A three-task plan: 1.1 (lead 应急管理局, cooperating 市监局 and 两镇), 1.2 (responsible 综合执法局),
    2.1 (lead 工业和科技局, cooperating 安委会各成员单位)."""
    return (DATA / "small_plan.txt").read_text(encoding="utf-8")


@pytest.fixture
def seed_plan_text() -> str:
    """The zone's real plan text (42 tasks)."""
    return SEED_PLAN.read_text(encoding="utf-8")


@pytest.fixture
def plan_importer(db: Any) -> Callable[..., Any]:
    """Return ``imp(text, code="p", acting_user=None)`` → ImportOutcome (applies any diff)."""
    from anjian.orgs.models import registry_from_db
    from anjian.plans.actions import do_import_plan
    from anjian.plans.plan_import import prepare_import

    def imp(text: str, code: str = "small-plan", acting_user: Any = None) -> Any:
        prepared = prepare_import(text, registry_from_db(), code=code)
        return do_import_plan(prepared, acting_user=acting_user)

    return imp


@pytest.fixture
def small_plan(plan_importer: Callable[..., Any], small_plan_text: str) -> Plan:
    """The small plan, imported."""
    return plan_importer(small_plan_text).plan


@pytest.fixture
def task_of(small_plan: Plan) -> Callable[[str], PlanTask]:
    """Return ``get("1.1")`` → the small plan's task."""

    def get(code: str) -> PlanTask:
        return PlanTask.objects.select_related("plan").get(plan=small_plan, code=code)

    return get


@pytest.fixture
def report_factory(user_factory: Callable[..., Any]) -> Callable[..., ProgressReport]:
    """Return ``make(task, unit_name, year, quarter, status="in_progress", text=..., on=date, user=None)``."""
    from anjian.orgs.models import OrgUnit
    from anjian.plans.actions import do_submit_report

    users: dict[str, Any] = {}

    def make(
        task: PlanTask,
        unit_name: str,
        year: int,
        quarter: int,
        *,
        status: str = "in_progress",
        text: str = "按计划推进。",
        on: dt.date | None = None,
        user: Any = None,
    ) -> ProgressReport:
        unit = OrgUnit.objects.get(name=unit_name)
        if user is None:
            user = users.get(unit_name) or user_factory(org=unit)
            users[unit_name] = user
        from anjian.plans.selectors import report_due_date

        day = on or report_due_date(year, quarter) - dt.timedelta(days=5)
        return do_submit_report(
            task, unit, year, quarter, status=status, text=text, acting_user=user, now=at(day)
        )

    return make


@pytest.fixture
def notice_factory(committee_user: Any) -> Callable[..., SupervisionNotice]:
    """Return ``make(unit, task=None, title="…")`` sending a notice as the committee office."""
    from anjian.plans.actions import do_send_notice

    def make(
        unit: Any,
        task: PlanTask | None = None,
        title: str = "关于加快推进标准化建设的督办通知",
        due_date: dt.date | None = None,
    ) -> SupervisionNotice:
        return do_send_notice(
            unit=unit,
            task=task,
            title=title,
            body="请于期限内报送整改情况。",
            due_date=due_date,
            acting_user=committee_user,
        )

    return make
