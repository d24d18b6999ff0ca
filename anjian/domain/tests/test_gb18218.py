"""GB 18218-2018 identification and grading: the standard's worked example, every boundary, lookups, errors."""

from fractions import Fraction

import pytest

from anjian.domain import gb18218
from anjian.domain.check_digits import cas_check_digit
from anjian.domain.gb18218 import (
    IdentificationError,
    SubstanceInput,
    alpha_for,
    grade_for,
    identify,
    identify_unit,
    lookup,
    result_to_json,
)


def unit(population, *substances):
    return identify_unit({"population": population, "substances": list(substances)})


# --- the tables ------------------------------------------------------------------------------


def test_tables_have_the_standards_size_and_valid_cas():
    chems = gb18218.chemicals()
    assert len(chems) == 85 and [c.seq for c in chems] == list(range(1, 86))
    assert len(gb18218.categories()) == 24
    for chem in chems:
        for number in chem.cas:
            body, _, digit = number.rpartition("-")
            assert str(cas_check_digit(body)) == digit, chem.name
    # every named chemical keeps a category, except 三氧化硫 whose GHS hazards are in no Table 2 category
    assert [c.name for c in chems if c.category is None] == ["三氧化硫"]


@pytest.mark.parametrize(
    ("name", "critical", "beta"),
    [
        ("二氧化硫", 20, 2),
        ("氯", 5, 4),
        ("氨", 10, 2),
        ("碳酰氯", Fraction(3, 10), 20),
        ("异氰酸甲酯", Fraction(3, 4), 20),
        ("硫化氢", 5, 5),
        ("氰化氢", 1, 10),
        ("一氧化碳", 20, 2),  # 煤气 row, 一氧化碳's β from Table 3
    ],
)
def test_table1_quantities_and_table3_betas(name, critical, beta):
    part = unit(0, {"name": name, "q": 1}).contributions[0]
    assert part.critical_t == critical and part.beta == beta and part.beta_source == "表3"


def test_alpha_table5_bands():
    assert [alpha_for(n)[0] for n in (0, 1, 29, 30, 49, 50, 99, 100, 5000)] == [
        Fraction(1, 2),
        1,
        1,
        Fraction(6, 5),
        Fraction(6, 5),
        Fraction(3, 2),
        Fraction(3, 2),
        2,
        2,
    ]
    with pytest.raises(IdentificationError):
        alpha_for(-1)


def test_grade_table6_boundaries():
    assert grade_for(Fraction(9999, 1000)) == 4
    assert grade_for(10) == 3
    assert grade_for(Fraction(49999, 1000)) == 3
    assert grade_for(50) == 2
    assert grade_for(Fraction(99999, 1000)) == 2
    assert grade_for(100) == 1
    assert grade_for(0) == 4


# --- the standard's worked example -----------------------------------------------------------


def test_worked_example_so2_200t_60_people_is_r30_third_grade():
    result = unit(60, {"name": "二氧化硫", "q": 200})
    assert result.s_value == 10 and result.is_major
    assert result.alpha == Fraction(3, 2)
    assert result.r_value == 30 and result.grade == 3 and result.grade_label == "三级"
    assert result_to_json(result) == {
        "S": 10,
        "is_major": True,
        "R": 30,
        "grade": 3,
        "contributions": [{"substance": "二氧化硫", "q": 200, "Q": 20, "beta": 2, "ratio": 10}],
    }
    assert "R=α·Σβq/Q=1.5×20=30" in result.explanation
    assert result.explanation[-1].startswith("10≤R<50，三级")


# --- boundaries: S = 1 and R = 10, 50, 100 exactly ----------------------------------------------


def test_s_equal_to_one_is_major_and_just_below_is_not():
    exactly = unit(0, {"name": "氯", "q": 5})
    assert exactly.s_value == 1 and exactly.is_major
    below = unit(0, {"name": "氯", "q": "4.999"})
    assert not below.is_major and below.r_value is None and below.grade is None
    assert result_to_json(below)["R"] is None and result_to_json(below)["grade"] is None


def test_s_one_from_exact_fractions():
    parts = [SubstanceInput(q=Fraction(500, 3), name="甲醇") for _ in range(3)]
    result = identify(parts, 0)
    assert result.s_value == 1 and result.is_major


