"""Tests for anjian.domain.check_digits (worked examples from standards.md §7 plus each failure code)."""

from __future__ import annotations

import csv
import dataclasses
import os
import random
import re
from datetime import date
from pathlib import Path

import pytest

from anjian.domain.check_digits import (
    CHECKERS,
    ORG_CODE_CHARSET,
    USCC_CHARSET,
    USCC_DEPARTMENTS,
    CheckResult,
    cas_check_digit,
    check_cas,
    check_resident_id,
    check_uscc,
    org_code_check_char,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_sex,
    uscc_check_char,
)

# The shared reference sits beside the project (``../shared``), as CI lays it out (a git worktree one level
# deeper finds it at ``../../shared``); ANJIAN_SHARED_DIR overrides. No absolute path.
_ROOT = Path(__file__).resolve().parents[3]
_SHARED = next(
    (
        p
        for p in (
            Path(os.environ.get("ANJIAN_SHARED_DIR", _ROOT / "shared")),
            _ROOT.parent / "shared",
            _ROOT.parent.parent / "shared",
        )
        if (p / "reference").is_dir()
    ),
    _ROOT.parent / "shared",
)
TABLE1_CSV = _SHARED / "reference" / "gb18218_2018_table1.csv"
_CAS_IN_TEXT = re.compile(r"(?<![\d-])\d{2,7}-\d{2}-\d(?![\d-])")


def _uscc(first8: str, org_body: str) -> str:
    """Build a valid USCC from its first 8 characters and an 8-character organisation-code body."""
    first17 = first8 + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


def _resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------


def test_uscc_worked_example_is_valid() -> None:
    # given the worked example of standards.md §7.1
    value = "91350100M000100Y43"
    # when
    result = check_uscc(value)
    # then
    assert result == CheckResult(valid=True, message="校验通过", code="ok", normalized=value)


def test_uscc_worked_example_check_char_computes_3() -> None:
    # given the first 17 characters of the worked example
    first17 = "91350100M000100Y4"
    # when
    check = uscc_check_char(first17)
    # then
    assert check == "3"


def test_uscc_worked_example_with_z_fails_check_digit() -> None:
    # given the invalid variant of the worked example (Z is also outside the character set)
    value = "91350100M000100Y4Z"
    # when
    result = check_uscc(value)
    # then
    assert not result.valid
    assert result.code == "check_digit"
    assert result.position == 18
    assert result.expected == "3"
    assert result.message == "统一社会信用代码第18位校验码应为“3”，实际为“Z”"


def test_uscc_wrong_check_char_in_charset_fails_check_digit() -> None:
    # given the example with a wrong but legal 18th character
    value = "91350100M000100Y4A"
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position, result.expected) == ("check_digit", 18, "3")
    assert "第18位校验码应为“3”，实际为“A”" in result.message


def test_uscc_inner_org_code_example_computes_4() -> None:
    # given the organisation-code body of the worked example
    body = "M000100Y"
    # when
    check = org_code_check_char(body)
    # then
    assert check == "4"


def test_uscc_inner_org_code_mismatch_fails_org_code_check() -> None:
    # given the example with position 17 changed from 4 to 5 (and C18 recomputed)
    value = "91350100M000100Y5" + uscc_check_char("91350100M000100Y5")
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position, result.expected) == ("org_code_check", 17, "4")
    assert "组织机构代码校验失败：第17位应为“4”，实际为“5”" in result.message
    assert result.message.startswith("统一社会信用代码")


def test_uscc_org_code_check_char_maps_10_to_x_and_11_to_0() -> None:
    # given bodies whose weighted sums are 0 (→ 11 → "0") and 12 (→ 10 → "X")
    zero_body, x_body = "00000000", "00000006"
    # when
    zero, x = org_code_check_char(zero_body), org_code_check_char(x_body)
    # then
    assert (zero, x) == ("0", "X")


