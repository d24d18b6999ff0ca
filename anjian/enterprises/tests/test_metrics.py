"""The standardisation metrics equal values counted by hand from a small fixture zone."""

import datetime as dt
from decimal import Decimal

import pytest

from anjian.core.metrics import compute
from anjian.enterprises import metrics

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def zone(enterprise_factory, standardization_factory):
    """Above-scale: A1–A6 (A5 停产, A6 筹建); small: S1–S5 (S5 关闭). Hand count below."""
    e = enterprise_factory
    g = standardization_factory
    a1 = e(name="A1", scale="above_scale")
    a2 = e(name="A2", scale="above_scale")
    a3 = e(name="A3", scale="above_scale")
    a4 = e(name="A4", scale="above_scale")
    a5 = e(name="A5", scale="above_scale", status="suspended")
    a6 = e(name="A6", scale="above_scale", status="preparing")
    s1, s2, s3, s4 = (e(name=f"S{i}", scale="small") for i in range(1, 5))
    s5 = e(name="S5", scale="small", status="closed")
    # A1: 二级 before 2021 (historical) and again in 2023 → valid, but not "added"
    g(a1, "level2", dt.date(2019, 3, 1), is_current=False)
    g(a1, "level2", dt.date(2023, 3, 1))
    # A2: 三级 in 2020 (historical), 二级 in 2024 → valid and added
    g(a2, "level3", dt.date(2020, 5, 1), is_current=False)
    g(a2, "level2", dt.date(2024, 1, 10))
    # A3: 三级 issued 2022-06-01, re-review due 2025-06-01 → overdue on AS_OF, not valid
    g(a3, "level3", dt.date(2022, 6, 1))
    # A4: no grading
    # A5 (停产, still active): 一级 on 2023-01-01 → valid and added
    g(a5, "level1", dt.date(2023, 1, 1))
    # A6 (筹建): 三级 → excluded from the base
    g(a6, "level3", dt.date(2024, 1, 1))
    # S1: 小微规范化 valid; S2: 三级 (better than 规范化) valid; S3: 规范化 issued after AS_OF → not yet;
    # S4: none; S5 (关闭): 规范化 → excluded
    g(s1, "small", dt.date(2024, 1, 1))
    g(s2, "level3", dt.date(2023, 7, 1))
    g(s3, "small", dt.date(2025, 7, 1))
    g(s5, "small", dt.date(2024, 1, 1))
    # A non-current grading never counts for the rates: S4's old 规范化 was withdrawn
    g(s4, "small", dt.date(2024, 1, 1), is_current=False)
    return locals()


def test_above_scale_rate_counts_active_enterprises_with_valid_grades(zone):
    # hand count: base A1 A2 A3 A4 A5 = 5; valid A1 A2 A5 = 3 → 60.0%
    value = metrics.above_scale_rate(AS_OF)
    assert (value.numerator, value.denominator, value.value) == (3, 5, Decimal("60.0"))


def test_small_rate_counts_any_valid_grade(zone):
    # hand count: base S1 S2 S3 S4 = 4; valid S1 S2 = 2 → 50.0%
    value = metrics.small_rate(AS_OF)
    assert (value.numerator, value.denominator, value.value) == (2, 4, Decimal("50.0"))


def test_level2_added_counts_first_level2_since_2021(zone):
    # hand count: A2 (二级 2024, only 三级 before) and A5 (一级 2023); A1 had 二级 in 2019
    value = metrics.level2_added(AS_OF)
    assert (value.value, value.numerator) == (Decimal("2"), 2)
    assert value.breakdown["enterprises"] == ["A2", "A5"]


def test_metrics_as_of_an_earlier_day(zone):
    # on 2023-01-01: A2 had only its 2020 三级 (not current) → A2 invalid; A3 valid (due 2025-06-01);
    # A1's current 二级 was not yet issued → invalid; A5 (issued that day) valid → A3, A5 = 2 of 5
    assert metrics.above_scale_rate(dt.date(2023, 1, 1)).numerator == 2
    assert metrics.level2_added(dt.date(2023, 1, 1)).numerator == 1


def test_metrics_are_registered_for_plan_targets(zone):
    assert compute("standardization.above_scale_rate", AS_OF).value == Decimal("60.0")
    assert compute("standardization.small_rate", AS_OF).value == Decimal("50.0")
    assert compute("standardization.level2_added", AS_OF).value == Decimal("2")


def test_empty_zone_has_no_rate(db):
    assert metrics.above_scale_rate(AS_OF).value is None
    assert metrics.level2_added(AS_OF).value == Decimal("0")
