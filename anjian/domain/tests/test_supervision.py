"""三个必须 as a pure function of an industry → department table."""

from anjian.domain.supervision import supervising_unit_for


def test_industry_row_wins():
    table = {"tourism": "文旅办", "other": "应急管理局"}
    assert supervising_unit_for("tourism", table) == "文旅办"


def test_missing_industry_falls_back_to_other():
    assert supervising_unit_for("textile", {"tourism": "文旅办", "other": "应急管理局"}) == "应急管理局"


def test_no_row_and_no_fallback_is_none():
    assert supervising_unit_for("textile", {"tourism": "文旅办"}) is None
