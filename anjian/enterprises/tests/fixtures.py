"""Fixtures for the enterprises app (factories returning callables, Saleor ``*_generator``)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from anjian.domain.check_digits import org_code_check_char, uscc_check_char
from anjian.enterprises.models import Enterprise, Grid, Licence, Standardization
from anjian.orgs.models import OrgUnit

_seq = itertools.count(1)


def make_uscc(n: int, region: str = "152921") -> str:
    """A valid 统一社会信用代码 for sequence number ``n`` (企业, 阿拉善左旗)."""
    body = f"{n:08d}"
    first17 = "91" + region + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


@pytest.fixture
def uscc_factory() -> Callable[[], str]:
    """Return ``make()`` giving a fresh valid 统一社会信用代码."""
    return lambda: make_uscc(next(_seq) + 5000)


def _unit(value: str | OrgUnit | None) -> OrgUnit | None:
    if value is None or isinstance(value, OrgUnit):
        return value
    return OrgUnit.objects.filter(name=value).first() or OrgUnit.objects.get(aliases__name=value)


@pytest.fixture
def grid_factory(db: Any) -> Callable[..., Grid]:
    """Return ``make(town="腾格里镇", code=None, name=None)`` creating a grid."""

    def make(
        town: str | OrgUnit = "腾格里镇", code: str | None = None, name: str | None = None, **extra: Any
    ) -> Grid:
        n = next(_seq)
        unit = _unit(town)
        assert unit is not None
        return Grid.objects.create(code=code or f"G{n:03d}", name=name or f"第{n}网格", town=unit, **extra)

    return make


@pytest.fixture
def enterprise_factory(db: Any) -> Callable[..., Enterprise]:
    """Return ``make(name=None, industry="hazchem_production", town="腾格里镇", **fields)``.

    Creates the enterprise through ``do_create_enterprise`` (derived department, enterprise-side unit).
    """
    from anjian.enterprises.actions import do_create_enterprise

    def make(
        name: str | None = None,
        industry: str = "hazchem_production",
        town: str | OrgUnit | None = "腾格里镇",
        uscc: str | None = None,
        **fields: Any,
    ) -> Enterprise:
        n = next(_seq)
        enterprise = Enterprise(
            uscc=uscc or make_uscc(n),
            name=name or f"测试化工有限公司{n}",
            industry=industry,
            town=_unit(town),
            **fields,
        )
        return do_create_enterprise(enterprise, acting_user=None)

    return make


@pytest.fixture
def enterprise_user_factory(user_factory: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``make(enterprise, username=None)`` creating a user of the enterprise's own unit."""

    def make(enterprise: Enterprise, username: str | None = None) -> Any:
        return user_factory(role="enterprise", org=enterprise.org_unit, username=username)

    return make


@pytest.fixture
def licence_factory(db: Any) -> Callable[..., Licence]:
    """Return ``make(enterprise, kind="safety_production", valid_until=today + 1000 days, number=None)``."""

    def make(
        enterprise: Enterprise,
        kind: str = "safety_production",
        valid_until: dt.date | None = None,
        number: str | None = None,
        **extra: Any,
    ) -> Licence:
        return Licence.objects.create(
            enterprise=enterprise,
            kind=kind,
            number=number or f"（蒙）WH安许证字〔2024〕{next(_seq):04d}",
            valid_until=valid_until or timezone.localdate() + dt.timedelta(days=1000),
            **extra,
        )

    return make


@pytest.fixture
def standardization_factory(db: Any) -> Callable[..., Standardization]:
    """Return ``make(enterprise, grade="level3", issued_on=2024-01-01, is_current=True)``."""

    def make(
        enterprise: Enterprise,
        grade: str = "level3",
        issued_on: dt.date = dt.date(2024, 1, 1),
        is_current: bool = True,
        **extra: Any,
    ) -> Standardization:
        return Standardization.objects.create(
            enterprise=enterprise,
            grade=grade,
            certificate_no=extra.pop("certificate_no", f"AQBZ-{next(_seq):05d}"),
            issued_on=issued_on,
            is_current=is_current,
            **extra,
        )

    return make
