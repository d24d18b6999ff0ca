"""Document-number checks by document type (the GB 11643 rules themselves are tested in domain/)."""

import datetime as dt

import pytest

from anjian.people.choices import IdType
from anjian.people.identity import check_id_number, normalize_id_number
from anjian.people.tests.fixtures import make_resident_id

TODAY = dt.date(2025, 6, 30)


def test_valid_resident_id_gives_sex_and_birth_date():
    # given the standard's example number (GB 11643-1999 appendix: 11010519491231002X, a woman)
    # when it is checked
    result = check_id_number(IdType.RESIDENT, "11010519491231002x", today=TODAY)
    # then it is valid, upper-cased, and carries sex and birth date
    assert result.valid
    assert result.normalized == "11010519491231002X"
    assert result.sex == "女"
    assert result.birth_date == dt.date(1949, 12, 31)


def test_bad_check_digit_names_the_expected_character():
    # given the example number with the wrong check character
    result = check_id_number(IdType.RESIDENT, "110105194912310021", today=TODAY)
    # then the message names position 18 and the expected character
    assert not result.valid
    assert result.message == "公民身份号码第18位校验码应为“X”，实际为“1”"


def test_bad_birth_date_is_refused_with_the_date():
    # given a number whose birth date is 1990-02-30, with a correct check character for its 17 digits
    first17 = "15292119900230001"
    number = first17 + make_resident_id(dt.date(1990, 1, 1), 1)[-1]  # any last char; the date fails first
    # when checked
    result = check_id_number(IdType.RESIDENT, number, today=TODAY)
    # then the message names the date
    assert not result.valid
    assert "出生日期“19900230”不是有效日期" in result.message


def test_future_birth_date_is_refused():
    number = make_resident_id(dt.date(2025, 7, 1), 5)
    result = check_id_number(IdType.RESIDENT, number, today=TODAY)
    assert not result.valid
    assert "晚于今天" in result.message


@pytest.mark.parametrize(
    ("id_type", "number", "valid"),
    [
        (IdType.PASSPORT, "E12345678", True),
        (IdType.PASSPORT, "E12-345", False),
        (IdType.HK_MACAO, "H12345678", True),
        (IdType.HK_MACAO, "X12345678", False),
        (IdType.TAIWAN, "12345678", True),
        (IdType.TAIWAN, "1234567", False),
        (IdType.FOREIGN_PERMANENT, "USA123456789012", True),
        (IdType.FOREIGN_PERMANENT, make_resident_id(dt.date(1980, 5, 5), 7, region="911840"), True),
        (IdType.FOREIGN_PERMANENT, make_resident_id(dt.date(1980, 5, 5), 7, region="152921"), False),
        (IdType.OTHER, "任意编号-001", True),
    ],
)
def test_other_documents_get_a_format_check(id_type, number, valid):
    # given a document number of another type; then only its format is checked
    assert check_id_number(id_type, number, today=TODAY).valid is valid


def test_normalize_folds_full_width_and_spaces():
    assert normalize_id_number(" １５２９２１ 19900307001x ") == "15292119900307001X"
