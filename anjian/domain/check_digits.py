"""Check-digit rules for the identifiers Anjian stores: 统一社会信用代码, 公民身份号码 and CAS numbers.

Pure Python (no Django) so forms, serializers, importers and demo-data generators can share it.
Each ``check_*`` function returns a :class:`CheckResult` whose ``message`` is Chinese text for the
user that names the offending character; ``code`` is a stable machine-readable error code.

Standards (see ``/work/shared/reference/standards.md`` §7):

* GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》 — 统一社会信用代码, with the inner
  GB 11714-1997 《全国组织机构代码编制规则》 organisation-code check on positions 9–17.
* GB 11643-1999 《公民身份号码》 — ISO 7064:1983 MOD 11-2 check character.
* CAS Registry Number check digit as published by CAS (Chemical Abstracts Service).

Input is normalised before checking: NFKC-folded (full-width ``９１３５…`` becomes ``9135…``),
surrounding whitespace stripped, upper-cased.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from operator import mul

__all__ = [
    "CHECKERS",
    "ORG_CODE_CHARSET",
    "USCC_CHARSET",
    "USCC_DEPARTMENTS",
    "CheckResult",
    "cas_check_digit",
    "check_cas",
    "check_resident_id",
    "check_uscc",
    "org_code_check_char",
    "resident_id_birth_date",
    "resident_id_check_char",
    "resident_id_sex",
    "uscc_check_char",
]

OK_MESSAGE = "校验通过"

# China Standard Time, for "today" when judging whether a birth date lies in the future.
_CHINA_TZ = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one identifier check.

    ``code`` is one of ``"ok"``, ``"empty"``, ``"length"``, ``"charset"``, ``"format"``,
    ``"dept_code"``, ``"org_code_check"``, ``"check_digit"``, ``"birth_date"``.
    ``position`` is 1-based within ``normalized``; ``expected`` is the character the check
    algorithm expects at ``position`` (set for ``check_digit`` and ``org_code_check``).
    """

    valid: bool
    message: str
    code: str
    normalized: str
    position: int | None = None
    expected: str | None = None


def _normalize(value: str) -> str:
    # NFKC leaves ASCII text as it is: only other text needs the (slower) normalisation.
    if value.isascii():
        return value.strip().upper()
    return unicodedata.normalize("NFKC", value).strip().upper()


def _ok(normalized: str) -> CheckResult:
    return CheckResult(valid=True, message=OK_MESSAGE, code="ok", normalized=normalized)


def _fail(
    normalized: str, code: str, message: str, position: int | None = None, expected: str | None = None
) -> CheckResult:
    return CheckResult(
        valid=False, message=message, code=code, normalized=normalized, position=position, expected=expected
    )


# ---------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------------------------

#: GB 32100-2015 §4 / 表 1: the 31 code characters, value = index (no I, O, S, V, Z).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_USCC_CHARS = frozenset(USCC_CHARSET)
#: GB 32100-2015 §5: W_i = 3^(i-1) mod 31 for positions 1–17.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

#: GB 11714-1997 §4: organisation-code body characters 0–9, A–Z with values 0–35.
ORG_CODE_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUE = {ch: i for i, ch in enumerate(ORG_CODE_CHARSET)}
_ORG_CHARS = frozenset(ORG_CODE_CHARSET)
#: GB 11714-1997 §5: weights for the eight body characters.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: 登记管理部门代码 (position 1).
#:
#: GB 32100-2015 表 1 itself lists only 1 机构编制, 5 民政, 9 工商 and Y 其他. The other codes
#: were assigned afterwards by the code's administrators (国家标准委 / 全国组织机构统一社会信用代码
#: 数据服务中心) in the published 《统一社会信用代码登记管理部门代码和机构类别代码》 table, and appear
#: on real codes (e.g. 31… 律师事务所, 71… 宗教活动场所, 81… 基层工会, N2… 村级集体经济组织).
#: This list is from my knowledge of that published table, not from a re-read of the standard's
#: text; it matches the list in the task brief.
USCC_DEPARTMENTS: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# 机构类别代码 (position 2) is checked loosely: every category in the published table is a digit
# 1–9 (e.g. 91 企业, 92 个体工商户, 93 农民专业合作社, 51 社会团体, 52 民办非企业单位, 53 基金会,
# 11 机关, 12 事业单位, Y1 其他); the per-department combinations are not enforced.
_USCC_CATEGORY_CHARS = "123456789"

