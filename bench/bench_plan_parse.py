"""How long parsing the seed plan takes (pure parser, no database)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from anjian.domain.plan_text import parse_plan
from anjian.orgs.seed import registry

SEED = Path(__file__).resolve().parents[1] / "anjian" / "plans" / "data" / "safety-plan-2021-2025.txt"


def run(repeat: int = 30) -> dict[str, object]:
    """Parse the seed ``repeat`` times and report the median and worst time."""
    text = SEED.read_text(encoding="utf-8")
    reg = registry()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        plan = parse_plan(text, reg)
        times.append(time.perf_counter() - started)
    return {
        "summary": {
            "tasks": len(plan.tasks),
            "median_ms": round(statistics.median(times) * 1000, 2),
            "max_ms": round(max(times) * 1000, 2),
            "chars": len(text),
        },
        "samples_ms": [round(t * 1000, 2) for t in times],
    }
