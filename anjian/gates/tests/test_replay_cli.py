"""``anjian gates replay --json < day.json``: the published shape, and errors naming the event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

DAY = {
    "zones": [{"code": "Z1", "quota": 1, "requires": ["安全教育"], "requires_certificates": ["special"]}],
    "gates": [{"code": "G1", "zone": "Z1"}],
    "people": [
        {
            "credential": "C1",
            "trainings": ["安全教育"],
            "certificates": [{"kind": "special", "expires": "2026-12-31"}],
            "zones": ["Z1"],
            "blacklisted": False,
        },
        {
            "credential": "C2",
            "trainings": ["安全教育"],
            "certificates": [{"kind": "special", "expires": "2026-01-31"}],
            "zones": ["Z1"],
        },
    ],
    "events": [
        {"ts": 1780272000000, "credential": "C1", "gate": "G1", "direction": "in"},
        {"ts": 1780272001000, "credential": "C2", "gate": "G1", "direction": "in"},
        {"ts": 1780272002000, "credential": "C1", "gate": "G1", "direction": "out"},
    ],
}


def test_replay_file_prints_the_published_json(tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps(DAY), encoding="utf-8")
    out = StringIO()
    call_command("gates", "replay", "--json", str(path), stdout=out)
    assert json.loads(out.getvalue()) == {
        "decisions": [
            {"allow": True, "reason": None},
            {"allow": False, "reason": "certificate_expired"},
            {"allow": True, "reason": None},
        ],
        "headcount": {"Z1": 0},
    }


def test_replay_bad_event_is_an_error_naming_it(tmp_path):
    bad = {**DAY, "events": [*DAY["events"], {"ts": 1, "credential": "C1", "gate": "G7", "direction": "in"}]}
    path = tmp_path / "day.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError, match="事件 #3"):
        call_command("gates", "replay", "--json", str(path), stdout=StringIO())


@pytest.mark.parametrize(
    ("stdin", "code", "fragment"), [(json.dumps(DAY), 0, '"headcount"'), ("{not json", 1, "JSON")]
)
def test_replay_from_stdin_through_the_console_script(stdin, code, fragment):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "anjian.test_settings"}
    proc = subprocess.run(
        [sys.executable, "-m", "anjian.cli", "gates", "replay", "--json"],
        input=stdin.encode(),
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == code
    assert fragment in (proc.stdout + proc.stderr).decode()
