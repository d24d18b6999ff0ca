"""Due, on time, late and missing reports with a fixed ``as_of``; targets with and without a metric."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anjian.core import metrics
from anjian.orgs.models import OrgUnit
from anjian.plans.choices import ComplianceState
from anjian.plans.selectors import (
    quarter_bounds,
    report_compliance,
    report_due_date,
    reporting_units,
    reports_due,
)

pytestmark = pytest.mark.django_db


def test_quarter_bounds_and_due_date():
    assert quarter_bounds(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert quarter_bounds(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert report_due_date(2024, 4) == dt.date(2025, 1, 15)


def test_reporting_units_expand_groups(task_of):
    units = reporting_units(task_of("1.1"))
    names = [u.name for u in units]
    assert names[:2] == ["应急管理局", "市场监督管理局"]
    assert set(names[2:]) == {"腾格里镇", "孛井滩镇"}
    assert len(reporting_units(task_of("2.1"))) == 19  # the lead is one of the 19 committee members


def test_reports_due_flags_on_time_late_missing_and_open(task_of, report_factory):
    # given 综合执法局 on task 1.2: 2021Q1 on time, 2021Q2 late, nothing for 2021Q3
    task = task_of("1.2")
    unit = OrgUnit.objects.get(name="综合执法局")
    report_factory(task, "综合执法局", 2021, 1, on=dt.date(2021, 4, 10))
    report_factory(task, "综合执法局", 2021, 2, on=dt.date(2021, 7, 20))
    # when checked on 2021-10-20 (Q3 due 10-15 has passed) and on 2021-10-10 (still open)
    late_view = reports_due(task, unit, dt.date(2021, 10, 20))
    early_view = reports_due(task, unit, dt.date(2021, 10, 10))
    # then
    assert [(i.year, i.quarter, i.state) for i in late_view] == [
        (2021, 1, ComplianceState.ON_TIME),
        (2021, 2, ComplianceState.LATE),
        (2021, 3, ComplianceState.MISSING),
    ]
    assert early_view[-1].state == ComplianceState.OPEN and early_view[-1].due_date == dt.date(2021, 10, 15)
    assert reports_due(task, OrgUnit.objects.get(name="应急管理局"), dt.date(2021, 10, 20)) == []


def test_report_compliance_counts_a_year(task_of, report_factory):
    # given 综合执法局 reports on 1.2 (2 of 4 quarters) and none on 2.1 (member of 安委会各成员单位)
    report_factory(task_of("1.2"), "综合执法局", 2021, 1, on=dt.date(2021, 4, 1))
    report_factory(task_of("1.2"), "综合执法局", 2021, 4, on=dt.date(2022, 1, 20))
    # when the year 2021 is assessed after its last deadline
    summary = report_compliance(OrgUnit.objects.get(name="综合执法局"), 2021, as_of=dt.date(2022, 2, 1))
    # then 8 reports were due: 1 on time, 1 late, 6 missing
    assert (summary.due, summary.on_time, summary.late, summary.missing, summary.open) == (8, 1, 1, 6, 0)
    assert summary.on_time_rate == 12.5


@pytest.mark.parametrize("key", ["", "fire.not_yet_registered_rate"])
def test_target_without_metric_has_no_value(task_of, key):
    # given a target with no key, or bound to a key that no module registered
    target = task_of("1.1").targets.get()
    target.metric_key = key
    assert metrics.get(key) is None
    # then it has no current value and no judgement
    assert target.current() is None
    assert target.on_track(dt.date(2024, 1, 1)) is None
    assert not target.is_metric_registered


def test_target_with_registered_metric_compares_with_goal(task_of, monkeypatch):
    # given a registered metric returning 96.5%
    target = task_of("1.1").targets.get()
    definition = metrics.MetricDef(
        target.metric_key,
        "达标率",
        "%",
        lambda as_of: metrics.MetricValue(Decimal("96.5"), 193, 200),
        "tests",
    )
    monkeypatch.setitem(metrics._REGISTRY, target.metric_key, definition)
    # then the value is shown and the goal (>= 100) is not met
    assert target.current(dt.date(2024, 1, 1)).value == Decimal("96.5")
    assert target.on_track(dt.date(2024, 1, 1)) is False