@pytest.mark.parametrize(
    ("population", "substance", "q", "expected_r", "grade"),
    [
        # 氯: β=4, Q=5; α=1 (1–29 people): R = 4·q/5
        (10, "氯", "12.5", 10, 3),  # R = 10 exactly → 三级
        (10, "氯", "12.4", Fraction(992, 100), 4),  # just below 10 → 四级
        (10, "氯", "62.5", 50, 2),  # R = 50 exactly → 二级
        (10, "氯", "62.4", Fraction(4992, 100), 3),
        (10, "氯", "125", 100, 1),  # R = 100 exactly → 一级
        (10, "氯", "124.9", Fraction(9992, 100), 2),
        # α = 2 (100 people and more): 氨 β=2, Q=10 → R = 2·2·q/10
        (100, "氨", "250", 100, 1),
        # α = 0.5 (nobody within 500 m): 甲醇 β=1 (W5.3), Q=500 → R = 0.5·q/500
        (0, "甲醇", "10000", 10, 3),
    ],
)
def test_grade_boundaries(population, substance, q, expected_r, grade):
    result = unit(population, {"name": substance, "q": q})
    assert result.r_value == expected_r
    assert result.grade == grade


# --- mixtures and category substances ----------------------------------------------------------


def test_the_issues_mixture():
    result = unit(
        60,
        {"name": "二氧化硫", "q": 200},
        {"cas": "7782-50-5", "q": 3},
        {"name": "某溶剂", "category": "W5.1", "q": 700},
    )
    # S = 200/20 + 3/5 + 700/10 = 80.6; R = 1.5·(2·10 + 4·0.6 + 1.5·70) = 191.1 → 一级
    assert result.s_value == Fraction(806, 10)
    assert result.r_value == Fraction(1911, 10) and result.grade == 1
    out = result_to_json(result)
    assert [c["substance"] for c in out["contributions"]] == ["二氧化硫", "氯", "某溶剂"]
    assert out["contributions"][1] == {"substance": "氯", "q": 3, "Q": 5, "beta": 4, "ratio": 0.6}
    assert out["contributions"][2] == {"substance": "某溶剂", "q": 700, "Q": 10, "beta": 1.5, "ratio": 70}


def test_mixture_below_one_in_each_but_major_together():
    result = unit(40, {"name": "甲苯", "q": 300}, {"name": "苯", "q": 25})
    # 300/500 + 25/50 = 1.1 ≥ 1; β: 甲苯 W5.3 → 1, 苯 W5.3 → 1; α = 1.2 → R = 1.32 → 四级
    assert result.s_value == Fraction(11, 10) and result.is_major
    assert result.r_value == Fraction(132, 100) and result.grade == 4


def test_category_substance_takes_table2_quantity_and_table4_beta():
    part = unit(0, {"name": "某毒性气体", "category": "J1", "q": 1}).contributions[0]
    assert part.critical_t == 5 and part.beta == 4 and part.critical_source == "表2"
    part = unit(0, {"name": "某可燃气", "category": "w2", "q": 1}).contributions[0]  # case folded
    assert part.category == "W2" and part.critical_t == 10 and part.beta == Fraction(3, 2)


def test_kept_category_and_explicit_category_wins():
    kept = unit(0, {"name": "1,2-环氧丙烷", "q": 10}).contributions[0]
    assert kept.category == "W5.1" and kept.beta == Fraction(3, 2) and kept.beta_source == "表4"
    assert kept.critical_t == 10 and kept.critical_source == "表1"
    hydrogen = unit(0, {"name": "氢气", "q": 5}).contributions[0]
    assert hydrogen.matched == "氢" and hydrogen.category == "W2" and hydrogen.beta == Fraction(3, 2)
    # an explicit category changes β (not Q: Table 1 governs the critical quantity)
    overridden = unit(0, {"name": "甲醇", "category": "W5.1", "q": 500}).contributions[0]
    assert overridden.beta == Fraction(3, 2) and overridden.critical_t == 500
    assert overridden.category_source == "input"
    # but not for a Table 3 gas, whose β is fixed by Table 3
    gas = unit(0, {"name": "氯", "category": "W4", "q": 5}).contributions[0]
    assert gas.beta == 4 and gas.beta_source == "表3"