def test_uscc_wrong_length_fails_length() -> None:
    # given a 17-character value
    value = "91350100M000100Y4"
    # when
    result = check_uscc(value)
    # then
    assert (result.valid, result.code, result.position) == (False, "length", None)
    assert result.message == "统一社会信用代码长度应为18位，实际为17位"


@pytest.mark.parametrize("value", ["", "   ", "\u3000"])
def test_uscc_empty_fails_empty(value: str) -> None:
    # given an empty or blank value
    # when
    result = check_uscc(value)
    # then
    assert (result.valid, result.code, result.normalized) == (False, "empty", "")


def test_uscc_forbidden_letter_fails_charset_with_position() -> None:
    # given the example with an I at position 5
    value = "9135I100M000100Y43"
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position) == ("charset", 5)
    assert "第5位字符“I”不在统一社会信用代码字符集中（不使用I、O、S、V、Z）" in result.message


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_each_forbidden_letter_fails_charset(letter: str) -> None:
    # given the example with a forbidden letter inside the organisation code
    value = "91350100M0" + letter + "0100Y43"
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position) == ("charset", 11)


def test_uscc_unknown_department_fails_dept_code() -> None:
    # given a code whose first character 0 is no 登记管理部门代码
    value = _uscc("01350100", "M000100Y")
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position) == ("dept_code", 1)
    assert "第1位登记管理部门代码“0”无效" in result.message


@pytest.mark.parametrize("dept", sorted(USCC_DEPARTMENTS))
def test_uscc_every_known_department_is_accepted(dept: str) -> None:
    # given a valid code for each department (1–9, A, N, Y)
    value = _uscc(dept + "1350100", "M000100Y")
    # when
    result = check_uscc(value)
    # then
    assert result.valid, result.message


def test_uscc_departments_cover_the_documented_codes() -> None:
    # given the codes named in GB 32100 and its later assignments
    documented = set("123456789ANY")
    # when
    known = set(USCC_DEPARTMENTS)
    # then
    assert known == documented
    assert USCC_DEPARTMENTS["9"] == "工商"


def test_uscc_category_zero_fails_format() -> None:
    # given a code whose 机构类别 is 0
    value = _uscc("90350100", "M000100Y")
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position) == ("format", 2)
    assert "机构类别" in result.message


def test_uscc_letter_in_region_code_fails_format() -> None:
    # given a code with a letter at position 4 of the 行政区划码
    value = _uscc("913A0100", "M000100Y")
    # when
    result = check_uscc(value)
    # then
    assert (result.code, result.position) == ("format", 4)
    assert "行政区划码" in result.message


def test_uscc_lowercase_and_spaces_are_normalized() -> None:
    # given the example in lowercase with surrounding whitespace
    value = "  91350100m000100y43\t"
    # when
    result = check_uscc(value)
    # then
    assert result.valid
    assert result.normalized == "91350100M000100Y43"


def test_uscc_full_width_characters_are_normalized() -> None:
    # given the example typed with full-width characters
    value = "９１３５０１００Ｍ０００１００Ｙ４３"
    # when
    result = check_uscc(value)
    # then
    assert result.valid
    assert result.normalized == "91350100M000100Y43"


def test_uscc_generator_round_trip() -> None:
    # given random valid bodies
    rng = random.Random(32100)
    for _ in range(300):
        dept = rng.choice(sorted(USCC_DEPARTMENTS))
        first8 = dept + rng.choice("123456789") + "".join(rng.choices("0123456789", k=6))
        org_body = "".join(rng.choices(USCC_CHARSET, k=8))
        # when
        code = _uscc(first8, org_body)
        wrong = rng.choice([c for c in USCC_CHARSET if c != code[17]])
        flipped = check_uscc(code[:17] + wrong)
        # then
        assert check_uscc(code).valid, code
        assert (flipped.code, flipped.position, flipped.expected) == ("check_digit", 18, code[17])


