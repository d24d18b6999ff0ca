"""Fixtures of the majorhazards app (registered in the root ``conftest.py``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from anjian.majorhazards.models import HazardInstallation, InventoryLine

_seq = itertools.count(1)


@pytest.fixture
def installation_factory(db: Any) -> Callable[..., HazardInstallation]:
    """Return ``make(enterprise, name=None, unit_kind="storage", population_500m=0, inventory=(), **fields)``.

    ``inventory`` is a sequence of dicts of :class:`InventoryLine` fields (``substance``, ``max_quantity_t``,
    optional ``cas``/``category``…). The installation is stored as is, not graded: tests that need a grade
    call ``actions.regrade`` (or create through the actions).
    """

    def make(
        enterprise: Any,
        name: str | None = None,
        unit_kind: str = "storage",
        population_500m: int = 0,
        inventory: Any = (),
        **fields: Any,
    ) -> HazardInstallation:
        n = next(_seq)
        installation = HazardInstallation.objects.create(
            enterprise=enterprise,
            code=fields.pop("code", f"ZDWXY-T{n:04d}"),
            name=name or f"测试储罐区{n}",
            unit_kind=unit_kind,
            population_500m=population_500m,
            **fields,
        )
        for line in inventory:
            data = dict(line)
            data["max_quantity_t"] = Decimal(str(data["max_quantity_t"]))
            InventoryLine.objects.create(installation=installation, **data)
        return installation

    return make
