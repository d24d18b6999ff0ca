"""Scheduled jobs of the enterprise registry (``core.jobs``): licences about to expire."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anjian.core.notifications import notify
from anjian.enterprises.choices import ACTIVE_STATES
from anjian.enterprises.models import Licence

__all__ = ["WINDOW_DAYS", "notify_expiring_licences"]

WINDOW_DAYS = 30


def notify_expiring_licences(now: dt.datetime) -> str:
    """Tell the enterprise's users and its supervising department, once per licence and expiry date, that
    a licence expires within 30 days."""
    today = timezone.localdate(now)
    licences = Licence.objects.filter(
        enterprise__status__in=sorted(ACTIVE_STATES),
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=WINDOW_DAYS),
    ).select_related("enterprise__org_unit", "enterprise__supervising_unit")
    sent = 0
    for lic in licences:
        enterprise = lic.enterprise
        title = f"{enterprise.name}的{lic.get_kind_display()}将于{lic.valid_until:%Y-%m-%d}到期"
        key = f"enterprises.licence_expiring:{lic.pk}:{lic.valid_until}"
        body = f"证书编号 {lic.number}，请及时办理延续。"
        if enterprise.org_unit is not None:
            sent += len(
                notify(
                    enterprise.org_unit,
                    title=title,
                    body=body,
                    why="您是该企业的企业用户",
                    target=enterprise,
                    kind="enterprises.licence_expiring",
                    dedupe_key=key,
                )
            )
        if enterprise.supervising_unit is not None:
            sent += len(
                notify(
                    enterprise.supervising_unit,
                    title=title,
                    body=body,
                    why=f"{enterprise.supervising_unit.name}是该企业的监管部门（三个必须）",
                    target=enterprise,
                    kind="enterprises.licence_expiring",
                    dedupe_key=key,
                )
            )
    return f"发出 {sent} 条许可证到期提醒"