@pytest.mark.parametrize("bad", ["", "91350100M000100Y", "91350100M000100Y4Z", "9135I100M000100Y4"])
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    # given input that is not 17 characters of the code set
    # when / then
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize("bad", ["", "M000100", "M000100Y4", "M000-00Y"])
def test_org_code_check_char_rejects_bad_input(bad: str) -> None:
    # given input that is not 8 characters of 0–9A–Z
    # when / then
    with pytest.raises(ValueError):
        org_code_check_char(bad)


def test_org_code_check_char_accepts_full_alphabet() -> None:
    # given bodies using letters outside the USCC set (GB 11714 allows all of A–Z)
    for ch in ORG_CODE_CHARSET:
        # when
        check = org_code_check_char(ch * 8)
        # then
        assert check in "0123456789X"


# --- 公民身份号码 (GB 11643-1999) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "女"),
        ("370101190102039973", date(1901, 2, 3), "男"),
        ("34052419800101001X", date(1980, 1, 1), "男"),
    ],
)
def test_resident_id_worked_examples_are_valid(value: str, birth: date, sex: str) -> None:
    # given a verified example of standards.md §7.2
    # when
    result = check_resident_id(value, today=date(2025, 1, 1))
    # then
    assert result == CheckResult(valid=True, message="校验通过", code="ok", normalized=value)
    assert resident_id_birth_date(value) == birth
    assert resident_id_sex(value) == sex


def test_resident_id_1880_example_has_right_check_char_but_is_before_1900() -> None:
    # given the GB 11643 example born 1880-01-01
    value = "440524188001010014"
    # when
    check = resident_id_check_char(value[:17])
    result = check_resident_id(value)
    # then its MOD 11-2 check is right, but the 1900 lower bound rejects it
    assert check == "4"
    assert (result.code, result.position) == ("birth_date", 7)
    assert "早于1900年" in result.message
    assert resident_id_birth_date(value) == date(1880, 1, 1)
    assert resident_id_sex(value) == "男"


def test_resident_id_valid_without_explicit_today() -> None:
    # given a valid number born 1980
    value = "34052419800101001X"
    # when
    result = check_resident_id(value)
    # then
    assert result.valid


def test_resident_id_lowercase_x_is_accepted_and_normalized() -> None:
    # given the example with a lowercase x
    value = "11010519491231002x"
    # when
    result = check_resident_id(value)
    # then
    assert result.valid
    assert result.normalized == "11010519491231002X"


def test_resident_id_spaces_are_trimmed() -> None:
    # given the example with surrounding spaces
    value = "  370101190102039973 \n"
    # when
    result = check_resident_id(value)
    # then
    assert result.valid
    assert result.normalized == "370101190102039973"


def test_resident_id_wrong_check_char_fails_check_digit() -> None:
    # given the X example with 1 as the check character
    value = "110105194912310021"
    # when
    result = check_resident_id(value)
    # then
    assert (result.code, result.position, result.expected) == ("check_digit", 18, "X")
    assert result.message == "公民身份号码第18位校验码应为“X”，实际为“1”"


def test_resident_id_wrong_length_fails_length() -> None:
    # given a 17-character value
    value = "11010519491231002"
    # when
    result = check_resident_id(value)
    # then
    assert (result.code, result.position) == ("length", None)
    assert "长度应为18位，实际为17位" in result.message


def test_resident_id_fifteen_digits_hints_at_old_format() -> None:
    # given an old 15-digit number
    value = "110105491231002"
    # when
    result = check_resident_id(value)
    # then
    assert result.code == "length"
    assert "15位为旧版号码" in result.message


def test_resident_id_empty_fails_empty() -> None:
    # given a blank value
    # when
    result = check_resident_id("  ")
    # then
    assert (result.valid, result.code) == (False, "empty")


def test_resident_id_letter_in_body_fails_charset() -> None:
    # given a letter at position 5
    value = "1101A519491231002X"
    # when
    result = check_resident_id(value)
    # then
    assert (result.code, result.position) == ("charset", 5)
    assert "第5位字符“A”应为数字" in result.message


