"""``anjian monitoring replay --json``: the issue's input and output shapes, bad input refused in Chinese."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

ISSUE_POINT = {
    "h": 25,
    "hh": 50,
    "l": None,
    "ll": None,
    "deadband": 2,
    "on_delay_s": 10,
    "off_delay_s": 0,
    "offline_after_s": 60,
}


def replay(doc, monkeypatch) -> dict:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("monitoring", "replay", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_replay_prints_the_issue_shape(monkeypatch):
    doc = {
        "point": ISSUE_POINT,
        "readings": [
            {"ts": 1_000_000, "v": 26.1, "q": 0},
            {"ts": 1_005_000, "v": 26.5},
            {"ts": 1_010_000, "v": 26.2, "q": 0},
            {"ts": 1_011_000, "v": 51, "q": 0},
            {"ts": 1_021_000, "v": 52, "q": 0},
            {"ts": 1_022_000, "v": 10, "q": 0},
            {"ts": 1_023_000, "v": 10, "q": 4},
        ],
        "until": 1_200_000,
    }
    assert replay(doc, monkeypatch) == {
        "events": [
            {"ts": 1_010_000, "event": "raised", "level": "H"},
            {"ts": 1_021_000, "event": "changed", "level": "HH"},
            {"ts": 1_022_000, "event": "cleared", "level": "HH"},
            {"ts": 1_023_000, "event": "device_fault", "level": None},
            {"ts": 1_083_000, "event": "offline", "level": None},
        ]
    }


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"{not json", "不是合法的 JSON"),
        ([], "输入应为 JSON 对象"),
        ({"point": ISSUE_POINT, "readings": {}}, "readings 应为数组"),
        ({"point": ISSUE_POINT, "readings": [{"ts": 1, "v": "x"}]}, "readings[0].v 应为数字"),
        ({"point": {**ISSUE_POINT, "hh": 10}, "readings": []}, "高高报警值"),
        ({"point": ISSUE_POINT, "readings": [{"ts": 1, "v": 1, "q": 1.5}]}, "q 应为整数"),
    ],
)
def test_replay_refuses_bad_input_with_a_reason(monkeypatch, doc, message):
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        replay(doc, monkeypatch)
