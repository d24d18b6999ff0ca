"""``anjian calc check-code``: the three check rules exposed for scripts."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from anjian.enterprises.tests.fixtures import make_uscc


def _run(*args):
    out = StringIO()
    call_command("calc", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("kind", "value", "valid"),
    [
        ("uscc", make_uscc(3), True),
        ("id", "11010519491231002X", True),
        ("cas", "7732-18-5", True),
        ("cas", "7732-18-4", False),
        ("id", "110105194912310021", False),
    ],
)
def test_check_code_json(kind, value, valid):
    body = json.loads(_run("check-code", "--kind", kind, value, "--json"))
    assert body["valid"] is valid
    assert (body["message"] == "校验通过") is valid


def test_invalid_uscc_names_the_position_and_expected_character():
    code = make_uscc(3)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    body = json.loads(_run("check-code", "--kind", "uscc", wrong, "--json"))
    assert body == {
        "valid": False,
        "message": f"统一社会信用代码第18位校验码应为“{code[17]}”，实际为“{wrong[17]}”",
        "code": "check_digit",
        "normalized": wrong,
        "position": 18,
        "expected": code[17],
    }


def test_plain_output_is_the_chinese_message():
    assert _run("check-code", "--kind", "cas", "7732-18-4") == "CAS号末位（第9位）校验码应为“5”，实际为“4”"


def test_unknown_kind_is_a_usage_error():
    with pytest.raises(CommandError):
        call_command("calc", "check-code", "--kind", "isbn", "123")
