"""包保 and filing gaps, found by a periodic job (``anjian majorhazards refresh-gaps``; a core job once
``anjian.core.jobs`` is on main).

For every 重大危险源 in use: a level without a current 包保 person, a person without a valid certificate of
the kinds their level needs, a level whose last check is older than its interval (``conf``), no filing,
and a safety-assessment report missing or older than the allowed years. A gap is opened once and closed
(``resolved_at``) when the job no longer finds it; each installation whose gaps changed gets one audit row.
This module finds them; ``actions.refresh_gaps`` stores them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.enterprises.models import add_years
from anjian.majorhazards import conf
from anjian.majorhazards.choices import (
    FilingStatus,
    GapKind,
    InstallationStatus,
    ResponsibilityLevel,
)
from anjian.majorhazards.models import HazardInstallation, Responsibility

__all__ = ["FoundGap", "RefreshSummary", "find_gaps", "installations_to_check"]


@dataclass(frozen=True)
class FoundGap:
    """One gap as the job sees it now."""

    kind: str
    level: str
    person_id: int | None
    detail: str


@dataclass(frozen=True)
class RefreshSummary:
    installations: int
    opened: int
    resolved: int
    open_now: int


def _certificate_ok(person: Any, kinds: tuple[str, ...], today: dt.date) -> tuple[bool, bool]:
    """(holds a valid certificate of ``kinds``, holds any certificate of ``kinds`` at all)."""
    held = [c for c in person.certificates.all() if c.kind in kinds]
    return any(c.is_valid_on(today) for c in held), bool(held)


def find_gaps(
    installation: HazardInstallation, today: dt.date, last_checks: dict[str, dt.datetime]
) -> list[FoundGap]:
    """The gaps of one installation on ``today`` (its responsibilities and certificates prefetched)."""
    gaps: list[FoundGap] = []
    current = {r.level: r for r in installation.responsibilities.all() if r.until is None}
    for level in ResponsibilityLevel:
        label = str(level.label)
        resp = current.get(level.value)
        if resp is None:
            gaps.append(FoundGap(GapKind.MISSING_PERSON, level.value, None, _("未指定%(l)s") % {"l": label}))
            continue
        person = resp.person
        if not person.is_active:
            gaps.append(
                FoundGap(
                    GapKind.MISSING_PERSON,
                    level.value,
                    person.pk,
                    _("%(l)s%(n)s已离职，需重新指定") % {"l": label, "n": person.name},
                )
            )
        kinds = conf.required_certificates(level.value)
        if kinds:
            valid, any_held = _certificate_ok(person, kinds, today)
            if not valid:
                text = (_("%(l)s%(n)s的资格证书已过期") if any_held else _("%(l)s%(n)s无有效资格证书")) % {
                    "l": label,
                    "n": person.name,
                }
                gaps.append(FoundGap(GapKind.LAPSED_CERTIFICATE, level.value, person.pk, text))
        interval = conf.check_interval_days(level.value)
        last = last_checks.get(level.value)
        start = resp.since
        last_day = timezone.localdate(last) if last is not None else None
        reference = max(d for d in (last_day, start) if d is not None)
        due = reference + dt.timedelta(days=interval)
        if due < today:
            if last_day is None:
                text = _("%(l)s%(n)s自%(since)s起未登记履职检查（要求每%(d)s天至少一次）")
            else:
                text = _("%(l)s%(n)s最近一次履职检查为%(last)s，已超过%(d)s天")
            gaps.append(
                FoundGap(
                    GapKind.MISSED_CHECK,
                    level.value,
                    person.pk,
                    text % {"l": label, "n": person.name, "since": start, "last": last_day, "d": interval},
                )
            )
    if installation.filing_status != FilingStatus.FILED:
        gaps.append(
            FoundGap(
                GapKind.NOT_FILED,
                "",
                None,
                _("备案状态：%(s)s") % {"s": FilingStatus(installation.filing_status).label},
            )
        )
    years = conf.assessment_max_years()
    if installation.assessed_on is None:
        gaps.append(FoundGap(GapKind.ASSESSMENT_OVERDUE, "", None, _("未登记安全评估报告")))
    elif add_years(installation.assessed_on, years) < today:
        gaps.append(
            FoundGap(
                GapKind.ASSESSMENT_OVERDUE,
                "",
                None,
                _("安全评估报告日期%(d)s，已满%(y)s年") % {"d": installation.assessed_on, "y": years},
            )
        )
    return gaps


def installations_to_check() -> Any:
    """The 重大危险源 in use, with their current 包保 people and those people's certificates."""
    from anjian.people.models import Certificate

    return (
        HazardInstallation.objects.filter(is_major=True, status=InstallationStatus.IN_USE)
        .select_related("enterprise")
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.filter(until__isnull=True)
                .select_related("person")
                .prefetch_related(Prefetch("person__certificates", queryset=Certificate.objects.all())),
            )
        )
    )
