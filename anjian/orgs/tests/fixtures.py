"""Fixtures for units and users: factories with sensible defaults (Saleor ``*_generator``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from anjian.orgs.choices import Role
from anjian.orgs.models import OrgUnit, User

_seq = itertools.count(1)


@pytest.fixture
def unit(db: Any) -> Callable[[str], OrgUnit]:
    """Return a seeded unit by name or alias: ``unit("应急管理局")``, ``unit("市监局")``."""

    def get(name: str) -> OrgUnit:
        return OrgUnit.objects.filter(name=name).first() or OrgUnit.objects.get(aliases__name=name)

    return get


@pytest.fixture
def user_factory(db: Any) -> Callable[..., User]:
    """Return ``make(role="dept", org="应急管理局", username=None)`` creating a user (password ``pw-12345678``)."""

    def make(
        role: str = Role.DEPARTMENT,
        org: str | OrgUnit | None = "应急管理局",
        username: str | None = None,
        name: str = "测试用户",
    ) -> User:
        org_unit = (
            org
            if isinstance(org, OrgUnit) or org is None
            else (OrgUnit.objects.filter(name=org).first() or OrgUnit.objects.get(aliases__name=org))
        )
        user = User(
            username=username or f"user{next(_seq)}",
            org=org_unit,
            role=role,
            last_name=name[:1],
            first_name=name[1:],
            is_superuser=role == Role.ADMIN,
            is_staff=role == Role.ADMIN,
        )
        user.set_password("pw-12345678")
        user.save()
        return user

    return make


@pytest.fixture
def committee_user(user_factory: Callable[..., User]) -> User:
    """A user of the committee office (安委办): sees the whole zone."""
    return user_factory(role=Role.COMMITTEE, org="安委会办公室", username="awb")


@pytest.fixture
def admin_user_anjian(user_factory: Callable[..., User]) -> User:
    """A system administrator."""
    return user_factory(role=Role.ADMIN, org=None, username="sysadmin")
