"""Fixtures of the dangers app (registered in the root ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


def jpeg_bytes(
    *, when: dt.datetime | None = None, lat: float | None = None, lon: float | None = None, size: int = 32
) -> bytes:
    """A small JPEG, optionally with EXIF DateTimeOriginal and GPS (as a phone would write them)."""
    from PIL import Image

    image = Image.new("RGB", (size, size), (200, 60, 40))
    exif = Image.Exif()
    if when is not None:
        exif.get_ifd(0x8769)[36867] = when.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None and lon is not None:

        def dms(value: float) -> tuple[float, float, float]:
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 2)
            return (float(d), float(m), s)

        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def photo_upload() -> Callable[..., SimpleUploadedFile]:
    """Return ``make(name="p.jpg", **jpeg_kwargs)`` giving an uploaded JPEG."""

    def make(name: str = "photo.jpg", **kwargs: Any) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")

    return make


@dataclass
class DangerWorld:
    """An enterprise with two of its users, its supervising department's user, and another enterprise."""

    enterprise: Any
    reporter: Any
    manager: Any
    dept_user: Any
    other_enterprise: Any
    other_user: Any
    committee: Any
    town_user: Any


@pytest.fixture
def danger_world(
    enterprise_factory: Callable[..., Any],
    enterprise_user_factory: Callable[..., Any],
    user_factory: Callable[..., Any],
    committee_user: Any,
) -> DangerWorld:
    enterprise = enterprise_factory(name="腾格里精细化工有限公司", major_hazard=True)
    other = enterprise_factory(name="另一家化工有限公司", town="孛井滩镇")
    return DangerWorld(
        enterprise=enterprise,
        reporter=enterprise_user_factory(enterprise, username="ent_reporter"),
        manager=enterprise_user_factory(enterprise, username="ent_manager"),
        dept_user=user_factory(role="dept", org=enterprise.supervising_unit, username="dept_sup"),
        other_enterprise=other,
        other_user=enterprise_user_factory(other, username="other_ent"),
        committee=committee_user,
        town_user=user_factory(role="dept", org="孛井滩镇", username="town_bz"),
    )


@pytest.fixture
def danger_factory(danger_world: DangerWorld, photo_upload: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``make(state="reported", grade="general", enterprise=None, **report_kwargs)``.

    Walks the loop through its actions up to ``state``.
    """
    from anjian.dangers import actions

    def make(state: str = "reported", grade: str = "general", enterprise: Any = None, **kwargs: Any) -> Any:
        w = danger_world
        danger = actions.report_danger(
            enterprise=enterprise or w.enterprise,
            title=kwargs.pop("title", "储罐区防火堤排水阀未关闭"),
            description=kwargs.pop("description", "T-101 防火堤排水阀处于开启状态"),
            source=kwargs.pop("source", "inspection"),
            grade=grade,
            acting_user=kwargs.pop("acting_user", w.reporter),
            **kwargs,
        )
        if state == "reported":
            return danger
        if state == "dismissed":
            return actions.do_dismiss_danger(danger, acting_user=w.manager, reason="经核实不构成隐患")
        danger = actions.do_verify_danger(
            danger, acting_user=w.manager, grade=grade, major_item=danger.major_item
        )
        if state == "verified":
            return danger
        danger = actions.do_assign_rectification(
            danger,
            acting_user=w.manager,
            measures="关闭排水阀并加锁，完善巡检",
            rectifier=w.reporter,
            funds="500",
            deadline=timezone.localdate() + dt.timedelta(days=7),
            contingency_plan="落实专人监护，备用围堵物资",
        )
        if state == "rectifying":
            return danger
        actions.add_danger_photo(danger, photo_upload(), acting_user=w.reporter, stage="after")
        danger = actions.do_submit_for_acceptance(danger, acting_user=w.reporter, statement="已关闭并加锁")
        if state == "awaiting_acceptance":
            return danger
        acceptor = w.dept_user if danger.is_major else w.manager
        return actions.do_accept_danger(danger, acting_user=acceptor, opinion="整改到位，同意销号")

    return make
