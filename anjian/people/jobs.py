"""Scheduled jobs of the people register (``core.jobs``): certificates about to expire."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anjian.core.notifications import notify
from anjian.people.models import Certificate

__all__ = ["WINDOW_DAYS", "notify_expiring_certificates", "refresh_superseded_certificates"]

WINDOW_DAYS = 30


def notify_expiring_certificates(now: dt.datetime) -> str:
    """Tell the holder's employer (the enterprise's users, or the department's) once per certificate and
    expiry date that it expires within 30 days."""
    today = timezone.localdate(now)
    certs = (
        Certificate.objects.of_active_people()
        .current()
        .expiring_within(today, WINDOW_DAYS)
        .select_related("person__employer_enterprise__org_unit", "person__employer_unit")
    )
    sent = 0
    for cert in certs:
        person = cert.person
        enterprise = person.employer_enterprise
        unit = enterprise.org_unit if enterprise is not None else person.employer_unit
        if unit is None:
            continue
        employer = enterprise.name if enterprise is not None else unit.name
        sent += len(
            notify(
                unit,
                title=f"{person.name}的{cert.get_kind_display()}将于{cert.expires_on:%Y-%m-%d}到期",
                body=f"证书编号 {cert.number}，请提前安排复审或换证。",
                why=f"您是{employer}的用户，持证人是本单位人员",
                target=cert,
                kind="people.certificate_expiring",
                dedupe_key=f"people.certificate_expiring:{cert.pk}:{cert.expires_on}",
            )
        )
    return f"发出 {sent} 条证书到期提醒"


def refresh_superseded_certificates(now: dt.datetime) -> str:
    """Repair ``Certificate.superseded`` zone-wide (a bulk or raw write that did not refresh it)."""
    from anjian.people.actions import refresh_superseded

    changed = refresh_superseded(None)
    return f"{changed} 本证书的换发标记已更正" if changed else "换发标记无需更正"
