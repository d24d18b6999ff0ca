"""Fixtures of the cross-app tests: the two-sided world of ``tests/world.py``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.world import World, build_world


@pytest.fixture
def world(
    unit: Any,
    user_factory: Any,
    committee_user: Any,
    admin_user_anjian: Any,
    enterprise_factory: Any,
    enterprise_user_factory: Any,
    person_factory: Any,
    certificate_factory: Any,
    training_factory: Any,
    licence_factory: Any,
    standardization_factory: Any,
    notice_factory: Any,
    grid_factory: Any,
) -> World:
    """Sides A and B (see ``tests/world.py``)."""
    return build_world(
        unit=unit,
        user_factory=user_factory,
        committee_user=committee_user,
        admin_user_anjian=admin_user_anjian,
        enterprise_factory=enterprise_factory,
        enterprise_user_factory=enterprise_user_factory,
        person_factory=person_factory,
        certificate_factory=certificate_factory,
        training_factory=training_factory,
        licence_factory=licence_factory,
        standardization_factory=standardization_factory,
        notice_factory=notice_factory,
        grid_factory=grid_factory,
    )
