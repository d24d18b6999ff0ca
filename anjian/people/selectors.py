"""Read-only views of the people register for other pages (the 一企一档 tab)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from anjian.core.metrics import rate
from anjian.people.access import assignable_enterprises, visible_certificates, visible_people
from anjian.people.choices import RoleCategory
from anjian.people.constants import EXPIRING_WINDOWS
from anjian.people.metrics import three_types_counts
from anjian.people.models import Certificate

__all__ = ["annotate_status", "enterprise_people_summary", "expiry_counts"]


def expiry_counts(certs: models.QuerySet[Certificate], day: dt.date) -> dict[str, int]:
    """Certificates of ``certs`` expiring within each of ``EXPIRING_WINDOWS`` days of ``day`` (keys "30",
    "60", "90") and already expired ("expired"), in one query over the range of the expiry index."""
    horizon = day + dt.timedelta(days=max(EXPIRING_WINDOWS))
    aggregates: dict[str, Any] = {
        str(w): models.Count(
            "pk", filter=models.Q(expires_on__gte=day, expires_on__lte=day + dt.timedelta(days=w))
        )
        for w in EXPIRING_WINDOWS
    }
    aggregates["expired"] = models.Count("pk", filter=models.Q(expires_on__lt=day))
    row = certs.filter(expires_on__lte=horizon).order_by().aggregate(**aggregates)
    return {k: int(v or 0) for k, v in row.items()}


#: People listed on the tab (the full list is one click away on the people page).
TAB_PEOPLE_LIMIT = 100


def annotate_status(certs: Iterable[Certificate], day: dt.date) -> list[Certificate]:
    """Set ``current_status``, ``left`` (days to expiry) and ``overdue`` (days past it) for templates."""
    out = []
    for cert in certs:
        cert.current_status = cert.status_on(day)  # type: ignore[attr-defined]
        cert.left = cert.days_left(day)  # type: ignore[attr-defined]
        cert.overdue = -cert.left if cert.left is not None and cert.left < 0 else 0  # type: ignore[attr-defined]
        out.append(cert)
    return out


def enterprise_people_summary(enterprise: Any, user: Any, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """What the 一企一档 page shows about ``enterprise``'s people, as ``user`` may see them.

    Keys: ``counts_by_role`` (list of ``{role, label, count}``), ``active_total``, ``three_types``
    (``RoleCount`` per role), ``certified``, ``three_types_total``, ``certified_rate`` (Decimal or None),
    ``expiring`` (current certificates of active people expiring within 90 days), ``expired``,
    ``people`` (up to 100 active people), ``more_people``, ``can_change``, ``as_of``. Render it with
    ``{% include "people/_enterprise_tab.html" with people_summary=... %}``.
    """
    as_of = as_of or timezone.localdate()
    people = visible_people(user).filter(employer_enterprise=enterprise)
    active = people.filter(is_active=True)
    by_role = dict(active.order_by().values_list("role_category").annotate(n=models.Count("pk")))
    counts = [
        {"role": r.value, "label": str(r.label), "count": by_role.get(r.value, 0)}
        for r in RoleCategory
        if by_role.get(r.value)
    ]
    three = three_types_counts(people, as_of)
    certified = sum(c.certified for c in three)
    total = sum(c.total for c in three)
    certs = (
        visible_certificates(user).filter(person__employer_enterprise=enterprise).of_active_people().current()
    )
    expiring = annotate_status(
        certs.expiring_within(as_of, EXPIRING_WINDOWS[-1]).order_by("expires_on", "id"), as_of
    )
    expired = annotate_status(certs.expired_on(as_of).order_by("expires_on", "id"), as_of)
    listed = list(active.order_by("role_category", "name", "id")[: TAB_PEOPLE_LIMIT + 1])
    return {
        "enterprise": enterprise,
        "as_of": as_of,
        "counts_by_role": counts,
        "active_total": sum(by_role.values()),
        "three_types": three,
        "certified": certified,
        "three_types_total": total,
        "certified_rate": rate(certified, total),
        "expiring": expiring,
        "expired": expired,
        "people": listed[:TAB_PEOPLE_LIMIT],
        "more_people": len(listed) > TAB_PEOPLE_LIMIT,
        "can_change": assignable_enterprises(user).filter(pk=enterprise.pk).exists(),
    }