def test_resident_id_bad_last_char_fails_charset() -> None:
    # given a Y as the check character
    value = "11010519491231002Y"
    # when
    result = check_resident_id(value)
    # then
    assert (result.code, result.position) == ("charset", 18)


def test_resident_id_february_30_fails_birth_date() -> None:
    # given a number born on 1949-02-30 with a correct check character
    value = _resident_id("11010519490230002")
    # when
    result = check_resident_id(value)
    # then
    assert (result.code, result.position) == ("birth_date", 13)
    assert "出生日期“19490230”不是有效日期" in result.message
    assert resident_id_birth_date(value) is None


def test_resident_id_month_13_fails_birth_date_at_month() -> None:
    # given a number born in month 13 with a correct check character
    value = _resident_id("11010519491332002")
    # when
    result = check_resident_id(value)
    # then
    assert (result.code, result.position) == ("birth_date", 11)
    assert "出生日期“19491332”不是有效日期" in result.message


def test_resident_id_future_birth_date_fails_birth_date() -> None:
    # given a number born 2025-06-02, checked on 2025-06-01
    value = _resident_id("11010520250602002")
    # when
    result = check_resident_id(value, today=date(2025, 6, 1))
    # then
    assert (result.code, result.position) == ("birth_date", 7)
    assert "晚于今天" in result.message


def test_resident_id_born_today_is_valid() -> None:
    # given a number born on the day it is checked
    value = _resident_id("11010520250601002")
    # when
    result = check_resident_id(value, today=date(2025, 6, 1))
    # then
    assert result.valid


def test_resident_id_far_future_fails_with_default_today() -> None:
    # given a number born in 2999
    value = _resident_id("11010529990101002")
    # when
    result = check_resident_id(value)
    # then
    assert result.code == "birth_date"


def test_resident_id_helpers_return_none_for_malformed_values() -> None:
    # given values that are not 18 characters with 17 leading digits
    for value in ["", "1101051949123100", "1101A519491231002X"]:
        # when / then
        assert resident_id_birth_date(value) is None
        assert resident_id_sex(value) is None


def test_resident_id_generator_round_trip() -> None:
    # given random valid bodies
    rng = random.Random(11643)
    for _ in range(300):
        born = date.fromordinal(rng.randint(date(1900, 1, 1).toordinal(), date(2020, 12, 31).toordinal()))
        first17 = f"{rng.randint(110000, 659999)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        # when
        value = _resident_id(first17)
        wrong = rng.choice([c for c in "0123456789X" if c != value[17]])
        flipped = check_resident_id(first17 + wrong, today=date(2025, 1, 1))
        # then
        assert check_resident_id(value, today=date(2025, 1, 1)).valid, value
        assert resident_id_birth_date(value) == born
        assert resident_id_sex(value) == ("男" if int(value[16]) % 2 else "女")
        assert (flipped.code, flipped.position, flipped.expected) == ("check_digit", 18, value[17])


@pytest.mark.parametrize("bad", ["", "1101051949123100", "1101051949123100X", "110105194912310021"])
def test_resident_id_check_char_rejects_bad_input(bad: str) -> None:
    # given input that is not 17 digits
    # when / then
    with pytest.raises(ValueError):
        resident_id_check_char(bad)


# --- CAS Registry Number ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["107-07-3", "7732-18-5", "64-17-5", "71-23-8"])
def test_cas_worked_examples_are_valid(value: str) -> None:
    # given a worked example of standards.md §7.3
    # when
    result = check_cas(value)
    # then
    assert result == CheckResult(valid=True, message="校验通过", code="ok", normalized=value)


def test_cas_check_digit_sums() -> None:
    # given the bodies of 107-07-3 (Σ = 33) and 7732-18-5 (Σ = 105), with and without hyphens
    # when / then
    assert cas_check_digit("107-07") == 3
    assert cas_check_digit("10707") == 3
    assert cas_check_digit("7732-18") == 5


