"""How long GB 18218 identification takes: the pure calculation, and a stored re-grade (database)."""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

from anjian.domain.gb18218 import SubstanceInput, identify

UNIT = [
    SubstanceInput(q=Decimal("200"), name="二氧化硫"),
    SubstanceInput(q=Decimal("3"), cas="7782-50-5"),
    SubstanceInput(q=Decimal("700"), name="某溶剂", category="W5.1"),
    SubstanceInput(q=Decimal("4000"), name="甲醇"),
    SubstanceInput(q=Decimal("2500"), name="甲苯"),
    SubstanceInput(q=Decimal("150"), name="1,3-丁二烯"),
    SubstanceInput(q=Decimal("1200"), name="液化石油气"),
    SubstanceInput(q=Decimal("30"), name="一氧化碳"),
    SubstanceInput(q=Decimal("4"), name="氢气"),
    SubstanceInput(q=Decimal("120"), name="环氧乙烷"),
]


def _regrade_times(repeat: int) -> list[float]:
    """Time ``actions.regrade`` of a 10-substance installation in a rolled-back transaction."""
    from django.db import transaction
    from django.test.utils import setup_test_environment  # noqa: F401

    from anjian.enterprises.models import Enterprise
    from anjian.majorhazards import actions
    from anjian.majorhazards.models import HazardInstallation, InventoryLine

    times: list[float] = []
    enterprise = Enterprise.objects.order_by("pk").first()
    if enterprise is None:
        return times

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            inst = HazardInstallation.objects.create(
                enterprise=enterprise, code="BENCH-1", name="bench", unit_kind="storage", population_500m=60
            )
            for s in UNIT:
                InventoryLine.objects.create(
                    installation=inst,
                    substance=s.name or "",
                    cas=s.cas or "",
                    category=s.category or "",
                    max_quantity_t=Decimal(str(s.q)),
                )
            for _ in range(repeat):
                started = time.perf_counter()
                actions.regrade(inst, acting_user=None, reason="bench")
                times.append(time.perf_counter() - started)
            raise _Rollback
    except _Rollback:
        pass
    return times


def run(repeat: int = 2000) -> dict[str, object]:
    """Identify a 10-substance unit ``repeat`` times (pure), and re-grade a stored one if there is data."""
    identify(UNIT, 60)  # load the tables once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = identify(UNIT, 60)
        times.append(time.perf_counter() - started)
    try:
        regrades = _regrade_times(50)
    except Exception:  # no database (or no enterprises) where the bench runs: report the pure part only
        regrades = []
    summary: dict[str, object] = {
        "substances": len(UNIT),
        "grade": result.grade,
        "identify_median_us": round(statistics.median(times) * 1e6, 1),
        "identify_p99_us": round(sorted(times)[int(len(times) * 0.99) - 1] * 1e6, 1),
    }
    if regrades:
        summary["regrade_median_ms"] = round(statistics.median(regrades) * 1000, 2)
        summary["regrade_max_ms"] = round(max(regrades) * 1000, 2)
    return {"summary": summary}
