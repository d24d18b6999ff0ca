"""Run the demo zone's parts in order. Each part is ``anjian.demo.<name>.build(ctx)``; parts not yet present
(modules that a later issue adds) are skipped."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

from django.db import transaction

from anjian.demo.context import DemoContext

PARTS = [
    "users",
    "enterprises",
    "people",
    "plans",
    "assessment",
    "geo",
    "majorhazards",
    "risks",
    "dangers",
    "monitoring",
    "gates",
    "emergency",
    "fire",
]


def generate(ctx: DemoContext, *, log: Callable[[str], None] = print) -> DemoContext:
    """Build every demo part into the database; deterministic for ``ctx.seed``."""
    for name in PARTS:
        try:
            module = importlib.import_module(f"anjian.demo.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"anjian.demo.{name}":
                continue
            raise
        started = time.perf_counter()
        with transaction.atomic():
            module.build(ctx)
        log(f"  · {name}: {time.perf_counter() - started:.1f}s")
    return ctx