_USCC = "统一社会信用代码"


def uscc_check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a 统一社会信用代码.

    GB 32100-2015 §5: C18 = 31 − (Σ C_i·W_i mod 31) with W_i = 3^(i−1) mod 31; 31 maps to 0,
    and the result is written with the code character set.

    Raises ``ValueError`` when ``first17`` is not 17 characters of :data:`USCC_CHARSET`.
    """
    body = first17.upper()
    if len(body) != 17 or not _USCC_CHARS.issuperset(body):
        raise ValueError(f"expected 17 characters from {USCC_CHARSET!r}, got {first17!r}")
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, body), _USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """Return the 9th (check) character for the first 8 characters of an organisation code.

    GB 11714-1997 §5: C9 = 11 − (Σ C_i·W_i mod 11) with W = 3, 7, 9, 10, 5, 8, 4, 2 and
    character values 0–9, A–Z = 0–35; 10 is written ``X`` and 11 is written ``0``.

    Raises ``ValueError`` when ``first8`` is not 8 characters of 0–9, A–Z.
    """
    body = first8.upper()
    if len(body) != 8 or not _ORG_CHARS.issuperset(body):
        raise ValueError(f"expected 8 characters from 0-9A-Z, got {first8!r}")
    total = sum(map(mul, map(_ORG_VALUE.__getitem__, body), _ORG_WEIGHTS))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


# The result depends on the text alone and is immutable: an import checks a code when it parses the cell, again
# when the model normalises it and once more in ``clean()``, so the last codes (a whole file of 10,000 rows) are
# remembered.
@lru_cache(maxsize=16384)
def check_uscc(value: str) -> CheckResult:
    """Check a 统一社会信用代码 against GB 32100-2015.

    Checks, in order: non-empty; length 18 (§4); characters 1–17 in the 31-character set (§4,
    表 1); 登记管理部门代码 (position 1, §4.1); 机构类别代码 a digit 1–9 (position 2, loose, §4.2);
    行政区划码 six digits (positions 3–8, §4.3, GB/T 2260); the GB 11714 organisation-code
    check on positions 9–17 (§4.4); the check character at position 18 (§5).
    """
    code = _normalize(value)
    if not code:
        return _fail(code, "empty", f"{_USCC}不能为空")
    if len(code) != 18:
        return _fail(code, "length", f"{_USCC}长度应为18位，实际为{len(code)}位")
    # Position 18 is left to the check-character comparison below, so "…Y4Z" reports the
    # expected check character rather than only that Z is outside the character set.
    head = code[:17]
    if not _USCC_CHARS.issuperset(head):  # look for the first wrong character only when there is one
        for pos, ch in enumerate(head, start=1):
            if ch not in _USCC_VALUE:
                return _fail(
                    code,
                    "charset",
                    f"{_USCC}第{pos}位字符“{ch}”不在{_USCC}字符集中（不使用I、O、S、V、Z）",
                    position=pos,
                )
    if code[0] not in USCC_DEPARTMENTS:
        return _fail(
            code,
            "dept_code",
            f"{_USCC}第1位登记管理部门代码“{code[0]}”无效（应为1–9、A、N、Y之一）",
            position=1,
        )
    if code[1] not in _USCC_CATEGORY_CHARS:
        return _fail(code, "format", f"{_USCC}第2位机构类别代码“{code[1]}”无效（应为数字1–9）", position=2)
    region = code[2:8]
    if not (region.isascii() and region.isdigit()):
        for pos in range(3, 9):
            ch = code[pos - 1]
            if not ch.isdigit():
                return _fail(
                    code,
                    "format",
                    f"{_USCC}第3–8位应为6位数字的行政区划码，第{pos}位为“{ch}”",
                    position=pos,
                )
    # The organisation code is checked before C18: a typo in positions 9–17 breaks both, and the
    # inner check then names position 17 precisely instead of blaming the outer check character.
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        return _fail(
            code,
            "org_code_check",
            f"{_USCC}中的组织机构代码校验失败：第17位应为“{org_expected}”，实际为“{code[16]}”",
            position=17,
            expected=org_expected,
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return _fail(
            code,
            "check_digit",
            f"{_USCC}第18位校验码应为“{expected}”，实际为“{code[17]}”",
            position=18,
            expected=expected,
        )
    return _ok(code)


# ---------------------------------------------------------------------------------------------
# 公民身份号码 (GB 11643-1999)
# ---------------------------------------------------------------------------------------------

#: GB 11643-1999 §7.1.1 (ISO 7064 MOD 11-2): W_i = 2^(18−i) mod 11 for positions 1–17.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: GB 11643-1999 §7.1.2: check character for (Σ a_i·W_i) mod 11 = 0, 1, …, 10.
_ID_CHECK_CHARS = "10X98765432"
# Σ 48·W_i: the sum over the ASCII codes of the digits, less this, is the sum over the digits.
_ID_ASCII_OFFSET = 48 * sum(_ID_WEIGHTS)
_ID_MIN_BIRTH_YEAR = 1900

_ID = "公民身份号码"


def resident_id_check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 digits of a 公民身份号码.

    GB 11643-1999 §7 (ISO 7064 MOD 11-2): S = Σ a_i·W_i with W = 7, 9, 10, 5, 8, 4, 2, 1, 6, 3,
    7, 9, 10, 5, 8, 4, 2; the check is ``"10X98765432"[S mod 11]``.

    Raises ``ValueError`` when ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(map(mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ID_ASCII_OFFSET
    return _ID_CHECK_CHARS[total % 11]


def _parse_birth(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _structurally_ok(code: str) -> bool:
    return len(code) == 18 and code[:17].isascii() and code[:17].isdigit()


def resident_id_birth_date(value: str) -> date | None:
    """Return the birth date in positions 7–14 (GB 11643-1999 §6.2.2), or ``None``.

    ``None`` when the value is not 18 characters with 17 leading digits, or positions 7–14 are
    not a real calendar date. The check character and date range are *not* verified here; use
    :func:`check_resident_id` for that.
    """
    code = _normalize(value)
    if not _structurally_ok(code):
        return None
    return _parse_birth(code[6:14])


def resident_id_sex(value: str) -> str | None:
    """Return ``"男"`` or ``"女"`` from the 17th digit (GB 11643-1999 §6.2.3: odd = male).

    ``None`` when the value is not 18 characters with 17 leading digits. The check character is
    *not* verified here; use :func:`check_resident_id` for that.
    """
    code = _normalize(value)
    if not _structurally_ok(code):
        return None
    return "男" if int(code[16]) % 2 else "女"


def check_resident_id(value: str, *, today: date | None = None) -> CheckResult:
    """Check an 18-digit 公民身份号码 against GB 11643-1999.

    Checks, in order: non-empty; length 18 (§6.1); positions 1–17 digits and position 18 a digit
    or ``X`` (§6.1; lowercase ``x`` is accepted and normalised); birth date positions 7–14 a real
    date (§6.2.2), not before 1900 and not after ``today`` (default: today in China Standard
    Time); the MOD 11-2 check character (§7).
    """
    code = _normalize(value)
    if not code:
        return _fail(code, "empty", f"{_ID}不能为空")
    if len(code) != 18:
        hint = "（15位为旧版号码，请使用18位号码）" if len(code) == 15 else ""
        return _fail(code, "length", f"{_ID}长度应为18位，实际为{len(code)}位{hint}")
    body = code[:17]
    if not (body.isascii() and body.isdigit()):
        for pos, ch in enumerate(body, start=1):
            if not (ch.isascii() and ch.isdigit()):
                return _fail(code, "charset", f"{_ID}第{pos}位字符“{ch}”应为数字", position=pos)
    last = code[17]
    if not (last == "X" or (last.isascii() and last.isdigit())):
        return _fail(code, "charset", f"{_ID}第18位校验码“{last}”应为数字或X", position=18)

    digits = code[6:14]
    birth = _parse_birth(digits)
    if birth is None:
        # Point at the part that is wrong: the month when it is not 01–12, otherwise the day.
        month = int(digits[4:6])
        pos = 11 if not 1 <= month <= 12 else 13
        if int(digits[0:4]) == 0:
            pos = 7
        return _fail(code, "birth_date", f"{_ID}中的出生日期“{digits}”不是有效日期", position=pos)
    if birth.year < _ID_MIN_BIRTH_YEAR:
        return _fail(code, "birth_date", f"{_ID}中的出生日期“{digits}”早于{_ID_MIN_BIRTH_YEAR}年", position=7)
    current = today if today is not None else datetime.now(_CHINA_TZ).date()
    if birth > current:
        return _fail(
            code,
            "birth_date",
            f"{_ID}中的出生日期“{digits}”晚于今天（{current:%Y%m%d}）",
            position=7,
        )

    expected = resident_id_check_char(body)
    if last != expected:
        return _fail(
            code,
            "check_digit",
            f"{_ID}第18位校验码应为“{expected}”，实际为“{last}”",
            position=18,
            expected=expected,
        )
    return _ok(code)


# ---------------------------------------------------------------------------------------------
# CAS Registry Number
# ---------------------------------------------------------------------------------------------

_CAS_RE = re.compile(r"(\d{2,7})-(\d{2})-(\d)")
# Dashes people paste instead of ASCII "-" (NFKC already folds the full-width "－").
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))

_CAS = "CAS号"


def cas_check_digit(body: str) -> int:
    """Return the CAS check digit for ``body`` (the first two groups, hyphens optional).

    CAS Registry Number check-digit rule (CAS, "Check Digit Verification of CAS Registry
    Numbers"): R = (Σ i·N_i) mod 10, where i = 1 for the digit just left of the check digit and
    increases leftward.

    Raises ``ValueError`` when ``body`` has no digits or anything but digits and hyphens.
    """
    digits = body.replace("-", "")
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"expected digits (and hyphens), got {body!r}")
    return sum(i * int(d) for i, d in enumerate(reversed(digits), start=1)) % 10


def check_cas(value: str) -> CheckResult:
    """Check a CAS Registry Number: format N…N-NN-R (2–7 digits first) and its check digit R.

    See :func:`cas_check_digit` for the rule (CAS, "Check Digit Verification of CAS Registry
    Numbers").
    """
    code = _normalize(value).translate(_DASHES)
    if not code:
        return _fail(code, "empty", f"{_CAS}不能为空")
    for pos, ch in enumerate(code, start=1):
        if not (ch == "-" or (ch.isascii() and ch.isdigit())):
            return _fail(code, "format", f"{_CAS}第{pos}位字符“{ch}”不是数字或连字符“-”", position=pos)
    match = _CAS_RE.fullmatch(code)
    if match is None:
        return _fail(
            code,
            "format",
            f"{_CAS}“{code}”格式不正确，应为“2–7位数字-2位数字-1位校验数字”，如“7732-18-5”",
        )
    expected = str(cas_check_digit(match.group(1) + match.group(2)))
    actual = match.group(3)
    if actual != expected:
        return _fail(
            code,
            "check_digit",
            f"{_CAS}末位（第{len(code)}位）校验码应为“{expected}”，实际为“{actual}”",
            position=len(code),
            expected=expected,
        )
    return _ok(code)


#: Checker by identifier kind, for forms and importers that pick the rule by name.
CHECKERS: dict[str, Callable[[str], CheckResult]] = {
    "uscc": check_uscc,
    "id": check_resident_id,
    "cas": check_cas,
}
