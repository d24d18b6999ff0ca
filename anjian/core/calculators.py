"""Calculators of ``anjian calc``, contributed by modules.

A module registers a calculator in its ``AppConfig.ready``::

    from anjian.core.calculators import Calculator, register_calculator
    register_calculator(Calculator("lec", "LEC 法风险评价", add_arguments, run))

``add_arguments(parser)`` declares the sub-command's options on an ``argparse`` parser; ``run(options, stdin,
stdout)`` does the work and returns the exit status (0 when the calculation ran; non-zero for bad input, after
printing ``{"error": "…"}`` when ``--json`` was asked for).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = ["Calculator", "calculators", "register_calculator"]


@dataclass(frozen=True)
class Calculator:
    """One ``anjian calc NAME`` sub-command."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[dict[str, Any], TextIO, Any], int]  # (options, stdin, stdout) → exit status


_CALCULATORS: dict[str, Calculator] = {}


def register_calculator(calculator: Calculator) -> Calculator:
    """Add (or replace) a calculator; registering twice is harmless."""
    _CALCULATORS[calculator.name] = calculator
    return calculator


def calculators() -> list[Calculator]:
    """Registered calculators by name."""
    return [_CALCULATORS[k] for k in sorted(_CALCULATORS)]