def test_named_chemical_without_a_table2_category_gets_beta_one_and_says_why():
    part = unit(0, {"name": "三氧化硫", "q": 75}).contributions[0]
    assert part.beta == 1 and part.beta_source == "默认" and "不属于表2" in part.explanation


# --- lookups ---------------------------------------------------------------------------------


def test_lookup_by_name_alias_and_cas():
    assert lookup("液氯").name == "氯"
    assert lookup("光气").name == "碳酰氯"
    assert lookup("TDI").name == "甲苯二异氰酸酯"
    assert lookup("tdi").name == "甲苯二异氰酸酯"
    assert lookup("氯化氢（无水）").name == "氯化氢(无水)"  # full-width brackets
    assert lookup("氯化氢").name == "氯化氢(无水)"
    assert lookup(" 天然气 ").seq == 49 and lookup("甲烷").seq == 49
    assert lookup(cas="74-98-6").seq == 52  # 丙烷 → 液化石油气
    assert lookup(cas="7664－41－7").name == "氨"  # full-width hyphens
    assert lookup("液氨", "7664-41-7").name == "氨"
    assert lookup("环氧氯丙烷").seq == 21 and lookup("3-氯-1,2-环氧丙烷").seq == 21
    assert lookup("某溶剂") is None and lookup(cas="64-19-7") is None  # 乙酸: not in Table 1


def test_lookup_errors_name_the_substance():
    with pytest.raises(IdentificationError, match="校验码"):
        lookup("液氯", "7782-50-4")
    with pytest.raises(IdentificationError, match="多个条目"):
        lookup(cas="9004-70-0")  # six 硝化纤维素 rows
    with pytest.raises(IdentificationError, match="多个条目"):
        lookup("硝化棉")
    with pytest.raises(IdentificationError, match="请核对"):
        lookup("液氯", "7664-41-7")
    assert lookup("硝化纤维素(含水≥25%)").critical_t == 50


# --- bad input: always an error naming the substance -------------------------------------------


@pytest.mark.parametrize(
    ("substance", "message"),
    [
        ({"name": "某溶剂", "q": 10}, "“某溶剂”不在GB 18218-2018表1中"),
        ({"name": "某溶剂", "category": "W99", "q": 10}, "“某溶剂”的危险性类别“W99”"),
        ({"name": "甲醇", "q": -1}, "“甲醇”的最大存量q不能为负数"),
        ({"name": "甲醇"}, "“甲醇”缺少最大存量q"),
        ({"name": "甲醇", "q": None}, "“甲醇”缺少最大存量q"),
        ({"name": "甲醇", "q": "十吨"}, "“甲醇”的最大存量q“十吨”不是数字"),
        ({"name": "甲醇", "q": True}, "“甲醇”的最大存量q应为数字"),
        ({"name": "甲醇", "q": float("nan")}, "“甲醇”的最大存量q不是有限数"),
        ({"cas": "7782-50-4", "q": 1}, "“CAS 7782-50-4”的CAS号末位"),
        ({"cas": "12345-67-4", "q": 1}, "“CAS 12345-67-4”不在GB 18218-2018表1中"),
        ({"q": 1}, "第1种物质缺少名称"),
    ],
)
def test_bad_substances_are_errors_naming_the_substance(substance, message):
    with pytest.raises(IdentificationError) as err:
        unit(60, substance)
    assert message in err.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"substances": [{"name": "氯", "q": 1}]}, "缺少厂区边界外500米范围内常住人口数"),
        ({"population": -3, "substances": [{"name": "氯", "q": 1}]}, "非负整数"),
        ({"population": "很多", "substances": [{"name": "氯", "q": 1}]}, "非负整数"),
        ({"population": 10}, "缺少危险化学品清单"),
        ({"population": 10, "substances": []}, "缺少危险化学品清单"),
        ([1, 2], "输入应为对象"),
    ],
)
def test_bad_units_are_errors(data, message):
    with pytest.raises(IdentificationError) as err:
        identify_unit(data)
    assert message in err.value.message


def test_error_names_the_second_substance_not_the_first():
    with pytest.raises(IdentificationError) as err:
        unit(0, {"name": "氯", "q": 1}, {"name": "乙二醇", "q": 5})
    assert err.value.substance == "乙二醇" and err.value.index == 1
