"""What the demo generator's parts share: a seeded random source, the demo 'today', and references."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    """Passed to every ``anjian.demo.<part>.build(ctx)`` in order; deterministic for a given seed."""

    seed: int = 20211
    today: dt.date = field(default_factory=dt.date.today)
    rng: random.Random = field(init=False)
    refs: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, description)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def child_rng(self, name: str) -> random.Random:
        """A random source of its own per part, so adding data to one part does not reshuffle another."""
        return random.Random(f"{self.seed}:{name}")
