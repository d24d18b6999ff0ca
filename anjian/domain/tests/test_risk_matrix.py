"""LEC and LS grading on the reference's examples (standards.md §3.1–3.3) and at every band edge."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from anjian.domain import risk_matrix as rm
from anjian.domain.risk_matrix import Bands, Level

REFERENCE = Path("/work/shared/reference")


def test_reference_worked_examples():
    # 360docs example: L = 6, E = 6, C = 3 or 7 gives D = 108 or 252
    assert rm.assess_lec(6, 6, 3).as_json() == {"score": 108, "level": "一般", "colour": "黄"}
    assert rm.assess_lec(6, 6, 7).as_json() == {"score": 252, "level": "较大", "colour": "橙"}
    assert rm.assess_ls(4, 5).as_json() == {"score": 20, "level": "重大", "colour": "红"}


@pytest.mark.parametrize(
    ("lk", "e", "c", "score", "level"),
    [
        # D > 320 重大; 10 × 6 × 6 is not on the scale, so use the products around each edge
        ("10", "6", "7", Decimal(420), Level.MAJOR),
        ("6", "10", "7", Decimal(420), Level.MAJOR),
        ("1", "3", "100", Decimal(300), Level.LARGER),  # 160 < 300 ≤ 320
        ("1", "2", "100", Decimal(200), Level.LARGER),
        ("10", "2", "7", Decimal(140), Level.GENERAL),  # 70 < 140 ≤ 160
        ("10", "1", "7", Decimal(70), Level.LOW),  # 70 is the top of 低 (D ≤ 70)
        ("0.5", "1", "1", Decimal("0.5"), Level.LOW),
    ],
)
def test_lec_bands(lk, e, c, score, level):
    result = rm.assess_lec(lk, e, c)
    assert (result.score, result.level) == (score, level)


def test_lec_edges_exactly():
    # D = 320 is 较大 (only D > 320 is 重大); D = 160 is 一般 (D > 160 is 较大)
    bands = Bands()
    assert rm.assess_lec(10, 2, 15, bands).score == 300
    edge_320 = Bands(lec_major=Decimal(300))
    assert rm.assess_lec(10, 2, 15, edge_320).level == Level.LARGER  # 300 is not > 300
    edge_299 = Bands(lec_major=Decimal(299))
    assert rm.assess_lec(10, 2, 15, edge_299).level == Level.MAJOR
    assert rm.assess_lec(10, 6, 3).score == 180 and rm.assess_lec(10, 6, 3).level == Level.LARGER
    assert rm.assess_lec(10, 6, 3, Bands(lec_larger=Decimal(180))).level == Level.GENERAL


def test_lec_bottom_split_is_wording_only():
    assert rm.assess_lec(1, 6, 3).score == 18
    assert rm.assess_lec(1, 6, 3).danger == "稍有危险，可以接受"
    assert rm.assess_lec(1, 6, 3).level == Level.LOW
    assert rm.assess_lec(10, 2, 1).danger == "一般危险，需要注意"  # D = 20
    assert rm.assess_lec(1, 6, 3, Bands(lec_low_split=Decimal(10))).danger == "一般危险，需要注意"


def test_lec_d_bands_match_reference_csv():
    rows = list(csv.DictReader((REFERENCE / "lec_d_bands.csv").open(encoding="utf-8")))
    lows = sorted(Decimal(r["d_min_exclusive"]) for r in rows if r["d_min_exclusive"])
    assert lows == [Bands().lec_general, Bands().lec_larger, Bands().lec_major]


def test_lec_scales_match_reference_csv():
    rows = list(csv.DictReader((REFERENCE / "lec_scales.csv").open(encoding="utf-8")))
    for factor, scale in (("L", rm.LEC_L), ("E", rm.LEC_E), ("C", rm.LEC_C)):
        assert {Decimal(r["score"]): r["meaning_cn"] for r in rows if r["factor"] == factor} == scale


def test_every_ls_product_is_graded_with_r9_disputed():
    products = sorted({a * b for a in range(1, 6) for b in range(1, 6)})
    expected = {
        p: Level.MAJOR if p >= 20 else Level.LARGER if p >= 10 else Level.GENERAL if p >= 4 else Level.LOW
        for p in products
    }
    for a in range(1, 6):
        for b in range(1, 6):
            assert rm.assess_ls(a, b).level == expected[a * b]
    # R = 9: 一般 by default (总局 four-colour rule), 较大 when the zone moves the edge (zgmkw)
    assert rm.assess_ls(3, 3).level == Level.GENERAL
    assert rm.assess_ls(3, 3, Bands(ls_larger=9)).level == Level.LARGER
    assert rm.assess_ls(2, 2).level == Level.GENERAL and rm.assess_ls(1, 3).level == Level.LOW
    assert rm.assess_ls(4, 4).level == Level.LARGER and rm.assess_ls(4, 5).level == Level.MAJOR


@pytest.mark.parametrize(("lk", "e", "c"), [(5, 6, 7), (6, 7, 7), (6, 6, 8), ("x", 6, 7)])
def test_lec_off_scale_is_refused_in_chinese(lk, e, c):
    with pytest.raises(rm.RiskScaleError) as exc:
        rm.assess_lec(lk, e, c)
    assert "不在标准分值中" in str(exc.value) or "不是数字" in str(exc.value)


def test_ls_accepts_integral_decimals_as_sent_by_forms_and_the_api():
    assert rm.assess_ls(Decimal("4.00"), "5.0").as_json() == {"score": 20, "level": "重大", "colour": "红"}


@pytest.mark.parametrize(("lk", "s"), [(0, 3), (6, 1), ("a", 2), ("2.5", 2), ("NaN", 2), ("inf", 1)])
def test_ls_off_scale_is_refused(lk, s):
    with pytest.raises(rm.RiskScaleError):
        rm.assess_ls(lk, s)


def test_highest_level_and_band_checks():
    assert rm.highest([Level.LOW, Level.LARGER, Level.GENERAL]) == Level.LARGER
    assert rm.highest([]) is None
    assert Bands().errors() == []
    assert Bands(ls_major=9, ls_larger=10).errors() == ["风险矩阵分级界限须满足 25 ≥ 重大 > 较大 > 一般 > 1"]
