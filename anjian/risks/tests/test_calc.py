"""``anjian calc lec`` / ``anjian calc ls`` print exactly the issue's JSON."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("calc", *args, stdout=out)
    return out.getvalue().strip()


def test_lec_json():
    assert (
        run("lec", "--l", "6", "--e", "6", "--c", "7", "--json")
        == '{"score": 252, "level": "较大", "colour": "橙"}'
    )


def test_ls_json():
    assert run("ls", "--l", "4", "--s", "5", "--json") == '{"score": 20, "level": "重大", "colour": "红"}'


def test_ls_uses_zone_bands():
    from anjian.risks.models import RiskBandSettings

    assert run("ls", "--l", "3", "--s", "3", "--json") == '{"score": 9, "level": "一般", "colour": "黄"}'
    RiskBandSettings.objects.create(ls_larger=9)
    assert run("ls", "--l", "3", "--s", "3", "--json") == '{"score": 9, "level": "较大", "colour": "橙"}'
    assert (
        run("ls", "--l", "3", "--s", "3", "--json", "--default-bands")
        == '{"score": 9, "level": "一般", "colour": "黄"}'
    )


def test_off_scale_prints_error_and_exits_non_zero():
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("calc", "lec", "--l", "5", "--e", "6", "--c", "7", "--json", stdout=out)
    assert exc.value.code == 2
    assert '"error"' in out.getvalue() and "不在标准分值中" in out.getvalue()
