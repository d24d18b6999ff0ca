"""包保 and filing gaps, found by a periodic job (``anjian majorhazards refresh-gaps``; a core job once
``anjian.core.jobs`` is on main).

For every 重大危险源 in use: a level without a current 包保 person, a person without a valid certificate of
the kinds their level needs, a level whose last check is older than its interval (``conf``), no filing,
and a safety-assessment report missing or older than the allowed years. A gap is opened once and closed
(``resolved_at``) when the job no longer finds it; each installation whose gaps changed gets one audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import record
from anjian.enterprises.models import add_years
from anjian.majorhazards import conf
from anjian.majorhazards.choices import (
    FilingStatus,
    GapKind,
    InstallationStatus,
    MajorHazardEvent,
    ResponsibilityLevel,
)
from anjian.majorhazards.models import (
    HazardInstallation,
    Responsibility,
    ResponsibilityCheck,
    ResponsibilityGap,
)

__all__ = ["FoundGap", "RefreshSummary", "find_gaps", "refresh_gaps"]


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


def _installations() -> Any:
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


@transaction.atomic
def refresh_gaps(today: dt.date | None = None, *, acting_user: Any = None) -> RefreshSummary:
    """Open the gaps found now, close those no longer found; audit per installation whose gaps changed."""
    today = today or timezone.localdate()
    now = timezone.now()
    installations = list(_installations())
    ids = [i.pk for i in installations]
    last: dict[tuple[int, str], dt.datetime] = {}
    rows = (
        ResponsibilityCheck.objects.filter(installation_id__in=ids, responsibility__until__isnull=True)
        .values("installation_id", "level")
        .annotate(last=Max("checked_at"))
    )
    for check_row in rows:
        last[(check_row["installation_id"], check_row["level"])] = check_row["last"]
    open_rows: dict[int, dict[tuple[str, str], ResponsibilityGap]] = {}
    for gap in ResponsibilityGap.objects.select_for_update().filter(resolved_at__isnull=True):
        open_rows.setdefault(gap.installation_id, {})[(gap.kind, gap.level)] = gap
    opened = resolved = 0
    seen: set[int] = set()
    for inst in installations:
        seen.add(inst.pk)
        checks = {level: at for (iid, level), at in last.items() if iid == inst.pk}
        found = {(g.kind, g.level): g for g in find_gaps(inst, today, checks)}
        existing = open_rows.get(inst.pk, {})
        new_keys = [k for k in found if k not in existing]
        gone = [k for k in existing if k not in found]
        changed_detail = [k for k in found if k in existing and existing[k].detail != found[k].detail]
        for key in new_keys:
            g = found[key]
            ResponsibilityGap.objects.create(
                installation=inst,
                kind=g.kind,
                level=g.level,
                person_id=g.person_id,
                detail=g.detail[:300],
                found_at=now,
            )
        for key in changed_detail:
            row = existing[key]
            row.detail = found[key].detail[:300]
            row.person_id = found[key].person_id
            row.save(update_fields=["detail", "person", "updated_at"])
        for key in gone:
            row = existing[key]
            row.resolved_at = now
            row.save(update_fields=["resolved_at", "updated_at"])
        if new_keys or gone:
            record(
                MajorHazardEvent.GAPS_REFRESHED,
                inst,
                acting_user=acting_user,
                before={"open": sorted(f"{k}:{lv}" for k, lv in existing)},
                after={"open": sorted(f"{k}:{lv}" for k, lv in found)},
                message=_("新发现%(n)s项缺口，消除%(m)s项") % {"n": len(new_keys), "m": len(gone)},
            )
        opened += len(new_keys)
        resolved += len(gone)
    # installations no longer major or in use: their open gaps are closed
    for iid, rows_by_key in open_rows.items():
        if iid in seen:
            continue
        for row in rows_by_key.values():
            row.resolved_at = now
            row.save(update_fields=["resolved_at", "updated_at"])
            resolved += 1
        record(
            MajorHazardEvent.GAPS_REFRESHED,
            HazardInstallation.objects.get(pk=iid),
            acting_user=acting_user,
            before={"open": sorted(f"{k}:{lv}" for k, lv in rows_by_key)},
            after={"open": []},
            message=_("已不构成重大危险源或不在用，消除%(m)s项缺口") % {"m": len(rows_by_key)},
        )
    open_now = ResponsibilityGap.objects.filter(resolved_at__isnull=True).count()
    return RefreshSummary(len(installations), opened, resolved, open_now)