def test_cas_wrong_check_digit_fails_check_digit() -> None:
    # given 107-07-3 with 4 as the check digit
    value = "107-07-4"
    # when
    result = check_cas(value)
    # then
    assert (result.code, result.position, result.expected) == ("check_digit", 8, "3")
    assert "校验码应为“3”，实际为“4”" in result.message
    assert result.message.startswith("CAS号")


@pytest.mark.parametrize(
    ("value", "position"),
    [
        ("1-07-3", None),  # first group too short
        ("12345678-07-3", None),  # first group too long
        ("107-7-3", None),  # second group one digit
        ("107-07-31", None),  # two check digits
        ("1070730", None),  # no hyphens
        ("107 07 3", 4),  # spaces inside
        ("107-07-3a", 9),  # a letter
    ],
)
def test_cas_bad_format_fails_format(value: str, position: int | None) -> None:
    # given a malformed CAS number
    # when
    result = check_cas(value)
    # then
    assert (result.valid, result.code, result.position) == (False, "format", position)


def test_cas_empty_fails_empty() -> None:
    # given a blank value
    # when
    result = check_cas(" ")
    # then
    assert (result.valid, result.code) == (False, "empty")


@pytest.mark.parametrize("value", [" 7732-18-5 ", "7732－18－5", "7732–18–5", "７７３２-１８-５"])
def test_cas_whitespace_and_dash_variants_are_normalized(value: str) -> None:
    # given water's CAS number with spaces, full-width or en dashes, or full-width digits
    # when
    result = check_cas(value)
    # then
    assert result.valid
    assert result.normalized == "7732-18-5"


def test_cas_generator_round_trip() -> None:
    # given random bodies with 2–7 digits in the first group
    rng = random.Random(7064)
    for _ in range(300):
        first = str(rng.randint(10, 9_999_999))
        second = f"{rng.randint(0, 99):02d}"
        # when
        digit = cas_check_digit(first + second)
        value = f"{first}-{second}-{digit}"
        flipped = check_cas(f"{first}-{second}-{(digit + 1) % 10}")
        # then
        assert check_cas(value).valid, value
        assert (flipped.code, flipped.expected) == ("check_digit", str(digit))


@pytest.mark.parametrize("bad", ["", "-", "10a-07"])
def test_cas_check_digit_rejects_bad_input(bad: str) -> None:
    # given input without digits or with other characters
    # when / then
    with pytest.raises(ValueError):
        cas_check_digit(bad)


def test_every_cas_in_gb18218_table1_passes() -> None:
    # given the CAS numbers of GB 18218-2018 Table 1; a cell may hold several, annotated
    # ("74-82-8(甲烷);8006-14-2(天然气)"), and mixtures without one leave it empty
    if not TABLE1_CSV.exists():
        pytest.skip(f"{TABLE1_CSV} is absent (shared reference data not mounted)")
    with TABLE1_CSV.open(encoding="utf-8-sig", newline="") as fh:
        cells = [row["cas"] for row in csv.DictReader(fh) if row["cas"].strip()]
    numbers = [number for cell in cells for number in _CAS_IN_TEXT.findall(cell)]
    # when
    failures = {number: check_cas(number).message for number in numbers if not check_cas(number).valid}
    # then
    assert all(_CAS_IN_TEXT.search(cell) for cell in cells), "a CAS cell holds no CAS-shaped number"
    assert len(numbers) >= 80
    assert failures == {}


# --- shared API -------------------------------------------------------------------------------


def test_checkers_dispatch_by_kind() -> None:
    # given one valid value per kind
    samples = {"uscc": "91350100M000100Y43", "id": "11010519491231002X", "cas": "64-17-5"}
    # when
    results = {kind: CHECKERS[kind](value) for kind, value in samples.items()}
    # then
    assert set(CHECKERS) == {"uscc", "id", "cas"}
    assert all(result.valid for result in results.values())


def test_check_result_is_frozen() -> None:
    # given a result
    result = check_cas("64-17-5")
    # when / then
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.valid = False  # type: ignore[misc]
