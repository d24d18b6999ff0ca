"""``core.metrics.compute`` keeps values in the cache and drops them when a register they read changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core import metrics
from anjian.people.choices import RoleCategory

pytestmark = pytest.mark.django_db

KEY = "people.three_types_certified_rate"


def test_a_metric_is_computed_once_then_served_from_the_cache(
    enterprise_factory: Any, person_factory: Any
) -> None:
    # given a zone with one principal and a cold cache
    cache.clear()
    person_factory(enterprise_factory(), role=RoleCategory.PRINCIPAL)
    day = dt.date(2026, 6, 30)
    first = metrics.compute(KEY, day)
    # when it is asked again
    with CaptureQueriesContext(connection) as queries:
        again = metrics.compute(KEY, day)
    # then no query runs and the value is the same
    assert len(queries) == 0
    assert again == first
    assert first is not None and first.denominator == 1


def test_a_save_in_a_watched_register_drops_the_cached_value(
    enterprise_factory: Any, person_factory: Any
) -> None:
    # given a cached value
    cache.clear()
    enterprise = enterprise_factory()
    person_factory(enterprise, role=RoleCategory.PRINCIPAL)
    day = dt.date(2026, 6, 30)
    assert metrics.compute(KEY, day).denominator == 1  # type: ignore[union-attr]
    # when a person is added (any save of a people, enterprises, plans… model)
    person_factory(enterprise, role=RoleCategory.SAFETY_MANAGER)
    # then the next read computes again
    value = metrics.compute(KEY, day)
    assert value is not None and value.denominator == 2
    assert metrics.compute(KEY, day, fresh=True) == value
