"""``anjian calc major-hazard --json < unit.json``: the issue's JSON shape, and errors that name the substance."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

UNIT = {
    "population": 60,
    "substances": [
        {"name": "二氧化硫", "q": 200},
        {"cas": "7782-50-5", "q": 3},
        {"name": "某溶剂", "category": "W5.1", "q": 700},
    ],
}


def _run(monkeypatch, text, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    out = io.StringIO()
    code = 0
    try:
        call_command("calc", "major-hazard", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip()


def test_worked_example_json(monkeypatch):
    code, out = _run(
        monkeypatch, json.dumps({"population": 60, "substances": [{"name": "二氧化硫", "q": 200}]}), "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "S": 10,
        "is_major": True,
        "R": 30,
        "grade": 3,
        "contributions": [{"substance": "二氧化硫", "q": 200, "Q": 20, "beta": 2, "ratio": 10}],
    }


def test_the_issues_unit_json(monkeypatch):
    code, out = _run(monkeypatch, json.dumps(UNIT, ensure_ascii=False), "--json")
    body = json.loads(out)
    assert code == 0
    assert set(body) == {"S", "is_major", "R", "grade", "contributions"}
    assert body["S"] == 80.6 and body["R"] == 191.1 and body["grade"] == 1 and body["is_major"] is True
    assert [set(c) for c in body["contributions"]] == [{"substance", "q", "Q", "beta", "ratio"}] * 3


def test_not_major_has_null_r_and_grade(monkeypatch):
    code, out = _run(monkeypatch, '{"population": 5, "substances": [{"name": "甲醇", "q": 100}]}', "--json")
    body = json.loads(out)
    assert code == 0 and body["is_major"] is False and body["R"] is None and body["grade"] is None
    assert body["S"] == 0.2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '{"population": 60, "substances": [{"name": "某溶剂", "q": 700}]}',
            "“某溶剂”不在GB 18218-2018表1中",
        ),
        ('{"population": 60, "substances": [{"name": "甲醇", "q": -5}]}', "“甲醇”的最大存量q不能为负数"),
        (
            '{"population": 60, "substances": [{"name": "乙二醇", "category": "X9", "q": 5}]}',
            "“乙二醇”的危险性类别“X9”",
        ),
        ('{"population": 60, "substances": [{"name": "甲醇"}]}', "“甲醇”缺少最大存量q"),
        ("not json", "不是有效的 JSON"),
    ],
)
def test_bad_input_exits_non_zero_with_an_error_object(monkeypatch, text, fragment):
    code, out = _run(monkeypatch, text, "--json")
    assert code != 0
    body = json.loads(out)
    assert set(body) == {"error"} and fragment in body["error"]


def test_explain_adds_alpha_and_lines(monkeypatch):
    code, out = _run(monkeypatch, json.dumps(UNIT, ensure_ascii=False), "--json", "--explain")
    body = json.loads(out)
    assert code == 0
    assert body["alpha"] == 1.5 and body["grade_label"] == "一级"
    assert body["contributions"][1]["matched"] == "氯" and body["contributions"][1]["beta_source"] == "表3"


def test_real_command_line(tmp_path: Path):
    """The installed console script, reading standard input, as a script would call it."""
    exe = Path(sys.executable).with_name("anjian")
    unit = json.dumps({"population": 60, "substances": [{"name": "二氧化硫", "q": 200}]})
    done = subprocess.run(
        [str(exe), "calc", "major-hazard", "--json"], input=unit, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["R"] == 30
    bad = subprocess.run(
        [str(exe), "calc", "major-hazard", "--json"],
        input='{"population": 1, "substances": [{"name": "某溶剂", "q": 1}]}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0 and "某溶剂" in json.loads(bad.stdout)["error"]
