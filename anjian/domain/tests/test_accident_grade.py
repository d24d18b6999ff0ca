"""Tests for anjian.domain.accident_grade: every boundary of Art. 3, the reporting clocks, re-grading."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest

from anjian.domain import assessment
from anjian.domain.accident_grade import (
    GRADE_BANDS,
    AccidentGrade,
    grade_accident,
    grade_from_label,
    regrade,
    reporting_checklist,
)

CSV = Path("/work/shared/reference/accident_grades_493.csv")
G, L, M, E = (
    AccidentGrade.GENERAL,
    AccidentGrade.LARGER,
    AccidentGrade.MAJOR,
    AccidentGrade.ESPECIALLY_MAJOR,
)
T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


# (value, grade): each band's lowest value and the value just below it ("以上" includes, "以下" excludes).
DEATHS = [(0, G), (2, G), (3, L), (9, L), (10, M), (29, M), (30, E), (31, E)]
INJURIES = [(0, G), (9, G), (10, L), (49, L), (50, M), (99, M), (100, E), (250, E)]
LOSS = [
    (0, G),
    (Decimal("9999999.99"), G),
    (10_000_000, L),
    (Decimal("49999999.99"), L),
    (50_000_000, M),
    (Decimal("99999999.99"), M),
    (100_000_000, E),
]


@pytest.mark.parametrize(("deaths", "grade"), DEATHS)
def test_deaths_boundaries(deaths, grade):
    result = grade_accident(deaths, 0, 0)
    assert result.grade == grade
    assert result.by == "deaths"


@pytest.mark.parametrize(("injuries", "grade"), INJURIES)
def test_injury_boundaries(injuries, grade):
    result = grade_accident(0, injuries, 0)
    assert result.grade == grade
    assert result.by == ("injuries" if grade != G else "deaths")


@pytest.mark.parametrize(("loss", "grade"), LOSS)
def test_loss_boundaries(loss, grade):
    result = grade_accident(0, 0, loss)
    assert result.grade == grade
    assert result.by == ("loss" if grade != G else "deaths")


def test_highest_criterion_wins_and_by_names_it():
    # given 2 deaths (一般), 12 injuries (较大) and 6000 万 loss (重大)
    result = grade_accident(2, 12, 60_000_000)
    # then the loss sets the grade
    assert result.grade == M
    assert result.by == "loss"
    assert result.by_all == ("loss",)
    assert result.per_criterion == {"deaths": G, "injuries": L, "loss": M}


def test_ties_list_every_criterion():
    result = grade_accident(3, 10, 0)
    assert result.grade == L
    assert result.by == "deaths"
    assert result.by_all == ("deaths", "injuries")
    assert "死亡3人、重伤10人" in result.explanation()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 0, 0), "死亡人数"),
        ((0, "1.5", 0), "重伤人数"),
        ((0, 0, "-5"), "直接经济损失"),
        ((0, 0, "abc"), "直接经济损失"),
    ],
)
def test_bad_input_is_refused_in_chinese(args, message):
    with pytest.raises(ValueError, match=message):
        grade_accident(*args)


def test_bands_match_the_reference_csv():
    if not CSV.exists():
        pytest.skip("reference CSV not on this machine")
    keys = {"deaths": "deaths", "injuries": "serious_injuries", "loss": "direct_loss_cny"}
    with CSV.open(encoding="utf-8") as fh:
        rows = {row["grade"]: row for row in csv.DictReader(fh)}
    for criterion, bands in GRADE_BANDS.items():
        for band in bands:
            row = rows[band.grade.label]
            assert band.low == Decimal(row[f"{keys[criterion]}_min"])
            high = row[f"{keys[criterion]}_max_excl"]
            assert band.high == (Decimal(high) if high else None)


def test_labels_and_codes_agree_with_the_assessment_ranking():
    # the assessment's veto rule ranks the same four grades in the same order
    assert tuple(g.label for g in AccidentGrade) == assessment.ACCIDENT_GRADES
    for grade in AccidentGrade:
        assert grade_from_label(grade.code) == grade
        assert grade_from_label(grade.label + "事故") == grade
        assert assessment.accident_grade(grade.code) == grade.label
    assert grade_from_label("严重") is None


# --- reporting clocks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "keys"),
    [
        (G, ["unit", "city"]),
        (L, ["unit", "city", "province"]),
        (M, ["unit", "city", "province", "state"]),
        (E, ["unit", "city", "province", "state"]),
    ],
)
def test_checklist_climbs_to_the_grade_top_level(grade, keys):
    items = reporting_checklist(grade, T0)
    assert [i.key for i in items] == keys
    # 1 h for the unit head, then 2 h per level
    assert [i.due - T0 for i in items] == [dt.timedelta(hours=1 + 2 * n) for n in range(len(keys))]


def test_level_clock_starts_when_the_previous_report_was_made():
    items = reporting_checklist(L, T0, done={"unit": T0 + dt.timedelta(minutes=20)})
    assert items[1].due == T0 + dt.timedelta(minutes=20, hours=2)
    assert items[0].state(T0 + dt.timedelta(hours=5)) == "done"
    assert items[1].state(T0 + dt.timedelta(hours=2)) == "open"
    assert items[1].state(T0 + dt.timedelta(hours=2, minutes=21)) == "overdue"


def test_late_report_is_marked_late():
    items = reporting_checklist(G, T0, done={"unit": T0 + dt.timedelta(minutes=61)})
    assert items[0].state(T0) == "late"
    assert items[0].state(T0 + dt.timedelta(days=1)) == "late"


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        reporting_checklist(G, dt.datetime(2025, 1, 1))  # noqa: DTZ001 - the refusal is the point


# --- re-grading -------------------------------------------------------------------------------------------


def test_casualty_change_within_30_days_regrades_and_reports_again():
    first = grade_accident(2, 0, 0)
    change = regrade(
        first, occurred_at=T0, changed_at=T0 + dt.timedelta(days=30), deaths=3, injuries=0, loss_cny=0
    )
    assert change.grade_changed and change.escalated
    assert change.after.grade == L
    assert change.within_window
    assert [i.key for i in change.checklist] == ["r1-unit", "r1-city", "r1-province"]
    assert change.checklist[0].due == T0 + dt.timedelta(days=30, hours=1)
    assert "由一般调整为较大" in change.explanation()


def test_change_after_the_window_is_recorded_without_a_report():
    first = grade_accident(2, 0, 0)
    change = regrade(
        first,
        occurred_at=T0,
        changed_at=T0 + dt.timedelta(days=30, seconds=1),
        deaths=3,
        injuries=0,
        loss_cny=0,
    )
    assert change.after.grade == L
    assert not change.within_window
    assert change.checklist == ()


@pytest.mark.parametrize(("days", "within"), [(7, True), (8, False)])
def test_road_and_fire_window_is_seven_days(days, within):
    first = grade_accident(1, 0, 0)
    change = regrade(
        first,
        occurred_at=T0,
        changed_at=T0 + dt.timedelta(days=days),
        deaths=1,
        injuries=1,
        loss_cny=0,
        road_or_fire=True,
    )
    assert change.within_window is within
    assert not change.grade_changed


def test_calculator_prints_the_issue_json():
    from anjian.emergency.calculators import ACCIDENT_GRADE

    out = StringIO()
    status = ACCIDENT_GRADE.run(
        {"deaths": "3", "injuries": "0", "loss_cny": "0", "json": True}, StringIO(), out
    )
    body = json.loads(out.getvalue())
    assert status == 0
    assert body["grade"] == "较大"
    assert body["by"] == "deaths"
    out = StringIO()
    assert (
        ACCIDENT_GRADE.run({"deaths": "-3", "injuries": "0", "loss_cny": "0", "json": True}, StringIO(), out)
        == 2
    )
    assert "死亡人数" in json.loads(out.getvalue())["error"]
