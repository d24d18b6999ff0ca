"""The second gate's alarm job (``core.jobs``): push the alarms people must act on, once each.

Every 5 minutes the zone-wide alarms are computed (``selectors.alarms`` as the system user) and each new one
is sent through ``core.notifications``: over quota (after an override) to the enterprise and its supervising
department; people past their permitted time and people inside whose required certificate lapsed to the
enterprise (its users and gate operators). ``Alarm.key`` is the dedupe key, so a condition is notified once
(a lapsed certificate once a day while the person stays inside). Full zones and open roll calls are not
pushed: they show on the headcount page and the home to-dos.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["PUSHED_KINDS", "push_alarms", "register"]

PUSHED_KINDS = ("over_quota", "overstay", "certificate_lapsed")


def push_alarms(now: dt.datetime) -> str:
    """Notify each new alarm once; a one-line summary for the job log."""
    from anjian.core.notifications import notify
    from anjian.core.system import system_user
    from anjian.enterprises.models import Enterprise
    from anjian.gates.models import Zone
    from anjian.gates.selectors import alarms

    found = [a for a in alarms(system_user()) if a.kind in PUSHED_KINDS and a.enterprise_id]
    enterprises = Enterprise.objects.in_bulk({a.enterprise_id for a in found})
    zones = Zone.objects.in_bulk({a.zone_id for a in found if a.zone_id})
    sent = 0
    for a in found:
        enterprise: Any = enterprises.get(a.enterprise_id or 0)
        if enterprise is None:
            continue
        recipients: list[Any] = [enterprise.org_unit] if enterprise.org_unit_id else []
        why = "贵企业二道门的报警"
        if a.kind == "over_quota" and enterprise.supervising_unit_id:
            recipients.append(enterprise.supervising_unit)
            why = "二道门区域超员（企业或其行业监管部门）"
        if not recipients:
            continue
        sent += len(
            notify(
                recipients,
                title=f"二道门报警：{a.title}",
                body=a.detail,
                why=why,
                target=zones.get(a.zone_id or 0),
                kind="gates",
                dedupe_key=f"gates:{a.key}",
            )
        )
    return f"二道门报警 {len(found)} 项，新发通知 {sent} 条"


def register() -> None:
    """Register the job (from ``GatesConfig.ready``)."""
    from anjian.core.jobs import register_job

    register_job("gates.alarms", push_alarms, every=dt.timedelta(minutes=5), label="二道门报警推送")
