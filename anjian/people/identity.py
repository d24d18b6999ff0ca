"""Checking identity-document numbers by document type (forms, API and Excel share this).

A 居民身份证 is checked against GB 11643-1999 (``anjian.domain.check_digits.check_resident_id``).
Other documents get a format check only: their numbers carry no public check character, except the
2017 外国人永久居留身份证 whose 18 characters follow the GB 11643 layout and check character.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from anjian.domain.check_digits import check_resident_id, resident_id_birth_date, resident_id_sex
from anjian.people.choices import IdType

__all__ = ["IdCheck", "check_id_number", "normalize_id_number"]


@dataclass(frozen=True)
class IdCheck:
    """Outcome of checking one document number; ``sex``/``birth_date`` are set when the number carries them."""

    valid: bool
    message: str
    normalized: str
    sex: str | None = None
    birth_date: dt.date | None = None


def normalize_id_number(value: str | None) -> str:
    """Full-width to half-width, no spaces, upper case ("11010519491231002x" → "…X")."""
    text = value or ""
    if text.isascii():
        # NFKC leaves ASCII as it is; ``str.split()`` splits on what ``\s`` matches.
        return "".join(text.split()).upper()
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


# 护照: 5–17 letters and digits (Chinese passports E/G + 8, foreign ones vary).
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
# 港澳居民来往内地通行证 (回乡证): H or M and 8 digits (the 2013 card adds 2 issue digits).
_HK_MACAO = re.compile(r"[HM]\d{8}(\d{2})?")
# 台湾居民来往大陆通行证 (台胞证): 8 digits (the older booklet had 10 with a letter check in brackets).
_TAIWAN = re.compile(r"\d{8}|\d{10}(\([A-Z]\))?")
# 外国人永久居留身份证, 2004 version: 3-letter nationality code and 12 digits.
_FOREIGN_PR_OLD = re.compile(r"[A-Z]{3}\d{12}")


def check_id_number(id_type: str, value: str | None, *, today: dt.date | None = None) -> IdCheck:
    """Check ``value`` as a number of document ``id_type``; the message is Chinese and names the fault."""
    number = normalize_id_number(value)
    if not number:
        return IdCheck(False, "证件号码不能为空", number)
    if id_type == IdType.RESIDENT or (id_type == IdType.FOREIGN_PERMANENT and len(number) == 18):
        result = check_resident_id(number, today=today)
        if not result.valid:
            message = result.message
            if id_type == IdType.FOREIGN_PERMANENT:
                message = message.replace("公民身份号码", "外国人永久居留身份证号码")
            return IdCheck(False, message, result.normalized)
        if id_type == IdType.FOREIGN_PERMANENT and not number.startswith("9"):
            return IdCheck(False, "外国人永久居留身份证号码（2017版）第1位应为“9”", number)
        return IdCheck(
            True,
            "",
            result.normalized,
            sex=resident_id_sex(number),
            birth_date=resident_id_birth_date(number),
        )
    rules = {
        IdType.PASSPORT: (_PASSPORT, "护照号码应为5–17位字母或数字"),
        IdType.HK_MACAO: (_HK_MACAO, "港澳居民来往内地通行证号码应为H或M加8位（或10位）数字"),
        IdType.TAIWAN: (_TAIWAN, "台湾居民来往大陆通行证号码应为8位数字"),
        IdType.FOREIGN_PERMANENT: (
            _FOREIGN_PR_OLD,
            "外国人永久居留身份证号码应为18位（2017版）或3位字母加12位数字",
        ),
    }
    rule = rules.get(id_type)  # type: ignore[call-overload]
    if rule is not None and not rule[0].fullmatch(number):
        return IdCheck(False, rule[1], number)
    if len(number) > 32:
        return IdCheck(False, "证件号码不能超过32位", number)
    return IdCheck(True, "", number)
